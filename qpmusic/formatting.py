"""What templates need beyond Jinja: the current language, locale formats, per-role navigation."""

from datetime import datetime

from flask import Flask, has_request_context, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from qpmusic.applications.labels import BASIS_LABELS, STATUS_LABELS
from qpmusic.enums import Role
from qpmusic.i18n import LANGUAGE_NAMES

# (endpoint, label, roles that see it); None means everyone logged in.
NAVIGATION = [
    ("applications.status", _l("My application"), (Role.APPLICANT,)),
    ("screening.index", _l("Screening"), (Role.COORDINATOR, Role.ADMIN)),
    ("editions.admin_index", _l("Editions"), (Role.ADMIN,)),
    ("cities.index", _l("Cities"), (Role.ADMIN,)),
    ("invitations.index", _l("Staff invitations"), (Role.ADMIN,)),
    ("audit.index", _l("Audit log"), (Role.ADMIN,)),
    ("outbox.index", _l("E-mail"), (Role.ADMIN,)),
    ("profile.edit", _l("Profile"), None),
]


def navigation(app: Flask) -> list[tuple[str, str]]:
    if not has_request_context() or not current_user.is_authenticated:
        return []
    return [
        (endpoint, label)
        for endpoint, label, roles in NAVIGATION
        if endpoint in app.view_functions and (roles is None or current_user.has_role(*roles))
    ]


def register(app: Flask) -> None:
    @app.context_processor
    def template_context():
        return {
            "current_language": str(get_locale()),
            "language_names": LANGUAGE_NAMES,
            "navigation": navigation(app),
            "status_labels": STATUS_LABELS,
            "basis_labels": BASIS_LABELS,
            "request_path": request.full_path.rstrip("?") if has_request_context() else "/",
        }

    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt)
    app.jinja_env.filters["date"] = lambda value, fmt="long": format_date(value, fmt)
    app.jinja_env.filters["number"] = format_decimal
    # E-mail contexts are JSON, so their datetimes arrive as ISO strings.
    app.jinja_env.filters["fromiso"] = datetime.fromisoformat
