"""The audit log page: newest first, filters, pages of 50, a compact diff, a CSV of the filter."""

import csv
import io
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert

from qpmusic.audit.listing import Change, compact_diff
from qpmusic.audit.models import AuditEvent
from qpmusic.enums import Role
from qpmusic.extensions import db
from tests.factories import UserFactory

NOON = datetime(2031, 5, 10, 10, 0, tzinfo=UTC)  # 12:00 in Luxembourg


@pytest.fixture
def admin(auth):
    user = UserFactory(email="olga@example.org", name="Olga Office", role=Role.ADMIN, language="en")
    auth.login(user.email)
    return user


@pytest.fixture
def clara():
    return UserFactory(email="clara.coord@example.org", name="Clara Coord", role=Role.COORDINATOR)


def record(actor, action, target_type="application", target_id=1, at=NOON, **states):
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        at=at,
        **states,
    )
    db.session.add(event)
    db.session.commit()
    return event


def actions(page: str) -> list[str]:
    """The actions in the table, top to bottom."""
    body = page.split("<tbody>", 1)[1] if "<tbody>" in page else ""
    return [part.split("</code>", 1)[0] for part in body.split("<td><code>")[1:]]


def test_events_are_listed_newest_first_with_who_what_and_the_change(client, admin, clara):
    record(clara, "application.screened", before={"status": "submitted"},
           after={"status": "eligible", "reason": ""}, at=NOON)  # fmt: skip
    record(None, "edition.phase_changed", "edition", 3, at=NOON + timedelta(hours=1))

    page = client.get("/admin/audit").get_data(as_text=True)

    assert actions(page) == ["edition.phase_changed", "application.screened"]
    assert "Clara Coord<br><small>clara.coord@example.org</small>" in page
    assert "automatic" in page
    assert "<td>edition #3</td>" in page
    assert "<code>status</code>: " in page
    assert "<del>submitted</del>" in page and "<ins>eligible</ins>" in page
    # "reason" was added empty: shown as a dash, not left out.
    assert "<code>reason</code>: " in page
    assert "2 events" in page


def test_filter_by_part_of_the_actors_email_in_any_case(client, admin, clara):
    record(clara, "application.screened")
    record(admin, "round.opened", "round")

    page = client.get("/admin/audit?actor=CLARA.coord").get_data(as_text=True)

    assert actions(page) == ["application.screened"]


def test_filter_by_the_start_of_the_action(client, admin, clara):
    record(clara, "conflict.declared")
    record(clara, "conflict.confirmed")
    record(clara, "round.opened", "round")
    record(clara, "myconflict.x")

    page = client.get("/admin/audit?action=conflict.").get_data(as_text=True)

    assert sorted(actions(page)) == ["conflict.confirmed", "conflict.declared"]


def test_a_wildcard_in_the_action_filter_is_taken_literally(client, admin, clara):
    record(clara, "conflict.declared")

    page = client.get("/admin/audit?action=%25").get_data(as_text=True)

    assert actions(page) == []
    assert "No event matches these filters." in page


def test_filter_by_target_type_offers_the_types_on_record(client, admin, clara):
    record(clara, "round.opened", "round")
    record(clara, "application.screened", "application")

    page = client.get("/admin/audit?target=round").get_data(as_text=True)

    assert actions(page) == ["round.opened"]
    assert '<option selected value="round">round</option>' in page
    assert '<option value="application">application</option>' in page


def test_filter_by_luxembourg_days_both_ends_included(client, admin, clara):
    # 23:30 UTC on 9 May is 01:30 on 10 May in Luxembourg.
    record(clara, "early", at=datetime(2031, 5, 9, 21, 30, tzinfo=UTC))
    record(clara, "inside", at=datetime(2031, 5, 9, 23, 30, tzinfo=UTC))
    record(clara, "last.minute", at=datetime(2031, 5, 11, 21, 59, tzinfo=UTC))
    record(clara, "late", at=datetime(2031, 5, 11, 22, 0, tzinfo=UTC))

    page = client.get("/admin/audit?since=2031-05-10&until=2031-05-11").get_data(as_text=True)

    assert actions(page) == ["last.minute", "inside"]


def test_a_mangled_date_is_ignored_not_an_error(client, admin, clara):
    record(clara, "application.screened")

    response = client.get("/admin/audit?since=yesterday")

    assert response.status_code == 200
    assert actions(response.get_data(as_text=True)) == ["application.screened"]


def bulk_events(count, actor):
    db.session.execute(
        insert(AuditEvent),
        [
            {
                "actor_id": actor.id,
                "action": f"step.{n:03d}",
                "target_type": "application",
                "target_id": n,
                "at": NOON + timedelta(minutes=n),
            }
            for n in range(count)
        ],
    )
    db.session.commit()


def test_pages_of_fifty_newest_first(client, admin, clara):
    bulk_events(120, clara)

    first = client.get("/admin/audit").get_data(as_text=True)
    third = client.get("/admin/audit?page=3").get_data(as_text=True)
    beyond = client.get("/admin/audit?page=99").get_data(as_text=True)

    assert actions(first) == [f"step.{n:03d}" for n in range(119, 69, -1)]
    assert actions(third) == [f"step.{n:03d}" for n in range(19, -1, -1)]
    assert actions(beyond) == actions(third)
    assert "page 1 of 3" in first
    assert 'href="/admin/audit?page=2" rel="next"' in first


def test_page_links_keep_the_filters(client, admin, clara):
    bulk_events(60, clara)

    page = client.get("/admin/audit?action=step.").get_data(as_text=True)

    assert 'href="/admin/audit?page=2&amp;action=step." rel="next"' in page


@contextmanager
def counted_statements():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_a_page_costs_the_same_queries_however_many_events_and_actors(client, admin):
    def queries():
        with counted_statements() as statements:
            assert client.get("/admin/audit").status_code == 200
        return len(statements)

    record(UserFactory(), "one.event")
    few = queries()
    for n in range(30):
        record(UserFactory(), f"event.{n}", before={"n": n}, after={"n": n + 1})
    assert queries() == few


def test_csv_has_every_filtered_event_with_states(client, admin, clara):
    record(clara, "conflict.declared", before=None, after={"note": "Lehrerin, „früher“"})
    record(clara, "round.opened", "round", 7)
    bulk_events(60, admin)

    response = client.get("/admin/audit/export.csv?actor=clara")

    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="qpmusic-audit-'
    )
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    header, *rows = csv.reader(io.StringIO(text[1:]))
    assert header == [
        "When (Luxembourg time)",
        "E-mail address",
        "Name",
        "Action",
        "Concerning",
        "Id",
        "Before",
        "After",
    ]
    assert [row[3] for row in rows] == ["round.opened", "conflict.declared"]
    assert rows[1] == [
        "2031-05-10T12:00:00+02:00",
        "clara.coord@example.org",
        "Clara Coord",
        "conflict.declared",
        "application",
        "1",
        "",
        '{"note": "Lehrerin, „früher“"}',
    ]


def test_the_page_links_to_the_csv_of_its_filter(client, admin):
    page = client.get("/admin/audit?actor=clara&page=2").get_data(as_text=True)

    assert 'href="/admin/audit/export.csv?actor=clara"' in page


@pytest.mark.parametrize("role", [Role.JUROR, Role.COORDINATOR, Role.APPLICANT])
@pytest.mark.parametrize("url", ["/admin/audit", "/admin/audit/export.csv"])
def test_only_admins_read_the_audit_log(client, auth, role, url):
    user = UserFactory(role=role)
    auth.login(user.email)

    assert client.get(url).status_code == 403


def test_compact_diff_names_only_what_changed():
    before = {"status": "open", "closes_at": "2031-05-01", "reason": "x"}
    after = {"status": "closed", "closes_at": "2031-05-01", "by": 3}

    assert compact_diff(before, after) == [
        Change("status", "changed", "open", "closed"),
        Change("reason", "removed", old="x"),
        Change("by", "added", new="3"),
    ]


def test_compact_diff_of_non_objects_and_long_values():
    assert compact_diff([1, 2], [1, 3]) == [Change("", "changed", "[1, 2]", "[1, 3]")]
    assert compact_diff(None, None) == []
    (change,) = compact_diff(None, {"note": "ä" * 300})
    assert change.new == "ä" * 119 + "…"
