"""Translated names of the audit actions in an application's history, and of votes."""

from flask_babel import lazy_gettext as _l

from qpmusic.enums import Recommendation

# Actions recorded by other features show under their technical name until named here.
ACTION_LABELS = {
    "application.marked_eligible": _l("Marked eligible"),
    "application.marked_ineligible": _l("Marked not eligible"),
    "application.shortlisted": _l("Put on the shortlist"),
    "application.removed_from_shortlist": _l("Taken off the shortlist"),
    "application.note_added": _l("Note added"),
    "application.preselection_vote": _l("Pre-selection vote"),
}

VOTE_LABELS = {
    Recommendation.YES: _l("Yes"),
    Recommendation.MAYBE: _l("Maybe"),
    Recommendation.NO: _l("No"),
}
