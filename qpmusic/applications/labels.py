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

GAP_MESSAGES = {
    "artist_name_missing": _l("Enter your artist or project name."),
    "contact_email_missing": _l("Enter a contact e-mail address."),
    "biography_missing": _l("Write a short biography."),
    "biography_too_long": _l("Shorten your biography to at most %(max)d characters."),
    "no_basis": _l("Tell us where you were born, live, work or study."),
    "no_basis_within_radius": _l(
        "None of your places is within %(radius)d km of a city of the network."
    ),
    "no_work": _l("Add at least one work."),
    "too_many_works": _l("Remove works: at most %(max)d are allowed."),
    "work_year_missing": _l("Give the year “%(title)s” was composed."),
    "work_too_old": _l("“%(title)s” is too old: works must be composed in %(year)d or later."),
    "work_in_future": _l("The year of “%(title)s” lies in the future."),
    "work_duration_missing": _l("Give the duration of “%(title)s”."),
    "work_recording_missing": _l(
        "Add a recording of “%(title)s”: a sound or video file, or a link to one."
    ),
    "rules_consent_missing": _l("Accept the rules of the prize."),
    "privacy_consent_missing": _l("Accept the data protection notice."),
}

STEP_LABELS = {
    "profile": _l("Name and contact"),
    "biography": _l("Biography"),
    "eligibility": _l("Eligibility"),
    "works": _l("Works"),
    "consents": _l("Consents"),
    "review": _l("Review and submit"),
}


def gap_message(gap) -> str:
    message = str(GAP_MESSAGES[gap.code])
    return message % gap.params if gap.params else message


STATUS_HELP = {
    ApplicationStatus.DRAFT: _l(
        "Your application is saved as a draft. It reaches the jury only once you submit it."
    ),
    ApplicationStatus.SUBMITTED: _l(
        "Your application has been received. The coordinators check it after the deadline."
    ),
    ApplicationStatus.WITHDRAWN: _l("You have withdrawn your application."),
    ApplicationStatus.ELIGIBLE: _l(
        "Your application meets the conditions and is being considered for the jury."
    ),
    ApplicationStatus.INELIGIBLE: _l(
        "Your application does not meet the conditions of the call. You will hear from the office."
    ),
    ApplicationStatus.SHORTLISTED: _l("Your application is on the shortlist for the jury."),
    ApplicationStatus.NOT_SHORTLISTED: _l("Your application was not chosen for the jury round."),
    ApplicationStatus.FINALIST: _l("You are a finalist! The office will contact you."),
    ApplicationStatus.NOT_FINALIST: _l("Your application was not chosen for the final concert."),
    ApplicationStatus.WINNER: _l("You have won the prize. Congratulations!"),
    ApplicationStatus.SPECIAL_PRIZE: _l("You have won the jury's special prize. Congratulations!"),
}
