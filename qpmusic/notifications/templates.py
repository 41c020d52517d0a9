"""Rendering an outbox message in its recipient's language: subject, text and HTML."""

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

# One entry per e-mail the system sends; the bodies live in templates/emails/<name>.{txt,html}.
SUBJECTS = {
    "verify_email": _l("Confirm your e-mail address"),
    "account_exists": _l("Someone tried to register with your e-mail address"),
    "password_reset": _l("Reset your password"),
    "password_changed": _l("Your password was changed"),
    "confirm_new_email": _l("Confirm your new e-mail address"),
    "staff_invitation": _l("Invitation to the QuattroPole Music Prize"),
    "application_submitted": _l("Your application has been received"),
    "application_resubmitted": _l("Your changed application has been received"),
    "application_reminder": _l("Your application is not submitted yet"),
    "jury_reminder": _l("Reminder: your jury reviews are waiting"),
    "finalist_invitation": _l("You are a finalist of the QuattroPole Music Prize"),
    "not_finalist": _l("News about your application to the QuattroPole Music Prize"),
    "screened_out": _l("News about your application to the QuattroPole Music Prize"),
    "results_announcement": _l("The winners of the QuattroPole Music Prize"),
    "account_deleted": _l("Your account has been deleted"),
}


def render_email(*, template: str, language: str, context: dict) -> tuple[str, str, str]:
    with force_locale(language):
        subject = str(SUBJECTS[template])
        values = {**context, "subject": subject, "language": language}
        text = render_template(f"emails/{template}.txt", **values)
        html = render_template(f"emails/{template}.html", **values)
    return subject, text, html
