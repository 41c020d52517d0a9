"""Malformed query strings at the pages that read one (filters, search, page numbers): never a 500.

These are GET forms and links: they change nothing, and a mangled value is ignored or refused.
"""

import re
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from tests.results.ballot_builders import client_for
from tests.security import fuzz_world as world
from tests.security.fuzz_inputs import (
    BAD_UTF8,
    HOSTILE_TEXT,
    HUGE_NUMBERS,
    NOT_CHOICES,
    NOT_DATES,
    NOT_NUMBERS,
    ODD_NUMBERS,
)
from tests.security.test_fuzz import EXAMPLES

# Page → (scenario, path with the scenario's URL values, the parameters it reads).
PAGES = {
    "screening": (world.coordinator, "/screening/", "edition q city kind status flagged sort"),
    "screening-csv": (world.coordinator, "/screening/export.csv", "edition q city kind sort"),
    "audit": (world.admin, "/admin/audit", "page action actor since until target"),
    "audit-csv": (world.admin, "/admin/audit/export.csv", "action actor since until target"),
    "places": (world.anonymous, "/places", "q lang"),
    "eligibility": (world.anonymous, "/eligibility", "place place_id lang"),
    "results": (world.admin_closed_round, "/admin/rounds/{round_id}/results", "snapshot"),
    "finalists": (world.admin_closed_round, "/admin/rounds/{round_id}/finalists", "method"),
    "letter-preview": (
        world.admin,
        "/admin/editions/{edition_id}/letters/finalist_invitation/preview",
        "part language",
    ),
    "login": (world.anonymous, "/login", "next lang"),
}
VALUES = st.one_of(
    HOSTILE_TEXT,
    st.sampled_from(HUGE_NUMBERS + NOT_NUMBERS + ODD_NUMBERS + NOT_DATES + NOT_CHOICES),
)


@st.composite
def query(draw, names: list[str]) -> str:
    """A query string; a value may be repeated or carry bytes that are not UTF-8."""
    parts = []
    for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=6)):
        value = quote(draw(VALUES), safe="", errors="surrogatepass")
        if draw(st.booleans()):
            value += quote_from_bytes(draw(st.sampled_from(BAD_UTF8)), safe="")
        parts.append(f"{name}={value}")
    return "&".join(parts)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_malformed_query_strings_never_crash(app, page):
    scenario, path, names = PAGES[page]
    target = scenario(app)
    client = client_for(app, target.user) if target.user else app.test_client()
    url = path.format(**target.values)
    assert client.get(url).status_code == 200  # the page itself opens for this user
    saved = app.config["PROPAGATE_EXCEPTIONS"]
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @settings(
        max_examples=EXAMPLES * 2,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(query_string=query(names.split()))
    def check(query_string):
        response = client.get(url, query_string=query_string)
        assert response.status_code < 500, query_string[:300]

    try:
        check()
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = saved


PATH_TEXT = ["x" * 5000, "%00", "..%2F..%2Fetc%2Fpasswd", "%E2%80%AE", "%FF%FE", "1e999", "-1"]


def test_every_url_answers_odd_path_values_without_a_crash(app):
    """Each rule with ids beyond the database (404) and with hostile text where it takes text."""
    office = world.admin(app).user
    client = client_for(app, office)
    saved = app.config["PROPAGATE_EXCEPTIONS"]
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        for rule in app.url_map.iter_rules():
            if not rule.arguments or rule.endpoint == "static":
                continue
            converters = rule._converters.items()
            numbers = {a for a, c in converters if isinstance(c, IntegerConverter)}
            for number in ("2147483648", "1" + "0" * 30):
                for text in PATH_TEXT:
                    path = rule.rule
                    for argument in rule.arguments:
                        value = number if argument in numbers else text
                        path = re.sub(rf"<[^>]*\b{argument}>", value, path)
                    for method in sorted(rule.methods - {"OPTIONS"}):
                        response = client.open(path, method=method)
                        assert response.status_code < 500, (method, path[:200])
                        if numbers:
                            assert response.status_code == 404, (method, path[:200])
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = saved
