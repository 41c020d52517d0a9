"""The office's results of a jury round: the tally in force, its charts, each number explained."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from qpmusic.accounts.guards import role_required
from qpmusic.accounts.models import User
from qpmusic.enums import Role, RoundKind
from qpmusic.extensions import db
from qpmusic.jury.models import Round
from qpmusic.jury.progress import round_for_office
from qpmusic.results import charts, explain
from qpmusic.results.models import ResultSnapshot
from qpmusic.results.snapshots import (
    TallyRefused,
    conflict_counts,
    newest_snapshot,
    queue_snapshot,
    refusal,
    snapshot_in_force,
    snapshot_list,
)

bp = Blueprint("results", __name__)


def _round_or_404(round_id: int) -> Round:
    # Only a jury round is tallied; the final round's snapshots hold ballots, not scores.
    round_ = round_for_office(round_id)
    if round_ is None or round_.kind != RoundKind.JURY:
        abort(404)
    return round_


def _snapshot(round_: Round, in_force: ResultSnapshot | None) -> ResultSnapshot | None:
    """The snapshot asked for (``?snapshot=``, one of this round's), else the one in force.

    Without one in force (the reviews or conflicts changed since), the newest, flagged stale.
    """
    wanted = request.args.get("snapshot", type=int)
    if wanted is None:
        return in_force or newest_snapshot(round_.id)
    snapshot = db.session.get(ResultSnapshot, wanted)
    if snapshot is None or snapshot.round_id != round_.id:
        abort(404)
    return snapshot


def _number(value: float) -> str:
    return format_decimal(value, format="#,##0.00")


def _charts(snapshot: ResultSnapshot, names: explain.Names, bias: list[dict]) -> dict:
    scale = explain.scale(snapshot)
    # Review totals repeat a lot (a few scale points, few weights): each is formatted once.
    formatted: dict[float, str] = {}

    def number(value: float) -> str:
        if value not in formatted:
            formatted[value] = _number(value)
        return formatted[value]

    per_juror = explain.juror_totals(snapshot)
    jurors = sorted(per_juror, key=names.juror)
    calibration = charts.calibration_chart(
        chart_id="chart-calibration",
        title=_("Calibration: each juror's review totals against the whole jury's"),
        description=_(
            "One row per juror and one for the jury: each dot is a review total, the box spans "
            "the middle half of the totals, the thick bar is the median; the number on the "
            "right is the mean and the number of reviews. The table below gives the same figures."
        ),
        axis_caption=_("Weighted review total"),
        jurors=[charts.Distribution(names.juror(j), tuple(per_juror[j])) for j in jurors],
        jury=charts.Distribution(_("Whole jury"), tuple(t for j in jurors for t in per_juror[j])),
        scale=scale,
        fmt=number,
    )
    home_bias = charts.home_bias_chart(
        chart_id="chart-home-bias",
        title=_(
            "Home-city bias: each juror's mean for applicants near their own city and for the rest"
        ),
        description=_(
            "Two bars per juror: solid black for applicants whose nearest city is the juror's "
            "own, hatched for all others, with the mean and number of reviews on the right."
        ),
        axis_caption=_("Mean weighted total"),
        home_caption=_("Near the juror's own city"),
        rest_caption=_("Other applicants"),
        rows=[
            charts.BiasRow(
                f"{names.juror(b['juror_id'])} ({names.city(b['city_id'])})",
                b["home"],
                b["home_count"],
                b["rest"],
                b["rest_count"],
            )
            for b in sorted(bias, key=lambda b: names.juror(b["juror_id"]))
        ],
        scale=scale,
        fmt=number,
    )
    spread = charts.spread_chart(
        chart_id="chart-spread",
        title=_("Disagreement: the spread of the review totals of each application"),
        description=_(
            "One bar per application in the order of the final rank: the standard deviation "
            "of its counted review totals. A long bar means the jurors disagreed."
        ),
        axis_caption=_("Standard deviation of the review totals"),
        rows=[
            charts.SpreadRow(names.application(row["application_id"]), row["spread"])
            for row in snapshot.rows
        ],
        fmt=number,
    )
    return {"calibration": calibration, "home_bias": home_bias, "spread": spread}


@bp.route("/admin/rounds/<int:round_id>/results")
@role_required(Role.ADMIN)
def index(round_id):
    round_ = _round_or_404(round_id)
    in_force = snapshot_in_force(round_)
    snapshot = _snapshot(round_, in_force)
    context = {
        "round": round_,
        "snapshot": snapshot,
        "snapshots": snapshot_list(round_.id),
        "in_force": in_force,
    }
    if snapshot is not None:
        language = str(get_locale())
        names = explain.load_names(snapshot, language)
        homes = explain.home_cities(snapshot.parameters.get("application_ids", []))
        bias = explain.home_bias(snapshot, homes)
        tallied = {row["application_id"] for row in snapshot.rows}
        abstentions: dict[int, list] = {}
        for juror_id, app_id, status in explain.abstentions(snapshot):
            abstentions.setdefault(app_id, []).append((names.juror(juror_id), status))
        context.update(
            names=names,
            computed_by=snapshot.computed_by_id and db.session.get(User, snapshot.computed_by_id),
            sentences=explain.method_sentences(snapshot, names),
            outlier_sentence=explain.outlier_sentence(snapshot),
            abstentions=abstentions,
            conflicts=conflict_counts(snapshot),
            untallied=[
                a for a in snapshot.parameters.get("application_ids", []) if a not in tallied
            ],
            jurors=sorted(snapshot.jurors, key=lambda j: names.juror(j["juror_id"])),
            bias={b["juror_id"]: b for b in bias},
            charts=_charts(snapshot, names, bias),
        )
    return render_template(
        "results/results_index.html",
        **context,
        method_labels=explain.METHOD_LABELS,
        flag_labels=explain.FLAG_LABELS,
        refusal=refusal(round_),
    )


@bp.route("/admin/rounds/<int:round_id>/results", methods=["POST"])
@role_required(Role.ADMIN)
def compute(round_id):
    round_ = _round_or_404(round_id)
    try:
        queue_snapshot(round_=round_, actor=current_user._get_current_object())
    except TallyRefused as refused:
        flash(str(refused.message), "error")
        return redirect(url_for("results.index", round_id=round_.id))
    db.session.commit()
    flash(
        _("The tally is being computed; the newest result is shown below once it is ready."),
        "success",
    )
    return redirect(url_for("results.index", round_id=round_.id))


@bp.route("/admin/rounds/<int:round_id>/results/<int:application_id>", endpoint="explain")
@role_required(Role.ADMIN)
def explain_application(round_id, application_id):
    round_ = _round_or_404(round_id)
    snapshot = _snapshot(round_, snapshot_in_force(round_)) or abort(404)
    names = explain.load_names(snapshot, str(get_locale()))
    explanation = explain.application_explanation(snapshot, application_id, names) or abort(404)
    return render_template(
        "results/results_explain.html",
        round=round_,
        snapshot=snapshot,
        names=names,
        application_id=application_id,
        x=explanation,
        criteria=snapshot.parameters.get("criteria", []),
        method_labels=explain.METHOD_LABELS,
    )
