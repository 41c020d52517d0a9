"""Malformed input at every state-changing endpoint: never a 500; an invalid one changes nothing.

Every endpoint of ``app.url_map`` that takes POST (or PATCH/DELETE) is listed below with the
scenario that puts real objects behind its URL and logs in the role that may use it. Hypothesis
builds requests whose fields come from the view's form classes (read from their source) and from
what the page's script sends; each request holds at least one value the form refuses, so the
database (every table but the audit log of refusals) and MEDIA_ROOT must stay exactly as they
were. Endpoints whose form has nothing to refuse (a button: submit, close, logout) are sent the
same garbage and must only answer without a 500. The tus upload endpoint has its own file.
Examples are derandomized (the same on every run); QPMUSIC_FUZZ_EXAMPLES=60 explores further.
"""

import json
import logging
import os
from dataclasses import replace
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from qpmusic.extensions import db, limiter
from tests.results.ballot_builders import client_for
from tests.security import fuzz_world as world
from tests.security.fuzz_inputs import Field, form_fields, forms_of_view, malformed_request

EXAMPLES = int(os.environ.get("QPMUSIC_FUZZ_EXAMPLES", "8"))

SCENARIOS = {
    "accounts.login": world.anonymous,
    "accounts.register": world.anonymous,
    "accounts.forgot_password": world.anonymous,
    "accounts.reset_password": world.anonymous,
    "accounts.logout": world.applicant,
    "home.switch_language": world.applicant,
    "invitations.accept": world.invited,
    "profile.edit": world.applicant,
    "profile.change_email": world.applicant,
    "profile.change_password": world.applicant,
    "privacy.export": world.applicant,
    "privacy.delete": world.applicant,
    "applications.start": world.applicant,
    "applications.profile": world.applicant,
    "applications.biography": world.applicant,
    "applications.eligibility": world.applicant,
    "applications.remove_basis": world.applicant,
    "applications.relationships": world.applicant,
    "applications.remove_relationship": world.applicant,
    "applications.work_new": world.applicant,
    "applications.work_edit": world.applicant,
    "applications.remove_work": world.applicant,
    "applications.consents": world.applicant,
    "applications.submit": world.applicant,
    "applications.withdraw": world.applicant,
    "uploads.form_upload": world.applicant,
    "uploads.remove": world.applicant,
    "jury.save_review": world.juror_final,  # the draft path: jury.autosave
    "jury.autosave": world.juror,
    "jury.declare_conflict": world.juror,
    "jury.withdraw_conflict": world.juror_conflicted,
    "jury.report_listening": world.juror,
    "jury.post_message": world.juror_closed,
    "ballot.vote": world.voter,
    "screening.decide": world.coordinator,
    "screening.add_note": world.coordinator,
    "screening.shortlist": world.coordinator,
    "screening.remove_from_shortlist": world.coordinator,
    "screening.vote": world.coordinator,
    "editions.new": world.admin,
    "editions.edit": world.admin,
    "editions.change_phase": world.admin,
    "editions.add_criterion": world.admin,
    "editions.edit_criterion": world.admin,
    "editions.move_criterion": world.admin,
    "editions.remove_criterion": world.admin,
    "invitations.index": world.admin,
    "invitations.resend": world.admin,
    "invitations.revoke": world.admin,
    "cities.new": world.admin,
    "cities.edit": world.admin,
    "jury_members.index": world.admin,
    "jury_members.resend": world.admin,
    "jury_members.revoke": world.admin,
    "jury_members.remove": world.admin,
    "jury_members.confirm": world.admin,
    "jury_members.dismiss": world.admin,
    "rounds.index": world.admin,
    "rounds.settings": world.admin,
    "rounds.add_assignment": world.admin,
    "rounds.remove_assignment": world.admin,
    "rounds.open_round": world.admin,
    "rounds.close": world.admin,
    "rounds.rebuild": world.admin,
    "rounds.reopen": world.admin_closed_round,
    "jury.reopen": world.admin,
    "jury_office.remind": world.admin,
    "jury_office.remind_all": world.admin,
    "results.compute": world.admin_closed_round,
    "finalists.choose": world.admin_closed_round,
    "finalists.send": world.admin,
    "outbox.resend": world.admin,
    "outbox.resend_all": world.admin,
    "ballot.admin": world.admin_final,
    "ballot.awards": world.admin_final,
    "ballot.publish": world.admin_final,
}
# The forms a view reads, where its source alone would mislead: a helper chooses the form, or
# the view reads the fields itself (the review, from the page's script too).
FORMS = {
    "rounds.settings": ("RoundForm",),
    "jury.save_review": (),
    "jury.autosave": (),
}
# Where one field says which form applies, only that field is made invalid.
TARGETS = {"ballot.admin": {"action"}}
LANGUAGE = (Field("lang", "choice", True, choices=("de", "fr", "en")), Field("next", "text"))
# The tus endpoints speak headers and raw bytes: tests/security/test_fuzz_uploads.py.
TUS = {"uploads.collection", "uploads.upload"}
# Tables that change by design when a request is refused: the audit log of refusals.
UNWATCHED = {"audit_event", "alembic_version"}


def state_changing(app) -> list[str]:
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.methods - {"GET", "HEAD", "OPTIONS"} and rule.endpoint not in TUS
    )


def test_every_state_changing_endpoint_is_fuzzed(app):
    assert set(state_changing(app)) == set(SCENARIOS)


def test_the_fingerprint_sees_a_valid_change(app):
    target = world.applicant(app)
    client = client_of(app, target)
    before = fingerprint(app)

    response = client.post(
        f"/applications/{target.values['application_id']}/biography",
        data={"biography": "Sound installations for rivers."},
    )

    assert response.status_code == 302
    assert changed(before, fingerprint(app)) == ["application"]


def fields_of(app, endpoint: str, target: world.Target) -> list[Field]:
    view = app.view_functions[endpoint]
    if endpoint in FORMS:
        classes = [find_form(name) for name in FORMS[endpoint]]
    else:
        classes = forms_of_view(view)
    specs = {}
    for cls in classes:
        for spec in form_fields(cls):
            specs[spec.name] = spec
    extra = LANGUAGE if endpoint == "home.switch_language" else target.fields
    for spec in extra:
        specs[spec.name] = spec
    if endpoint in TARGETS:
        specs = {
            name: spec
            if name in TARGETS[endpoint]
            else replace(spec, kind="text", required=False, max_length=None)
            for name, spec in specs.items()
        }
    return sorted(specs.values(), key=lambda s: s.name)


def find_form(name: str) -> type:
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return next(cls for cls in subclasses(FlaskForm) if cls.__name__ == name)


def fingerprint(app) -> dict:
    """Row count and a hash of every row, per table; the files under MEDIA_ROOT and their sizes."""
    tables = [t.name for t in db.metadata.sorted_tables if t.name not in UNWATCHED]
    # Table names come from our own metadata, not from input.
    query = " UNION ALL ".join(
        f"SELECT '{name}', count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"  # noqa: S608
        f' FROM "{name}" t'
        for name in tables
    )
    db.session.rollback()
    state = {name: (count, digest) for name, count, digest in db.session.execute(text(query))}
    root = Path(app.config["MEDIA_ROOT"])
    files = (p for p in root.rglob("*") if p.is_file())
    state["files"] = sorted((str(p.relative_to(root)), p.stat().st_size) for p in files)
    return state


def changed(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


class Crashes(logging.Handler):
    """The errors the app's 500 handler logs, so a failure shows its traceback."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(self.format(record))


@pytest.fixture
def production_errors(app):
    """Crashes answer 500 through the app's own handler instead of reaching the test."""
    saved = app.config["PROPAGATE_EXCEPTIONS"]
    app.config["PROPAGATE_EXCEPTIONS"] = False
    crashes = Crashes()
    app.logger.addHandler(crashes)
    yield crashes
    app.logger.removeHandler(crashes)
    app.config["PROPAGATE_EXCEPTIONS"] = saved


def client_of(app, target: world.Target):
    return client_for(app, target.user) if target.user else app.test_client()


def url_of(app, endpoint: str, target: world.Target) -> tuple[str, str]:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    method = sorted(rule.methods - {"GET", "HEAD", "OPTIONS"})[0]
    with app.test_request_context():
        return method, app.url_for(endpoint, **{a: target.values[a] for a in rule.arguments})


ENCODINGS = st.sampled_from(["form", "raw", "multipart", "json"])
# JSON bodies no script of ours sends: nested too deep, a NUL, numbers out of range, not JSON.
ODD_JSON = st.sampled_from(
    ["[" * 100_000, '{"a":' * 50_000, '"\\u0000"', "1e999", "-" + "9" * 5000, "{bad json", "[]"]
)


@pytest.mark.parametrize("endpoint", sorted(SCENARIOS))
def test_malformed_input_is_refused_without_a_change(app, production_errors, endpoint):
    target = SCENARIOS[endpoint](app)
    client = client_of(app, target)
    method, url = url_of(app, endpoint, target)
    specs = fields_of(app, endpoint, target)
    refusable = any(spec.strict for spec in specs)
    reached = client.open(url, method=method, data={})
    assert reached.status_code not in (401, 403, 404, 405, 500), reached.status_code
    assert "/login" not in reached.headers.get("Location", "")

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(request=malformed_request(specs), encoding=ENCODINGS, data=st.data())
    def check(request, encoding, data):
        limiter.reset()  # the login limits would soon answer 429 before the form is read
        before = fingerprint(app)
        production_errors.records.clear()
        if encoding == "json":
            pairs = dict(request.pairs)
            body = data.draw(st.one_of(st.just(json.dumps(pairs)), ODD_JSON))
            response = client.open(url, method=method, data=body, content_type="application/json")
        elif encoding == "raw" or request.raw_tail:
            response = client.open(
                url,
                method=method,
                data=request.urlencoded(),
                content_type="application/x-www-form-urlencoded",
            )
        else:
            fields = {}
            for name, value in request.pairs:
                fields.setdefault(name, []).append(value)
            kwargs = {"content_type": "multipart/form-data"} if encoding == "multipart" else {}
            response = client.open(url, method=method, data=fields, **kwargs)
        assert response.status_code < 500, "\n".join(production_errors.records)
        if refusable:
            assert changed(before, fingerprint(app)) == [], request.target

    check()
