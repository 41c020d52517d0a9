"""The player's listening report with any JSON at all: never a 500, never more heard than the file.

The report names a real file of the juror's assignment, so it reaches the merge; the ranges are
whatever JSON hypothesis builds (NaN and Infinity literals, integers too large for a float,
strings, objects, nesting). A report may count what it validly says, so the property is on what
is stored: between none and the file's whole length, in finite, ordered seconds.
"""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from qpmusic.extensions import db
from qpmusic.jury.models import Listening
from tests.results.ballot_builders import client_for
from tests.security.fuzz_world import juror
from tests.security.test_fuzz import EXAMPLES

DURATION = 300.0  # fuzz_world.media_file
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),
    st.text(max_size=10),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=30,
)


def test_any_listening_report_is_answered_and_stays_inside_the_file(app):
    target = juror(app)
    client = client_for(app, target.user)
    url = f"/jury/assignments/{target.values['assignment_id']}/listening"
    media = next(f for f in target.fields if f.name == "media").example

    @settings(
        max_examples=EXAMPLES * 5,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(ranges=json_values, as_form=st.booleans())
    def check(ranges, as_form):
        if as_form:
            response = client.post(url, data={"media": media, "ranges": json.dumps(ranges)})
        else:
            body = json.dumps({"media": media, "ranges": ranges})
            response = client.post(url, data=body, content_type="application/json")

        assert response.status_code in (200, 400), response.status_code
        db.session.rollback()
        for listening in db.session.scalars(select(Listening)):
            assert 0 <= listening.heard_seconds <= DURATION
            for start, end in listening.ranges:
                assert 0 <= start < end <= DURATION

    check()
