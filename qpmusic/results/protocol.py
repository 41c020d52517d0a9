"""The jury protocol: rules applied, results, conflicts, abstentions, listening, ballot, signatures.

Rendered to PDF by WeasyPrint from templates/results/protocol.html, in the language asked for,
with no network access: everything it shows comes from the database and the installed fonts.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from weasyprint import HTML, URLFetcher

from qpmusic.accounts.models import User
from qpmusic.applications.models import Application
from qpmusic.editions.models import Criterion, Edition
from qpmusic.enums import AssignmentStatus, AwardKind, Role, RoundKind
from qpmusic.extensions import db
from qpmusic.jury.conflicts import CONFLICT_TYPE_LABELS, effective_conflicts
from qpmusic.jury.models import Assignment, Conflict, JuryMember, Round
from qpmusic.jury.progress import round_progress
from qpmusic.jury.round_forms import ASSIGNMENT_STATUS_LABELS
from qpmusic.jury.rounds import current_round
from qpmusic.results.exports import METHODS, method_label, ranked_rows
from qpmusic.results.models import Award, ResultSnapshot
from qpmusic.results.protocol_ballot import BallotSummary, ballot_summary
from qpmusic.results.snapshots import conflict_counts, snapshot_to_show
from qpmusic.timestamps import utcnow

LANGUAGES = ("de", "fr", "en")
# Why the tally left a juror's totals as they were (codes from qpmusic.results.tally).
FLAG_LABELS = {
    "too_few_reviews": _l("too few reviews to normalize"),
    "no_spread": _l("all totals equal, nothing to normalize"),
}


@dataclass
class ResultLine:
    rank: int | None
    tie: bool
    reference: str
    artist: str
    scores: list[tuple[float | None, int | None]]  # (score, rank) per method, in METHODS order
    spread: float | None
    reviews: int | None
    conflicts: int  # in force with the application when tallied, reviewed or not


@dataclass
class Person:
    name: str
    city: str = ""


@dataclass
class Line:
    """A juror and an application: a conflict, an abstention or a flag."""

    reference: str
    juror: str
    detail: str = ""


@dataclass
class Protocol:
    edition: Edition
    language: str
    round: Round | None
    snapshot: ResultSnapshot | None
    criteria: list[Criterion]
    tie_break: list[str]
    outlier_k: float | None
    min_reviews: int
    method: str | None
    methods: list[str] = field(default_factory=list)
    results: list[ResultLine] = field(default_factory=list)
    unnormalized: list[Line] = field(default_factory=list)
    outliers: int = 0  # reviews the outlier rule left out
    conflicts: list[Line] = field(default_factory=list)
    abstentions: list[Line] = field(default_factory=list)
    listening: list[tuple[Person, float | None]] = field(default_factory=list)
    ballot: BallotSummary | None = None
    awards: list[tuple[Award, Application]] = field(default_factory=list)
    signatories: list[Person] = field(default_factory=list)
    generated_at: datetime = field(default_factory=utcnow)


def _names(user_ids) -> dict[int, str]:
    ids = set(user_ids)
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _references(application_ids) -> dict[int, Application]:
    ids = set(application_ids)
    if not ids:
        return {}
    query = select(Application).where(Application.id.in_(ids))
    return {a.id: a for a in db.session.scalars(query)}


def _result_lines(snapshot: ResultSnapshot) -> list[ResultLine]:
    applications = _references(row["application_id"] for row in snapshot.rows)
    conflicts = conflict_counts(snapshot)
    lines = []
    for row in ranked_rows(snapshot):
        application = applications.get(row["application_id"])
        ranks = row.get("ranks") or {}
        lines.append(
            ResultLine(
                rank=row.get("rank"),
                tie=bool(row.get("tie")),
                reference=application.reference if application else f"#{row['application_id']}",
                artist=application.artist_name if application else "",
                scores=[(row.get(m), ranks.get(m)) for m in METHODS],
                spread=row.get("spread"),
                reviews=row.get("reviews"),
                conflicts=conflicts.get(row["application_id"], 0),
            )
        )
    return lines


def _unnormalized(snapshot: ResultSnapshot) -> list[Line]:
    flagged = [j for j in snapshot.jurors or [] if j.get("flags")]
    names = _names(j["juror_id"] for j in flagged)
    return [
        Line(
            "",
            names.get(j["juror_id"], f"#{j['juror_id']}"),
            ", ".join(str(FLAG_LABELS.get(flag, flag)) for flag in j["flags"]),
        )
        for j in flagged
    ]


def _lines(triples) -> list[Line]:
    """(juror_id, application_id, detail) as lines with names and references, in two queries."""
    triples = list(triples)
    names = _names(j for j, _, _ in triples)
    applications = _references(a for _, a, _ in triples)
    lines = [
        Line(
            applications[a].reference or f"#{a}" if a in applications else f"#{a}",
            names.get(j, f"#{j}"),
            detail,
        )
        for j, a, detail in triples
    ]
    return sorted(lines, key=lambda line: (line.reference, line.juror.casefold()))


def _conflicts(edition: Edition, snapshot: ResultSnapshot | None) -> list[Line]:
    """The conflicts in force, as the tally saw them if there is one, with their kind."""
    conflicts = {
        (c.juror_id, c.application_id): c
        for c in db.session.scalars(select(Conflict).where(Conflict.edition_id == edition.id))
    }
    parameters = (snapshot.parameters if snapshot else None) or {}
    if "conflicts" in parameters:
        pairs = [tuple(pair) for pair in parameters["conflicts"]]
    else:
        pairs = [pair for pair, conflict in conflicts.items() if conflict.is_effective]
    return _lines(
        (j, a, str(CONFLICT_TYPE_LABELS[conflicts[j, a].type]) if (j, a) in conflicts else "")
        for j, a in pairs
    )


def _abstentions(round_: Round, snapshot: ResultSnapshot | None) -> list[Line]:
    """Reviews assigned but not finalized, conflicts aside: they did not count."""
    parameters = (snapshot.parameters if snapshot else None) or {}
    if "abstentions" in parameters:
        triples = [tuple(t) for t in parameters["abstentions"]]
    else:
        conflicted = effective_conflicts(round_.edition_id)
        rows = db.session.execute(
            select(Assignment.juror_id, Assignment.application_id, Assignment.status).where(
                Assignment.round_id == round_.id, Assignment.status != AssignmentStatus.FINAL
            )
        )
        triples = [(j, a, status) for j, a, status in rows if (j, a) not in conflicted]
    return _lines(
        (j, a, str(ASSIGNMENT_STATUS_LABELS.get(AssignmentStatus(status), status)))
        for j, a, status in triples
    )


def _signatories(edition: Edition, language: str) -> list[Person]:
    members = db.session.scalars(
        select(JuryMember)
        .options(joinedload(JuryMember.user), joinedload(JuryMember.city))
        .where(JuryMember.edition_id == edition.id, JuryMember.role == Role.JUROR)
    ).all()
    people = [Person(m.user.display_name, m.city.name(language) if m.city else "") for m in members]
    return sorted(people, key=lambda p: (p.city.casefold(), p.name.casefold()))


def _awards(edition: Edition) -> list[tuple[Award, Application]]:
    awards = db.session.scalars(
        select(Award).options(joinedload(Award.application)).where(Award.edition_id == edition.id)
    ).all()
    order = {AwardKind.PRIZE: 0, AwardKind.SPECIAL: 1}
    return [(a, a.application) for a in sorted(awards, key=lambda a: (order[a.kind], a.id))]


def build_protocol(edition: Edition, *, language: str) -> Protocol:
    """Everything the protocol shows, gathered in a fixed number of queries."""
    round_ = current_round(edition.id, RoundKind.JURY)
    # The tally the finalists came from once frozen, else the current one, else the newest.
    snapshot = snapshot_to_show(round_) if round_ else None
    parameters = (snapshot.parameters if snapshot else None) or {}
    outlier_k = parameters.get("outlier_k", round_.outlier_k if round_ else None)
    protocol = Protocol(
        edition=edition,
        language=language,
        round=round_,
        snapshot=snapshot,
        criteria=list(edition.criteria),
        tie_break=[
            method_label(m)
            for m in parameters.get("tie_break") or (round_.tie_break if round_ else [])
        ],
        outlier_k=float(outlier_k) if outlier_k is not None else None,
        min_reviews=int(parameters.get("min_reviews") or 3),
        method=method_label(round_.result_method) if round_ and round_.result_method else None,
        methods=[method_label(m) for m in METHODS],
        awards=_awards(edition),
        signatories=_signatories(edition, language),
    )
    protocol.conflicts = _conflicts(edition, snapshot)
    if snapshot:
        protocol.results = _result_lines(snapshot)
        protocol.unnormalized = _unnormalized(snapshot)
        protocol.outliers = sum(len(row.get("outliers") or []) for row in snapshot.rows)
    if round_:
        progress = round_progress(round_, language=language)
        protocol.abstentions = _abstentions(round_, snapshot)
        protocol.listening = [
            (Person(r.name, r.city_name), r.heard) for r in progress.reviewers if r.tally.reviews
        ]
    final_round = current_round(edition.id, RoundKind.FINAL)
    if final_round:
        protocol.ballot = ballot_summary(final_round)
    return protocol


def offline_fetcher() -> URLFetcher:
    """Refuses every URL but inline data: the protocol never reaches the network or the disk."""
    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)


def protocol_html(edition: Edition, *, language: str) -> str:
    with force_locale(language):
        protocol = build_protocol(edition, language=language)
        return render_template("results/protocol.html", protocol=protocol)


def protocol_pdf(edition: Edition, *, language: str) -> bytes:
    """The protocol as a PDF in ``language`` (de, fr or en), fonts embedded."""
    html = protocol_html(edition, language=language)
    return HTML(string=html, url_fetcher=offline_fetcher()).write_pdf()
