"""Pages of the screening feature: the list, the detail with decisions and notes, the CSV."""

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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from qpmusic.accounts.guards import role_required
from qpmusic.applications.models import Application
from qpmusic.editions.models import Edition
from qpmusic.editions.services import current_edition
from qpmusic.enums import ApplicationStatus, Role
from qpmusic.extensions import db
from qpmusic.screening import services, votes
from qpmusic.screening.detail import application_to_screen, screening_detail
from qpmusic.screening.export import screening_csv
from qpmusic.screening.forms import DecisionForm, FilterForm, NoteForm, VoteForm
from qpmusic.screening.labels import ACTION_LABELS, VOTE_LABELS
from qpmusic.screening.listing import (
    filter_cities,
    screening_editions,
    screening_list,
    screening_total,
)
from qpmusic.timestamps import utcnow

bp = Blueprint("screening", __name__)

screeners_only = role_required(Role.COORDINATOR, Role.ADMIN)


def _me():
    """The logged-in user itself, not the proxy, so it can be stored on a relationship."""
    return current_user._get_current_object()


def _language() -> str:
    return str(get_locale())


def _chosen_edition(editions: list[Edition]) -> Edition | None:
    """``?edition=<id>``, else the current call, else the newest edition there is."""
    asked = request.args.get("edition", type=int)
    if asked is not None:
        return next((e for e in editions if e.id == asked), None) or abort(404)
    current = current_edition()
    return current or (editions[0] if editions else None)


def _filter_form() -> FilterForm:
    form = FilterForm(request.args)
    form.city.choices = [SelectChoice("", _("All cities"))] + [
        SelectChoice(c.id, c.name(_language())) for c in filter_cities()
    ]
    return form


@bp.route("/screening/")
@screeners_only
def index():
    editions = screening_editions()
    edition = _chosen_edition(editions)
    form = _filter_form()
    wanted = form.to_filter()
    items = screening_list(edition, wanted) if edition else []
    with_withdrawn = wanted.status == ApplicationStatus.WITHDRAWN
    total = screening_total(edition, with_withdrawn=with_withdrawn) if edition else 0
    return render_template(
        "screening/index.html",
        editions=editions,
        edition=edition,
        form=form,
        wanted=wanted,
        items=items,
        total=total,
        tallies=votes.tallies(edition.id) if edition else votes.Tallies(),
    )


@bp.route("/screening/export.csv")
@screeners_only
def export():
    edition = _chosen_edition(screening_editions()) or abort(404)
    items = screening_list(edition, _filter_form().to_filter())
    body = screening_csv(items, language=_language())
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    filename = f"qpmusic-screening-{edition.year}-{stamp}.csv"
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Names and addresses: no shared cache keeps a copy.
            "Cache-Control": "private, no-store",
        },
    )


def _application_or_404(application_id: int) -> Application:
    return application_to_screen(application_id) or abort(404)


def _render_detail(application: Application, decision_form=None, note_form=None, vote_form=None):
    if decision_form is None:
        decision_form = DecisionForm(
            data={
                "decision": {
                    ApplicationStatus.ELIGIBLE: "eligible",
                    ApplicationStatus.INELIGIBLE: "ineligible",
                }.get(application.status),
                "reason": application.screening_reason,
            }
        )
    now = utcnow()
    return render_template(
        "screening/detail.html",
        **_vote_context(application, vote_form),
        detail=screening_detail(application),
        application=application,
        decision_form=decision_form,
        note_form=note_form or NoteForm(),
        can_decide=services.can_decide(application, now=now),
        not_started=services.screening_not_started(application, now=now),
        action_labels=ACTION_LABELS,
        screening_closed=services.screening_closed(application),
    )


@bp.route("/screening/<int:application_id>")
@screeners_only
def detail(application_id):
    return _render_detail(_application_or_404(application_id))


def _vote_context(application: Application, vote_form) -> dict:
    """The pre-selection round, everyone's votes, and the current user's own vote form."""
    round_ = votes.preselection_round(application.edition_id)
    all_votes = votes.votes_on(application, round_)
    mine = next((v for v in all_votes if v.juror_id == current_user.id), None)
    conflicted = votes.conflicted_reviewers(application) if all_votes else set()
    if vote_form is None and mine is not None:
        vote_form = VoteForm(
            data={
                "recommendation": mine.recommendation.value if mine.recommendation else None,
                "comment": mine.comment,
                "version": mine.version,
            }
        )
    return {
        "preselection": round_,
        "votes": all_votes,
        "tally": votes.tally_of(all_votes, conflicted=conflicted),
        "conflicted": conflicted,
        "my_vote": mine,
        "may_vote": votes.may_vote(application, round_, mine, conflicted=conflicted),
        "vote_form": vote_form,
        "vote_labels": VOTE_LABELS,
    }


def _done(application: Application, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("screening.detail", application_id=application.id))


def _refused(application: Application, error: services.ScreeningError):
    flash(str(error), "error")
    return redirect(url_for("screening.detail", application_id=application.id))


DECISIONS = {"eligible": services.mark_eligible, "ineligible": services.mark_ineligible}


@bp.route("/screening/<int:application_id>/decision", methods=["POST"])
@screeners_only
def decide(application_id):
    application = _application_or_404(application_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _render_detail(application, decision_form=form), 422
    try:
        DECISIONS[form.decision.data](
            application=application, actor=_me(), now=utcnow(), reason=form.reason.data
        )
    except services.ScreeningError as error:
        return _refused(application, error)
    return _done(application, _("The decision has been saved."))


@bp.route("/screening/<int:application_id>/notes", methods=["POST"])
@screeners_only
def add_note(application_id):
    application = _application_or_404(application_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_detail(application, note_form=form), 422
    try:
        services.add_note(application=application, author=_me(), body=form.body.data)
    except services.ScreeningError as error:
        return _refused(application, error)
    return _done(application, _("The note has been added."))


@bp.route("/screening/<int:application_id>/shortlist", methods=["POST"])
@screeners_only
def shortlist(application_id):
    application = _application_or_404(application_id)
    try:
        services.shortlist(application=application, actor=_me(), now=utcnow())
    except services.ScreeningError as error:
        return _refused(application, error)
    return _done(application, _("The application is on the shortlist."))


@bp.route("/screening/<int:application_id>/unshortlist", methods=["POST"])
@screeners_only
def remove_from_shortlist(application_id):
    application = _application_or_404(application_id)
    try:
        services.remove_from_shortlist(application=application, actor=_me(), now=utcnow())
    except services.ScreeningError as error:
        return _refused(application, error)
    return _done(application, _("The application has been taken off the shortlist."))


@bp.route("/screening/<int:application_id>/vote", methods=["POST"])
@screeners_only
def vote(application_id):
    application = _application_or_404(application_id)
    form = VoteForm()
    if not form.validate_on_submit():
        return _render_detail(application, vote_form=form), 422
    try:
        votes.cast_vote(
            application=application,
            actor=_me(),
            recommendation=form.recommendation.data,
            comment=form.comment.data,
            version=form.version.data,
            now=utcnow(),
        )
    except votes.VoteError as error:
        db.session.rollback()
        if not error.stale:
            return _refused(application, error)
        # Keep what was typed; the page shows the newer vote, and saving again replaces it.
        flash(str(error), "error")
        form.version.data = votes.current_version(application, _me())
        return _render_detail(application, vote_form=form), 409
    return _done(application, _("Your vote has been saved."))
