"""The office's exports as tables: an edition's applications, a round's reviews and results."""

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from qpmusic.applications.labels import BASIS_LABELS, STATUS_LABELS
from qpmusic.applications.models import Application, EligibilityBasis
from qpmusic.editions.models import Edition
from qpmusic.enums import ApplicationStatus, RoundKind
from qpmusic.extensions import db
from qpmusic.jury.conflicts import effective_conflicts
from qpmusic.jury.models import Assignment, JuryMember, Round
from qpmusic.jury.progress import round_progress
from qpmusic.jury.round_forms import ASSIGNMENT_STATUS_LABELS
from qpmusic.results.models import ResultSnapshot
from qpmusic.results.snapshots import conflict_counts, snapshot_to_show
from qpmusic.results.spreadsheets import Table

METHODS = ("raw_mean", "raw_median", "normalized", "city_balanced")
METHOD_LABELS = {
    "raw_mean": _l("Raw mean"),
    "raw_median": _l("Median"),
    # Round.tie_break's default names the median "median".
    "median": _l("Median"),
    "normalized": _l("Normalized"),
    "city_balanced": _l("City-balanced"),
}


def method_label(name: str) -> str:
    return str(METHOD_LABELS.get(name, name))


def jury_rounds(edition_id: int) -> list[Round]:
    """The rounds whose reviews carry scores (the jury round; pre-selection has votes)."""
    return list(
        db.session.scalars(
            select(Round)
            .where(Round.edition_id == edition_id, Round.kind == RoundKind.JURY)
            .order_by(Round.id)
        )
    )


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def _basis_text(basis: EligibilityBasis, language: str) -> str:
    text = f"{BASIS_LABELS[basis.kind]} {basis.place_name}"
    details = []
    if basis.nearest_city is not None:
        details.append(basis.nearest_city.name(language))
    if basis.distance_km is not None:
        details.append(f"{round(basis.distance_km)} km")
    return f"{text} ({', '.join(details)})" if details else text


def applications_table(edition: Edition, *, language: str) -> Table:
    """Every application past its draft, with contact, eligibility and works, in three queries."""
    applications = db.session.scalars(
        select(Application)
        .options(
            joinedload(Application.applicant),
            selectinload(Application.bases).joinedload(EligibilityBasis.nearest_city),
            selectinload(Application.works),
        )
        .where(Application.edition_id == edition.id, Application.status != ApplicationStatus.DRAFT)
        .order_by(Application.reference.nulls_last(), Application.id)
    ).all()
    table = Table(
        title=_("Applications"),
        headers=[
            _("Reference"),
            _("Status"),
            _("Artist name"),
            _("Applicant"),
            _("E-mail address"),
            _("Language"),
            _("Eligibility bases"),
            _("Works"),
            _("Submitted at"),
        ],
    )
    for application in applications:
        table.rows.append(
            [
                application.reference,
                str(STATUS_LABELS[application.status]),
                application.artist_name,
                application.applicant.name,
                application.contact_email or application.applicant.email,
                application.applicant.language,
                "; ".join(_basis_text(b, language) for b in application.bases),
                "; ".join(work.title for work in application.works),
                application.submitted_at,
            ]
        )
    return table


def weighted_total(values: dict[int, Decimal | None], weights: dict[int, Decimal]) -> float | None:
    """Σ weight·value / Σ weight over the criteria scored; None when nothing is scored."""
    scored = [(weights[c], v) for c, v in values.items() if v is not None and c in weights]
    total_weight = sum(w for w, _ in scored)
    if not scored or not total_weight:
        return None
    return float(sum(w * v for w, v in scored) / total_weight)


def normalized_totals(snapshot: ResultSnapshot | None) -> dict[tuple[int, int], float | None]:
    """(application_id, juror_id) → the review's normalized total in the snapshot."""
    totals = {}
    for row in snapshot.rows if snapshot else []:
        for juror_id, _total, normalized in row.get("review_totals") or []:
            totals[(row["application_id"], juror_id)] = normalized
    return totals


def reviews_table(round_: Round, *, language: str) -> Table:
    """One row per reviewer and application: scores, totals, state, conflict, listening."""
    edition = round_.edition
    criteria = list(edition.criteria)
    weights = {c.id: c.weight for c in criteria}
    assignments = db.session.scalars(
        select(Assignment)
        .options(
            joinedload(Assignment.juror),
            joinedload(Assignment.application),
            selectinload(Assignment.scores),
        )
        .where(Assignment.round_id == round_.id)
    ).all()
    assignments = sorted(
        assignments,
        key=lambda a: (
            a.application.reference or "",
            a.application_id,
            a.juror.display_name.casefold(),
        ),
    )
    cities = {
        member.user_id: member.city.name(language)
        for member in db.session.scalars(
            select(JuryMember)
            .options(joinedload(JuryMember.city))
            .where(JuryMember.edition_id == edition.id, JuryMember.city_id.is_not(None))
        )
    }
    conflicts = effective_conflicts(edition.id)
    normalized = normalized_totals(snapshot_to_show(round_))
    heard = listening_shares(round_, language=language)
    table = Table(
        title=_("Reviews"),
        headers=[
            _("Reference"),
            _("Juror"),
            _("City"),
            *(c.label(language) for c in criteria),
            _("Weighted total"),
            _("Normalized total"),
            _("Status"),
            _("Conflict"),
            _("Listening share (%)"),
        ],
    )
    for a in assignments:
        values = {score.criterion_id: score.value for score in a.scores}
        pair = (a.juror_id, a.application_id)
        share = heard.get(pair)
        table.rows.append(
            [
                a.application.reference,
                a.juror.display_name,
                cities.get(a.juror_id, ""),
                *(_number(values.get(c.id)) for c in criteria),
                weighted_total(values, weights),
                normalized.get((a.application_id, a.juror_id)),
                str(ASSIGNMENT_STATUS_LABELS[a.status]),
                _("yes") if pair in conflicts else _("no"),
                round(100 * share) if share is not None else None,
            ]
        )
    return table


def listening_shares(round_: Round, *, language: str) -> dict[tuple[int, int], float | None]:
    """(juror_id, application_id) → share of the application's recordings the juror heard."""
    progress = round_progress(round_, language=language)
    reviewers = progress.reviewers
    return {
        (reviewer.user_id, row.application_id): cell.heard
        for row in progress.rows
        for reviewer, cell in zip(reviewers, row.cells, strict=True)
    }


def snapshot_applications(snapshot: ResultSnapshot) -> dict[int, Application]:
    ids = [row["application_id"] for row in snapshot.rows]
    return {a.id: a for a in db.session.scalars(select(Application).where(Application.id.in_(ids)))}


def ranked_rows(snapshot: ResultSnapshot) -> list[dict]:
    return sorted(
        snapshot.rows,
        key=lambda row: (row.get("rank") is None, row.get("rank") or 0, row["application_id"]),
    )


def results_table(snapshot: ResultSnapshot) -> Table:
    """The snapshot's rows by final rank: scores and rank by each method, spread, ties."""
    applications = snapshot_applications(snapshot)
    conflicts = conflict_counts(snapshot)
    table = Table(
        title=_("Results"),
        headers=[
            _("Rank"),
            _("Jury decides (tie)"),
            _("Reference"),
            _("Artist name"),
            *(method_label(m) for m in METHODS),
            *(_("Rank: %(method)s", method=method_label(m)) for m in METHODS),
            _("Spread"),
            _("Reviews"),
            _("Conflicts"),
        ],
    )
    for row in ranked_rows(snapshot):
        application = applications.get(row["application_id"])
        ranks = row.get("ranks") or {}
        table.rows.append(
            [
                row.get("rank"),
                _("yes") if row.get("tie") else _("no"),
                application.reference if application else f"#{row['application_id']}",
                application.artist_name if application else "",
                *(row.get(m) for m in METHODS),
                *(ranks.get(m) for m in METHODS),
                row.get("spread"),
                row.get("reviews"),
                conflicts.get(row["application_id"], 0),
            ]
        )
    return table
