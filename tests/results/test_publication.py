"""Publishing: guarded, sets the phase, announces once to every applicant; the public page."""

import re
import time
from contextlib import contextmanager
from html import unescape

from sqlalchemy import event, func, select

from qpmusic.editions.phases import change_phase
from qpmusic.enums import ApplicationStatus, EditionPhase
from qpmusic.extensions import db
from qpmusic.notifications.models import NotificationBatch, OutboxMessage
from tests.factories import ScoreFactory
from tests.mail_sink import html_of, text_of
from tests.results.ballot_builders import (
    award_form,
    client_for,
    closed_ballot,
    final_edition,
    submitted,
)


def text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(page))


def awarded(app, final, special=None, **statements):
    a, b, c = final.finalists
    closed_ballot(app, final, [{a: 1, b: 2, c: 3}])
    admin = client_for(app, final.admin)
    response = admin.post(
        f"/admin/editions/{final.edition.id}/awards",
        data=award_form(a, special=special, **statements),
    )
    assert response.status_code == 302
    return admin


def publish(client, edition):
    return client.post(f"/admin/editions/{edition.id}/publish")


def phase(edition) -> EditionPhase:
    db.session.refresh(edition)
    return edition.phase


def batches(edition) -> int:
    return db.session.scalar(
        select(func.count()).select_from(NotificationBatch).filter_by(edition_id=edition.id)
    )


def test_publishing_without_an_award_is_refused_with_the_reason(app):
    final = final_edition()
    admin = client_for(app, final.admin)

    response = publish(admin, final.edition)

    assert response.status_code == 302
    page = admin.get(response.location)
    assert "Error: Record the prize winner before publishing the results." in text(page)
    assert phase(final.edition) == EditionPhase.FINAL
    assert final.edition.published_at is None
    assert batches(final.edition) == 0


def test_publishing_needs_every_statement_in_three_languages(app):
    final = final_edition()
    admin = awarded(app, final, prize_fr="")

    page = admin.get(f"/admin/editions/{final.edition.id}/awards")
    publish(admin, final.edition)

    assert "Every award needs the jury's statement in German, French and English." in text(page)
    assert phase(final.edition) == EditionPhase.FINAL


def test_publishing_sets_the_phase_and_announces_once_to_each_applicant_in_their_language(
    app, mailbox
):
    final = final_edition()
    edition = final.edition
    others = {
        submitted(edition, ApplicationStatus.NOT_FINALIST, "Drumlin", language="fr"): "fr",
        submitted(edition, ApplicationStatus.INELIGIBLE, "Esker", language="en"): "en",
    }
    submitted(edition, ApplicationStatus.DRAFT, "Fjord")  # never sent in: no announcement
    submitted(edition, ApplicationStatus.WITHDRAWN, "Geyser")  # took it back: none either
    admin = awarded(app, final)
    expected = {a.applicant.email: "de" for a in final.finalists}
    expected |= {a.applicant.email: lang for a, lang in others.items()}

    response = publish(admin, edition)

    assert response.status_code == 302
    assert phase(edition) == EditionPhase.PUBLISHED
    assert edition.published_at is not None
    batch = db.session.scalar(select(NotificationBatch))
    assert (batch.kind, batch.total) == ("announcement", 5)
    assert (
        db.session.scalar(
            select(func.count()).select_from(OutboxMessage).filter_by(batch_id=batch.id)
        )
        == 5
    )
    sent = mailbox.wait_for(5)
    assert sorted(m["To"] for m in sent) == sorted(expected)
    for message in sent:
        language = expected[message["To"]]
        assert message["Content-Language"] == language
        assert f'<html lang="{language}">' in html_of(message)
        assert "Aurora" in text_of(message)
        assert f"http://localhost/editions/{edition.year}" in text_of(message)

    # Publishing again, even after going back a phase to correct something, mails nobody.
    assert publish(admin, edition).status_code == 302
    change_phase(edition=edition, to=EditionPhase.FINAL, actor=None, reason="Typo in a statement")
    db.session.commit()
    assert publish(admin, edition).status_code == 302
    assert phase(edition) == EditionPhase.PUBLISHED
    time.sleep(0.5)
    assert len(mailbox.messages) == 5
    assert batches(edition) == 1


def test_the_public_page_is_404_before_publication(app):
    final = final_edition()
    awarded(app, final)

    assert app.test_client().get(f"/editions/{final.edition.year}").status_code == 404
    assert app.test_client().get("/editions/1999").status_code == 404


def test_the_public_page_in_german_french_and_english(app):
    final = final_edition()
    a = final.finalists[0]
    special = submitted(final.edition, ApplicationStatus.NOT_FINALIST, "Drumlin")
    ScoreFactory(assignment__round__edition=final.edition, assignment__application=a, value=9)
    statements = {
        "special_de": "Für eine mutige Stimme.",
        "special_fr": "Pour une voix audacieuse.",
        "special_en": "For a daring voice.",
    }
    admin = awarded(app, final, special=special, **statements)
    publish(admin, final.edition)
    visitor = app.test_client()
    url = f"/editions/{final.edition.year}"

    pages = {lang: visitor.get(f"{url}?lang={lang}") for lang in ("de", "fr", "en")}

    assert all(page.status_code == 200 for page in pages.values())
    assert "Die Jury ehrt eine Klangwelt von großer Kühnheit." in text(pages["de"])
    assert "Für eine mutige Stimme." in text(pages["de"])
    assert "Le jury salue un univers sonore d'une grande audace." in text(pages["fr"])
    assert "Pour une voix audacieuse." in text(pages["fr"])
    english = text(pages["en"])
    assert "The jury honours a sound world of great daring." in english
    assert "Prize winner Aurora" in english
    assert "Special prize Drumlin" in english
    assert "The finalists Aurora Aurora: Opus 1" in english
    assert "Basalt: Opus 1" in english and "Cirrus: Opus 1" in english
    assert 'href="https://video.example.org/study"' in pages["en"].get_data(as_text=True)
    for member in final.jurors:
        assert f"{member.user.name} · {member.city.name_en}" in english
    # Nothing private: no e-mail address, no reference number, no score.
    html = pages["en"].get_data(as_text=True)
    assert "@" not in html
    assert "QP-" not in html
    assert "Score" not in html and "score" not in html


def test_the_home_page_archive_links_to_the_public_page(app):
    final = final_edition()
    admin = awarded(app, final)
    publish(admin, final.edition)

    home = app.test_client().get("/?lang=en").get_data(as_text=True)

    assert f'<a href="/editions/{final.edition.year}">' in home


@contextmanager
def statements_until_commit():
    """The SQL statements run until the first commit (the e-mails are sent after it)."""
    statements, committed = [], []

    def record(_conn, _cursor, statement, *_args):
        if not committed:
            statements.append(statement.split(None, 1)[0].upper())

    def commit(_conn):
        committed.append(True)

    event.listen(db.engine, "before_cursor_execute", record)
    event.listen(db.engine, "commit", commit)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
        event.remove(db.engine, "commit", commit)


def test_publishing_reads_the_same_for_3_and_30_applicants(app):
    counts = {}
    for applicants in (3, 30):
        final = final_edition()
        for n in range(applicants - 3):
            submitted(final.edition, ApplicationStatus.NOT_FINALIST, f"{n:04d} Other")
        admin = awarded(app, final)
        with statements_until_commit() as statements:
            assert publish(admin, final.edition).status_code == 302
        assert batches(final.edition) == 1
        counts[applicants] = statements

    few, many = counts[3], counts[30]
    assert few.count("SELECT") == many.count("SELECT")
    # Writes grow by the outbox row of each letter, nothing else.
    assert (many.count("INSERT") - few.count("INSERT"), len(many) - len(few)) == (27, 27)
