"""The home page and the health check."""

from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
import time_machine
from flask import url_for

from qpmusic.enums import AwardKind, EditionPhase, Role
from tests.conftest import make_app
from tests.factories import AwardFactory, EditionFactory, UserFactory
from tests.translations import translated

ROOT = Path(__file__).resolve().parents[2]


def test_home_shows_the_open_call_in_the_visitors_language(client):
    EditionFactory(year=2031)

    response = client.get("/?lang=fr")

    assert "Prix de musique QuattroPole 2031" in response.text
    assert translated("Create an account to apply", "fr") in response.text


def test_home_without_a_call_says_so(client):
    EditionFactory(phase=EditionPhase.DRAFT)

    response = client.get("/?lang=en")

    assert "No open call at the moment" in response.text


def test_healthz_reports_database_and_eager_tasks(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "broker": "eager"}


def test_healthz_reports_a_reachable_broker(test_config, monkeypatch):
    from tests.services import REDIS_URL

    monkeypatch.setenv("QPMUSIC_BROKER_URL", REDIS_URL)
    response = make_app(test_config).test_client().get("/healthz")

    assert response.status_code == 200
    assert response.json["broker"] == "ok"


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1/0"])
def test_healthz_fails_when_the_broker_is_down(test_config, monkeypatch, url):
    monkeypatch.setenv("QPMUSIC_BROKER_URL", url)
    response = make_app(test_config).test_client().get("/healthz")

    assert response.status_code == 503
    assert response.json["status"] == "error"
    assert response.json["broker"].startswith("error")


# --- the call on the home page: its states, the countdown, the archive ------------------------

OPENS = datetime(2031, 1, 15, 9, 0, tzinfo=UTC)  # 10:00 in Luxembourg (winter time)
CLOSES = datetime(2031, 7, 31, 21, 59, 59, tzinfo=UTC)  # 23:59:59 in Luxembourg (summer time)


def call_2031(**values):
    return EditionFactory(year=2031, opens_at=OPENS, closes_at=CLOSES, **values)


def page(client, language, at):
    with time_machine.travel(at, tick=False):
        response = client.get(f"/?lang={language}")
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    return response.text


@pytest.mark.parametrize(
    ("language", "opens", "closes"),
    [
        ("de", "Mittwoch, 15. Januar 2031, 10:00", "Donnerstag, 31. Juli 2031, 23:59:59"),
        ("fr", "mercredi 15 janvier 2031, 10:00", "jeudi 31 juillet 2031, 23:59:59"),
        ("en", "Wednesday, January 15, 2031, 10:00\u202fAM", "Thursday, July 31, 2031"),
    ],
)
def test_a_call_not_yet_open_says_when_it_opens(client, language, opens, closes):
    call_2031()

    text = page(client, language, datetime(2031, 1, 1, tzinfo=UTC))

    sentence = translated(
        "The call for applications opens on %(opens)s and closes on %(closes)s.",
        language,
        opens="OPENS",
        closes="CLOSES",
    )
    # Template gettext output is markup-safe, so apostrophes stay unescaped in the page.
    assert unescape(sentence).split("OPENS")[0] in text
    assert opens in text
    assert closes in text
    assert "data-countdown" not in text
    assert 'href="/editions/2031/deadline.ics"' in text


@pytest.mark.parametrize(
    ("language", "deadline"),
    [
        ("de", "Donnerstag, 31. Juli 2031, 23:59:59"),
        ("fr", "jeudi 31 juillet 2031, 23:59:59"),
        ("en", "Thursday, July 31, 2031, 11:59:59\u202fPM"),
    ],
)
def test_an_open_call_shows_the_deadline_in_luxembourg_time(client, language, deadline):
    call_2031()

    text = page(client, language, datetime(2031, 7, 1, 12, 0, tzinfo=UTC))

    assert f'<time datetime="2031-07-31T21:59:59+00:00">{deadline}</time>' in text
    assert (
        translated("Applications until %(deadline)s (Luxembourg time).", language, deadline="")[:12]
        in text
    )
    assert 'href="/editions/2031/deadline.ics"' in text
    assert "data-countdown" in text


def test_the_countdown_is_rendered_by_the_server_and_enhanced_by_a_script(client):
    call_2031()

    text = page(client, "en", datetime(2031, 7, 1, 12, 0, tzinfo=UTC))

    countdown = text.split('<p class="countdown"', 1)[1].split("</p>", 1)[0]
    assert 'data-deadline="2031-07-31T21:59:59+00:00"' in countdown
    assert 'data-pattern="{time} left"' in countdown
    assert 'data-ended="The deadline has passed."' in countdown
    for unit, one, other in [("days", "day", "days"), ("hours", "hour", "hours")]:
        assert f'data-{unit}-one="{one}" data-{unit}-other="{other}"' in countdown
    assert 'data-minutes-one="minute" data-minutes-other="minutes"' in countdown
    # 30 days, 9 h 59 min 59 s are left: whole minutes, as the script shows them.
    assert countdown.endswith(">30 days, 9 hours, 59 minutes left")
    assert '<script src="/static/js/countdown.js" defer></script>' in text
    assert "<script>" not in text and " style=" not in text and "onclick" not in text


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        (timedelta(days=1, hours=1, minutes=1, seconds=30), "1 day, 1 hour, 1 minute left"),
        (timedelta(hours=3, seconds=59), "3 hours, 0 minutes left"),
        (timedelta(minutes=5, seconds=10), "5 minutes left"),
        (timedelta(seconds=20), "0 minutes left"),
    ],
)
def test_the_countdown_leaves_out_leading_zero_units(client, left, expected):
    call_2031()

    text = page(client, "en", CLOSES - left)

    assert f">{expected}</p>" in text


def test_the_countdown_script_respects_reduced_motion_and_uses_the_data_attributes():
    script = (ROOT / "qpmusic/static/js/countdown.js").read_text()

    assert "prefers-reduced-motion: reduce" in script
    assert "Intl.PluralRules" in script
    assert "dataset.pattern" in script and "dataset.ended" in script


@pytest.mark.parametrize("phase", [EditionPhase.OPEN, EditionPhase.CLOSED, EditionPhase.JURY])
@pytest.mark.parametrize("language", ["de", "fr", "en"])
def test_after_the_deadline_the_call_is_shown_as_under_review(client, phase, language):
    call_2031(phase=phase)

    text = page(client, language, CLOSES + timedelta(seconds=1))

    assert "data-countdown" not in text
    assert "<time datetime" not in text
    assert "31" in text and "2031" in text
    if language == "en":
        assert "The applications are being reviewed" in text
        assert "Create an account to apply" not in text


@pytest.mark.parametrize(
    ("language", "amount"),
    [("de", "10.000\xa0€"), ("fr", "10\u202f000\xa0€"), ("en", "€10,000")],
)
def test_the_prize_amount_is_formatted_for_the_language(client, language, amount):
    call_2031()

    text = page(client, language, datetime(2031, 7, 1, tzinfo=UTC))

    assert amount in text


def test_who_may_apply_follows_the_editions_settings(client):
    call_2031(radius_km=40, max_works=2, work_age_limit=4)

    text = page(client, "en", datetime(2031, 7, 1, tzinfo=UTC))

    assert "within 40 km of one of them" in text
    assert "Up to 2 works, composed within the last 4 years." in text


@pytest.mark.parametrize("language", ["de", "fr"])
def test_who_may_apply_is_translated(client, language):
    call_2031(radius_km=40)

    text = page(client, language, datetime(2031, 7, 1, tzinfo=UTC))

    expected = translated(
        "Born, living, working or studying in one of the four cities or within %(km)d km of "
        "one of them.",
        language,
        km=40,
    )
    assert unescape(expected) in text


def test_the_rules_are_shown_as_paragraphs_without_raw_html(client):
    call_2031(rules_en="Send <b>three</b> works.\r\n\r\nOne per line:\nscore\nrecording")

    text = page(client, "en", datetime(2031, 7, 1, tzinfo=UTC))

    assert "<p>Send &lt;b&gt;three&lt;/b&gt; works.</p>" in text
    assert "<p>One per line:<br>score<br>recording</p>" in text


def test_the_call_to_action_depends_on_being_logged_in(client, auth, app):
    call_2031()
    UserFactory(email="musician@example.org", language="en")

    anonymous = page(client, "en", datetime(2031, 7, 1, tzinfo=UTC))
    auth.login("musician@example.org")
    logged_in = client.get("/").text

    assert 'href="/register">Create an account to apply</a>' in anonymous
    with app.test_request_context():
        target = url_for("applications.status")
    assert f'href="{target}">Go to my application</a>' in logged_in
    assert "Create an account to apply" not in logged_in


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.JUROR, Role.ADMIN])
def test_staff_are_not_sent_to_an_application_page_they_cannot_open(client, auth, role):
    call_2031()
    UserFactory(email="staff@example.org", language="en", role=role)
    auth.login("staff@example.org")

    # Today, not in 2031: a jump of years would outlive the login session.
    text = client.get("/?lang=en").text

    assert "Go to my application" not in text
    assert "Create an account to apply" not in text
    assert "Add the deadline to my calendar (.ics)" in text


def test_the_rules_have_an_anchor_for_the_consents_step(client):
    call_2031(rules_en="Send three works.")

    text = page(client, "en", datetime(2031, 7, 1, tzinfo=UTC))

    rules = text.split('<div id="rules" class="call-rules">', 1)[1]
    assert rules.index("Who may apply") < rules.index("Send three works.")


def test_the_archive_lists_published_winners_only(client):
    call_2031()
    published = EditionFactory(
        year=2023, phase=EditionPhase.PUBLISHED, title_en="QuattroPole Music Prize 2023"
    )
    AwardFactory(
        edition=published,
        application__edition=published,
        application__artist_name="Lumen Drift",
        statement_en="A luminous piece.\n\nBold and precise.",
    )
    AwardFactory(
        edition=published,
        application__edition=published,
        application__artist_name="Noise Garden",
        kind=AwardKind.SPECIAL,
    )
    unpublished = EditionFactory(year=2029, phase=EditionPhase.FINAL)
    AwardFactory(
        edition=unpublished, application__edition=unpublished, application__artist_name="Secret"
    )

    text = page(client, "en", datetime(2031, 7, 1, tzinfo=UTC))

    archive = text.split('id="archive-title"', 1)[1]
    assert "QuattroPole Music Prize 2023" in archive
    assert "Lumen Drift" in archive
    assert '<p class="award-statement">A luminous piece.</p>' in archive
    assert "Special prize" in archive and "Noise Garden" in archive
    assert archive.index("Lumen Drift") < archive.index("Noise Garden")
    assert "Secret" not in text
    assert "The results have not been published yet." in archive
    assert archive.index("2029") < archive.index("2023")


def test_without_a_call_the_archive_is_still_shown(client):
    past = EditionFactory(year=2023, phase=EditionPhase.ARCHIVED, title_en="Prize 2023")
    AwardFactory(edition=past, application__edition=past, application__artist_name="Lumen Drift")

    text = client.get("/?lang=en").text

    assert "No open call at the moment" in text
    assert "Lumen Drift" in text


@pytest.mark.parametrize("language", ["de", "fr", "en"])
def test_the_home_page_renders_in_every_state_and_language(client, language):
    call_2031()

    for moment in (datetime(2031, 1, 1, tzinfo=UTC), datetime(2031, 7, 1, tzinfo=UTC), CLOSES):
        page(client, language, moment)
