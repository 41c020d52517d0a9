"""Query budgets of the main pages: the same number of SQL queries for 10 and 100 applications."""

from sqlalchemy import text

from qpmusic.extensions import db
from tests.page_world import PASSWORD, build_world, pages
from tests.queries import counted_statements

BUDGET = 15


def empty_database() -> None:
    db.session.remove()
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def queries_per_page(app, applications: int) -> dict[str, int]:
    """Each main page fetched twice (the first warms caches); the queries of the second."""
    empty_database()
    world = build_world(applications)
    db.session.remove()
    counts = {}
    for page, who, url in pages(world):
        client = app.test_client()
        if who is not None:
            assert (
                client.post("/login", data={"email": who, "password": PASSWORD}).status_code == 302
            )
        assert client.get(url).status_code == 200, page
        with counted_statements() as statements:
            response = client.get(url)
        assert response.status_code == 200, page
        counts[page] = len(statements)
    return counts


def test_every_main_page_takes_the_same_queries_for_10_and_100_applications(app):
    for_10 = queries_per_page(app, 10)
    for_100 = queries_per_page(app, 100)

    assert for_100 == for_10
    assert {page: n for page, n in for_100.items() if n > BUDGET} == {}
