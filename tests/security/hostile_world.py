"""Two editions whose every person-written text is an XSS attempt, and a crawler over their pages.

Each field gets its own label inside the same attack, so a test can tell where a text is shown:
``hostile("bio")`` is ``bio<script>…</script><img src=x onerror=…>"><svg onload=…>``.
"""

import re
from collections import deque
from dataclasses import dataclass
from urllib.parse import urldefrag, urlsplit

from markupsafe import escape

from qpmusic.enums import ConflictSource, ConflictType, EditionPhase, Role
from qpmusic.extensions import db
from qpmusic.jury.models import Conflict, DeliberationComment
from qpmusic.results.models import Award
from qpmusic.results.snapshots import compute_snapshot
from qpmusic.screening.models import ScreeningNote
from qpmusic.timestamps import utcnow
from tests.conftest import Auth
from tests.factories import JuryMemberFactory, UserFactory
from tests.results.export_builders import build_scene, final_ballot, media_file

ATTACK = '<script>alert(1)</script><img src=x onerror=alert(2)>"><svg onload=alert(3)>'
# What must never reach a page unescaped: each opens an element that runs script.
RAW_MARKERS = ("<script>alert(", "<img src=x onerror", "<svg onload")


def hostile(label: str) -> str:
    return f"{label}{ATTACK}"


def escaped(label: str) -> str:
    return str(escape(hostile(label)))


def raw_markers_in(text: str) -> list[str]:
    lowered = text.lower()
    return [marker for marker in RAW_MARKERS if marker in lowered]


LABELS = (
    "applicant-name",
    "juror-name",
    "artist",
    "bio",
    "work-title",
    "work-description",
    "techniques",
    "place",
    "basis-explanation",
    "screening-reason",
    "screening-note",
    "review-comment",
    "score-comment",
    "conflict-note",
    "deliberation",
    "statement",
    "file-name",
    "criterion",
)


@dataclass
class World:
    jury: object  # export_builders.Scene: a closed jury round, 2031
    published: object  # a published edition with a prize, 2032
    admin: object
    coordinator: object
    applicant: object  # the first application's applicant in the jury edition
    juror: object  # Ada, a juror of the jury edition's round
    media: object  # a file of the first application's work, named like an attack


def _poison(scene, *, suffix="") -> None:
    """Every text a person typed in ``scene`` becomes an attack with its own label."""
    first = scene.applications[0]
    first.applicant.name = hostile("applicant-name")
    first.artist_name = hostile("artist")
    first.biography = f"{hostile('bio')}\n\n{hostile('bio')}"
    first.screening_reason = hostile("screening-reason")
    work = first.works[0]
    work.title = hostile("work-title")
    work.description = hostile("work-description")
    work.techniques = hostile("techniques")
    basis = first.bases[0]
    basis.place_name = hostile("place")
    basis.explanation = hostile("basis-explanation")
    basis.manual = True
    first.screened_at = utcnow()
    first.screened_by = scene.jurors["Bruno"]
    scene.jurors["Ada"].name = hostile("juror-name")
    scene.criteria[0].label_en = hostile("criterion")
    scene.criteria[0].label_de = hostile("criterion")
    scene.criteria[0].label_fr = hostile("criterion")
    for (_juror, index), assignment in scene.assignments.items():
        if index == 0:
            assignment.comment = hostile("review-comment")
            for score in assignment.scores:
                score.comment = hostile("score-comment")
    db.session.add(
        Conflict(
            edition_id=scene.edition.id,
            juror_id=scene.jurors["Ada"].id,
            application_id=scene.applications[1].id,
            type=ConflictType.OTHER,
            note=hostile("conflict-note"),
            source=ConflictSource.APPLICANT,
        )
    )
    db.session.add(
        DeliberationComment(
            round_id=scene.round.id,
            application_id=first.id,
            author_id=scene.jurors["Bruno"].id,
            body=hostile("deliberation"),
        )
    )
    db.session.commit()
    # A real tally instead of the builder's hand-written one: the results pages read all of it.
    db.session.delete(scene.snapshot)
    db.session.commit()
    scene.snapshot = compute_snapshot(round_=scene.round, actor=None)
    db.session.commit()


def build_world() -> World:
    jury = build_scene(year=2031)
    _poison(jury)
    admin = UserFactory(role=Role.ADMIN, email="office@example.org", name="Olga Office")
    coordinator = JuryMemberFactory(
        edition=jury.edition,
        role=Role.COORDINATOR,
        city=jury.cities["Trier"],
        user__email="coord@example.org",
        user__language="en",
    ).user
    first = jury.applications[0]
    db.session.add(
        ScreeningNote(
            application_id=first.id, author_id=coordinator.id, body=hostile("screening-note")
        )
    )
    media = media_file(first.works[0], name=f"{hostile('file-name')}.flac")
    published = build_scene(year=2032)
    _poison(published)
    final_round = final_ballot(published)
    final_round.closed_at = utcnow()
    award = db.session.scalar(db.select(Award).where(Award.edition_id == published.edition.id))
    award.statement_de = award.statement_fr = award.statement_en = hostile("statement")
    published.edition.phase = EditionPhase.PUBLISHED
    db.session.commit()
    return World(
        jury=jury,
        published=published,
        admin=admin,
        coordinator=coordinator,
        applicant=first.applicant,
        juror=jury.jurors["Ada"],
        media=media,
    )


def logged_in(app, user):
    client = app.test_client()
    assert Auth(client).login(user.email).status_code == 302
    return client


LINK = re.compile(r"""(?:href|src|action)="([^"]+)\"""")
# Downloads have their own tests (test_downloads.py); the PDF and ZIP are slow to build.
SKIP = re.compile(r"^/(static/|logout)|/exports/(media\.zip|protocol\.pdf)|[?&]lang=")


@dataclass
class Visit:
    path: str
    status: int
    content_type: str
    headers: object
    text: str


def crawl(client, seeds, limit=250) -> list[Visit]:
    """Every same-site page reachable from ``seeds`` by links, fetched with GET once."""
    queue, seen, visits = deque(seeds), set(seeds), []
    while queue and len(visits) < limit:
        path = queue.popleft()
        response = client.get(path)
        is_html = response.mimetype == "text/html"
        text = response.get_data(as_text=True) if is_html or response.is_json else ""
        visits.append(Visit(path, response.status_code, response.mimetype, response.headers, text))
        if not is_html:
            continue
        for link in LINK.findall(text):
            link = urldefrag(link.replace("&amp;", "&"))[0]
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not link.startswith("/") or SKIP.search(link):
                continue
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return visits
