"""Translated names of application states and eligibility bases, shared by every page."""

from flask_babel import lazy_gettext as _l

from qpmusic.enums import ApplicationStatus, EligibilityKind

STATUS_LABELS = {
    ApplicationStatus.DRAFT: _l("Draft"),
    ApplicationStatus.SUBMITTED: _l("Submitted"),
    ApplicationStatus.WITHDRAWN: _l("Withdrawn"),
    ApplicationStatus.ELIGIBLE: _l("Eligible"),
    ApplicationStatus.INELIGIBLE: _l("Not eligible"),
    ApplicationStatus.SHORTLISTED: _l("Shortlisted"),
    ApplicationStatus.NOT_SHORTLISTED: _l("Not shortlisted"),
    ApplicationStatus.FINALIST: _l("Finalist"),
    ApplicationStatus.NOT_FINALIST: _l("Not a finalist"),
    ApplicationStatus.WINNER: _l("Winner"),
    ApplicationStatus.SPECIAL_PRIZE: _l("Special prize"),
}

BASIS_LABELS = {
    EligibilityKind.BORN: _l("Born in"),
    EligibilityKind.LIVES: _l("Lives in"),
    EligibilityKind.WORKS: _l("Works in"),
    EligibilityKind.STUDIES: _l("Studies in"),
}
