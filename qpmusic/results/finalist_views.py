"""The office's pages for choosing the finalists and sending the decision letters."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.routing import BuildError

from qpmusic.accounts.guards import role_required
from qpmusic.editions.models import Edition
from qpmusic.enums import Role, RoundKind
from qpmusic.extensions import db
from qpmusic.jury.models import Round
from qpmusic.notifications.models import NotificationBatch
from qpmusic.notifications.outbox import OUTBOX_LABELS
from qpmusic.results import finalists, letters
from qpmusic.results.finalist_forms import (
    LETTER_LABELS,
    METHOD_LABELS,
    ChooseFinalistsForm,
    SendLettersForm,
)
from qpmusic.timestamps import utcnow

bp = Blueprint("finalists", __name__)
admin_only = role_required(Role.ADMIN)
# The previewed e-mail is a whole HTML document with inline styles, shown in a sandboxed
# frame of the preview page; it may be framed by this site only and runs nothing.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'"
)


@bp.app_context_processor
def labels():
    return {
        "method_labels": METHOD_LABELS,
        "letter_labels": LETTER_LABELS,
        "outbox_labels": OUTBOX_LABELS,
    }


def _jury_round_or_404(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None or round_.kind != RoundKind.JURY:
        abort(404)
    return round_


def _edition_or_404(edition_id: int) -> Edition:
    return db.session.get(Edition, edition_id) or abort(404)


def _kind_or_404(kind: str) -> str:
    if kind not in letters.KINDS:
        abort(404)
    return kind


def _results_url(round_: Round) -> str | None:
    # The results page is built alongside; link to it once it exists.
    try:
        return url_for("results.index", round_id=round_.id)
    except BuildError:
        return None


@bp.route("/admin/rounds/<int:round_id>/finalists", methods=["GET", "POST"])
@admin_only
def choose(round_id):
    round_ = _jury_round_or_404(round_id)
    page = {"round": round_, "edition": round_.edition, "results_url": _results_url(round_)}
    if round_.frozen_at is not None:
        if request.method == "POST":
            flash(_("The finalists of this round have already been chosen."), "error")
            return redirect(url_for("finalists.choose", round_id=round_.id))
        decision = finalists.frozen_decision(round_)
        return render_template("results/finalists_chosen.html", decision=decision, **page)
    try:
        snapshot = finalists.check_can_choose(round_)
    except finalists.FinalistError as error:
        if request.method == "POST":
            flash(str(error), "error")
            return redirect(url_for("finalists.choose", round_id=round_.id))
        return render_template("results/finalists_choose.html", problem=error.message, **page)

    form = ChooseFinalistsForm()
    if form.validate_on_submit():
        try:
            finalists.choose_finalists(
                round_=round_,
                snapshot_id=form.snapshot_id.data,
                method=form.method.data,
                application_ids=form.finalists.data,
                reason=form.reason.data,
                actor=current_user._get_current_object(),
                now=utcnow(),
            )
        except finalists.FinalistError as error:
            if not form.show_error(error.field, error.message):
                flash(str(error), "error")
                return redirect(url_for("finalists.choose", round_id=round_.id))
        else:
            db.session.commit()
            flash(_("The finalists have been chosen; the round's result is frozen."), "success")
            return redirect(url_for("finalists.choose", round_id=round_.id))

    method = finalists.method_name(
        form.method.data if form.is_submitted() else request.args.get("method", "")
    ) or finalists.default_method(round_)
    proposal = finalists.propose(round_=round_, snapshot=snapshot, method=method)
    ticked = set(form.finalists.data or []) if form.is_submitted() else set(proposal.proposed)
    return render_template(
        "results/finalists_choose.html",
        problem=None,
        proposal=proposal,
        form=form,
        ticked=ticked,
        tie_break=finalists.tie_break_order(round_, snapshot),
        methods=finalists.METHODS,
        **page,
    )


@bp.route("/admin/editions/<int:edition_id>/letters", endpoint="letters")
@admin_only
def letters_page(edition_id):
    edition = _edition_or_404(edition_id)
    return render_template(
        "results/finalists_letters.html",
        edition=edition,
        groups=letters.groups(edition),
        forms={kind: SendLettersForm(formdata=None, prefix=kind) for kind in letters.KINDS},
    )


@bp.route("/admin/editions/<int:edition_id>/letters/<kind>/preview")
@admin_only
def preview(edition_id, kind):
    edition = _edition_or_404(edition_id)
    kind = _kind_or_404(kind)
    if request.args.get("part") == "html":
        language = request.args.get("language", "")
        if language not in letters.LANGUAGES:
            abort(404)
        letter = letters.preview(edition=edition, kind=kind, language=language) or abort(404)
        response = Response(letter.html, mimetype="text/html")
        response.headers["Content-Security-Policy"] = PREVIEW_POLICY
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response
    previews = [
        letters.preview(edition=edition, kind=kind, language=language)
        for language in letters.LANGUAGES
    ]
    return render_template(
        "results/finalists_preview.html",
        edition=edition,
        kind=kind,
        previews=[p for p in previews if p is not None],
        problem=letters.sending_problem(edition, kind),
    )


@bp.route("/admin/editions/<int:edition_id>/letters/<kind>", methods=["POST"])
@admin_only
def send(edition_id, kind):
    edition = _edition_or_404(edition_id)
    kind = _kind_or_404(kind)
    form = SendLettersForm(prefix=kind)
    if not form.validate_on_submit():
        flash(_("Please confirm that the letters should be sent."), "error")
        return redirect(url_for("finalists.letters", edition_id=edition.id))
    try:
        batch = letters.send_letters(
            edition=edition,
            kind=kind,
            actor=current_user._get_current_object(),
            only_new=form.only_new.data,
        )
    except letters.LetterError as error:
        flash(str(error), "error")
        return redirect(url_for("finalists.letters", edition_id=edition.id))
    db.session.commit()
    flash(
        ngettext("%(num)d letter is on its way.", "%(num)d letters are on their way.", batch.total),
        "success",
    )
    return redirect(url_for("finalists.batch", batch_id=batch.id))


@bp.route("/admin/letters/<int:batch_id>")
@admin_only
def batch(batch_id):
    # Any batch of letters, also the announcement sent when the results are published.
    batch = db.session.get(NotificationBatch, batch_id) or abort(404)
    return render_template(
        "results/finalists_batch.html",
        batch=batch,
        edition=db.session.get(Edition, batch.edition_id),
        progress=letters.batch_progress(batch),
    )
