"""Who may open a view."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from qpmusic.enums import Role


def role_required(*roles: Role):
    """Let in logged-in users holding one of ``roles``; others get 403 (anonymous: the login)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator
