"""Every endpoint is in the permissions table, and the views do what the table says.

Each endpoint is called with every method as every kind of user, with URL values naming
applicant A's objects: those the table lets in get an answer, the others 403/404 (a visitor on a
page that needs an account: the login) and leave the database as it was.

Speed: the world is built once; after a test that changed the database (an allowed request did
its job, or a refusal failed) its rows and stored files are put back from a copy.
"""

import base64

import pytest
from sqlalchemy import text

from qpmusic.extensions import db, limiter
from qpmusic.permissions import PERMISSIONS, UNLISTED, Audience
from tests.security.access_world import ROLES, build_world, put_back, stored_files
from tests.security.fingerprint import copy_rows, database_fingerprint, restore_rows

A = Audience
EVERYONE = {A.PUBLIC, A.TOKEN}
LOGGED_IN = EVERYONE | {A.LOGGED_IN}
STAFF = LOGGED_IN | {A.REVIEWER}
JUROR = STAFF | {A.EDITION_JUROR}
# What each person in the world is, seen from the URLs of applicant A's objects.
ROLE_AUDIENCES = {
    "anonymous": EVERYONE,
    "applicant": LOGGED_IN | {A.APPLICANT, A.OWNER},
    "other_applicant": LOGGED_IN | {A.APPLICANT},
    "juror": JUROR | {A.ASSIGNEE, A.ASSIGNED_JUROR},
    "juror_other_city": JUROR,
    "juror_closed_round": JUROR | {A.DELIBERATOR},
    # Assigned to A in the open round too, but his own conflict with A is in force.
    "juror_with_conflict": JUROR,
    "coordinator": STAFF | {A.COORDINATOR},
    "admin": LOGGED_IN | {A.ADMIN},
}
# URL values other than A's objects in the open jury round, where only those make sense.
CLOSED_ROUND = {"jury.deliberation_page", "jury.post_message"}
FINAL_ROUND = {"ballot.vote"}
PUBLISHED_EDITION = {"public_results.edition"}
# Only an application with a final review has an explanation in the tally.
SCORED_APPLICATION = {"results.explain"}
# Every request carries the tus header: without it the tus routes answer 412 to anyone.
HEADERS = {"Tus-Resumable": "1.0.0"}
REFUSED = {403, 404}
# tus refusals that are about the application's state, not about who asks: the owner of a
# submitted application in a closed call may not add files (403, so tus-js-client does not retry).
STATE_REFUSALS = {"not_editable"}


def tus_requests(world) -> dict:
    """The tus calls as the uploader's script makes them: the work is named in the metadata,
    the chunk in a typed body, so that only the ownership check is left to refuse."""
    metadata = f"filename {b64('take.wav')},work_id {b64(str(world.values['work_id']))}"
    return {
        ("uploads.collection", "POST"): {
            "headers": {**HEADERS, "Upload-Length": "4", "Upload-Metadata": metadata}
        },
        ("uploads.upload", "PATCH"): {
            "headers": {**HEADERS, "Upload-Offset": "0"},
            "content_type": "application/offset+octet-stream",
            "data": b"RIFF",
        },
    }


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def test_every_endpoint_is_in_the_table_and_nothing_else(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - UNLISTED

    assert sorted(endpoints - PERMISSIONS.keys()) == []
    assert sorted(PERMISSIONS.keys() - endpoints) == []


def test_every_role_of_the_world_is_described():
    assert set(ROLE_AUDIENCES) == set(ROLES)
    assert all(PERMISSIONS.values()), "an endpoint nobody may call"


class Kept:
    """The world of the previous test, and copies to put it back if that test changed it."""

    world = None
    rows: dict = {}
    files: dict = {}
    fingerprint: tuple = ()
    # The database as the previous test left it.
    last: tuple | None = None


def _reset() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(autouse=True)
def clean_state(app, smtp):
    """Replaces conftest's: the tables are emptied once, then the world is put back as needed."""
    limiter.reset()
    smtp[0].clear()
    ctx = app.app_context()
    ctx.push()
    yield
    db.session.remove()
    ctx.pop()


@pytest.fixture
def world():
    if Kept.world is None:
        _reset()
        Kept.world = build_world()
        Kept.rows = copy_rows()
        Kept.files = stored_files()
        db.session.remove()
        # Put back once right away: the copy knows no JSON null apart from SQL NULL, so the
        # world every test sees is the one restored from it.
        restore_rows(Kept.rows)
        Kept.fingerprint = Kept.last = database_fingerprint()
    elif Kept.last != Kept.fingerprint:
        restore_rows(Kept.rows)
        put_back(Kept.files)
    # Set again once the test's last request has been answered; a failed test leaves it unset.
    Kept.last = None
    return Kept.world


def url_of(app, world, endpoint: str):
    rule = next(app.url_map.iter_rules(endpoint))
    values = {arg: world.values[arg] for arg in rule.arguments}
    if endpoint in CLOSED_ROUND:
        values["round_id"] = world.closed_round_id
    if endpoint in FINAL_ROUND:
        values["round_id"] = world.final_round_id
    if endpoint in PUBLISHED_EDITION:
        values["year"] = world.published_year
    if endpoint in SCORED_APPLICATION:
        values["application_id"] = world.scored_application_id
    with app.test_request_context():
        path = app.url_for(endpoint, **values)
    methods = rule.methods - {"OPTIONS", "HEAD"}
    if "HEAD" in rule.methods and "GET" not in rule.methods:
        methods.add("HEAD")  # tus asks for an upload's offset with HEAD
    # Reading first: a state-changing request may end what the others look at.
    order = ["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"]
    return path, sorted(methods, key=order.index)


def log_in(client, world, role: str) -> None:
    if role == "anonymous":
        return
    with client.session_transaction() as session:
        session["_user_id"] = world.tokens[role]
        session["_fresh"] = True


def refusal_problem(response, role: str) -> str | None:
    status = response.status_code
    if status in REFUSED:
        return None
    if role == "anonymous":
        if status == 401:  # tus: the uploader's script, not a page, is told to log in
            return None
        if status == 302 and response.headers["Location"].startswith("/login"):
            return None
    return f"let in with {status}"


def answer_problem(response) -> str | None:
    status = response.status_code
    if status == 403 and response.headers.get("X-QPMusic-Error") in STATE_REFUSALS:
        return None
    if status in REFUSED or status == 401 or status >= 500:
        return f"refused or failed with {status}"
    if status == 302 and response.headers["Location"].startswith("/login"):
        return "sent to the login"
    return None


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(PERMISSIONS))
def test_endpoint_access(app, client, world, endpoint, role):
    allowed = bool(PERMISSIONS[endpoint] & ROLE_AUDIENCES[role])
    path, methods = url_of(app, world, endpoint)
    log_in(client, world, role)

    before = Kept.fingerprint
    for method in methods:
        request = tus_requests(world).get((endpoint, method), {"headers": HEADERS})
        response = client.open(path, method=method, **request)
        after = database_fingerprint()
        if allowed:
            problem = answer_problem(response)
        else:
            problem = refusal_problem(response, role)
            if problem is None and after != before:
                problem = f"refused with {response.status_code} but the database changed"
        assert problem is None, f"{method} {path} as {role}: {problem}"
        if A.TOKEN in PERMISSIONS[endpoint]:
            # The link is forged: whoever follows it is told so, and nothing happens.
            assert after == before, f"{method} {path} as {role} with a forged token"
        before = after
    Kept.last = before
