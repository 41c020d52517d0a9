"""Account verbs: register, verify, log in, reset and change passwords and addresses.

Each function changes objects and queues e-mails in the caller's transaction; none commits.
"""

from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qpmusic.accounts.models import User, UserRole, new_auth_token
from qpmusic.accounts.passwords import check_password, hash_password
from qpmusic.accounts.tokens import TokenError, fingerprint, make_token, read_token
from qpmusic.audit.services import record_event
from qpmusic.enums import Role
from qpmusic.extensions import db
from qpmusic.notifications.services import queue_email
from qpmusic.timestamps import utcnow

TOKEN_MESSAGES = {
    "expired": _l("This link has expired. Please ask for a new one."),
    "invalid": _l("This link is not valid. Please check that you copied it completely."),
    "used": _l("This link has already been used."),
}


class AccountError(Exception):
    """A request that cannot be carried out; the message is shown to the person."""


def read_link(purpose: str, token: str, max_age_setting: str = "TOKEN_MAX_AGE") -> dict:
    """The payload of an e-mailed link, or an AccountError saying why it cannot be used."""
    try:
        return read_token(purpose, token, current_app.config[max_age_setting])
    except TokenError as exc:
        raise AccountError(TOKEN_MESSAGES[exc.reason]) from exc


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def absolute_url(endpoint: str, **values) -> str:
    """An address for e-mails; works in requests and in tasks and commands (no request)."""
    if has_request_context():
        return current_app.config["BASE_URL"] + url_for(endpoint, **values)
    adapter = current_app.url_map.bind("localhost")
    return current_app.config["BASE_URL"] + adapter.build(endpoint, values)


def register_user(*, email: str, password: str, name: str, language: str) -> User | None:
    """Create an applicant account and e-mail a verification link.

    When the address is taken, the owner is told by e-mail instead; the caller shows the same
    page either way, so nobody learns which addresses have accounts.
    """
    email = normalize_email(email)
    existing = find_user(email)
    if existing:
        queue_email(
            to=existing.email,
            language=existing.language,
            template="account_exists",
            context={
                "login_url": absolute_url("accounts.login"),
                "reset_url": absolute_url("accounts.forgot_password"),
            },
        )
        return None
    user = User(
        email=email, name=name.strip(), language=language, password_hash=hash_password(password)
    )
    user.role_rows.append(UserRole(role=Role.APPLICANT))
    db.session.add(user)
    db.session.flush()
    send_verification(user=user)
    return user


def send_verification(*, user: User) -> None:
    token = make_token("verify-email", {"uid": user.id, "email": user.email})
    queue_email(
        to=user.email,
        language=user.language,
        template="verify_email",
        context={
            "name": user.display_name,
            "url": absolute_url("accounts.verify_email", token=token),
        },
    )


def verify_email(*, token: str) -> User:
    """Mark the address in ``token`` as confirmed; a second use is refused and changes nothing."""
    payload = read_link("verify-email", token)
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.email != payload.get("email"):
        raise AccountError(TOKEN_MESSAGES["invalid"])
    if user.email_verified:
        raise AccountError(TOKEN_MESSAGES["used"])
    user.email_verified_at = utcnow()
    return user


def authenticate(*, email: str, password: str) -> User | None:
    """The active account with these credentials, or None (timing does not tell which failed)."""
    user = find_user(email)
    if not check_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.is_active:
        return None
    user.last_login_at = utcnow()
    return user


def request_password_reset(*, email: str) -> None:
    """E-mail a single-use reset link if the address has an account; silent otherwise."""
    user = find_user(email)
    if user is None or not user.is_active:
        return
    token = make_token("reset-password", {"uid": user.id, "fp": fingerprint(user.password_hash)})
    queue_email(
        to=user.email,
        language=user.language,
        template="password_reset",
        context={
            "name": user.display_name,
            "url": absolute_url("accounts.reset_password", token=token),
        },
    )


def user_for_reset(token: str) -> User:
    payload = read_link("reset-password", token)
    user = db.session.get(User, payload.get("uid"))
    if user is None:
        raise AccountError(TOKEN_MESSAGES["invalid"])
    if fingerprint(user.password_hash) != payload.get("fp"):
        raise AccountError(TOKEN_MESSAGES["used"])
    return user


def reset_password(*, token: str, password: str) -> User:
    """Set a new password through a reset link; the link cannot be used again."""
    user = user_for_reset(token)
    _set_password(user, password)
    # Following the link proves the address works.
    user.email_verified_at = user.email_verified_at or utcnow()
    return user


def change_password(*, user: User, current_password: str, new_password: str) -> None:
    if not check_password(user.password_hash, current_password):
        raise AccountError(_l("Your current password is not correct."))
    _set_password(user, new_password)


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    # Every other session and remember-me cookie of this account ends here.
    user.auth_token = new_auth_token()
    queue_email(
        to=user.email,
        language=user.language,
        template="password_changed",
        context={"name": user.display_name, "reset_url": absolute_url("accounts.forgot_password")},
    )


def update_profile(*, user: User, name: str, language: str) -> None:
    user.name = name.strip()
    user.language = language


def set_language(*, user: User, language: str) -> None:
    """The language of the user's pages and e-mails, as chosen in the header's switcher."""
    user.language = language


def request_email_change(*, user: User, new_email: str, password: str) -> None:
    """E-mail a confirmation link to the new address; the account keeps the old one until then."""
    if not check_password(user.password_hash, password):
        raise AccountError(_l("Your current password is not correct."))
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise AccountError(_l("This is already your e-mail address."))
    token = make_token("change-email", {"uid": user.id, "old": user.email, "new": new_email})
    # Sent even when the new address belongs to another account; confirming then fails,
    # so this form cannot be used to find out who has an account.
    queue_email(
        to=new_email,
        language=user.language,
        template="confirm_new_email",
        context={
            "name": user.display_name,
            "url": absolute_url("profile.confirm_email", token=token),
        },
    )


def confirm_email_change(*, token: str) -> User:
    payload = read_link("change-email", token)
    user = db.session.get(User, payload.get("uid"))
    if user is None:
        raise AccountError(TOKEN_MESSAGES["invalid"])
    if user.email != payload.get("old"):
        raise AccountError(TOKEN_MESSAGES["used"])
    if find_user(payload["new"]):
        raise AccountError(_l("Another account already uses this e-mail address."))
    before = {"email": user.email}
    user.email = payload["new"]
    user.email_verified_at = utcnow()
    record_event(
        actor=user,
        action="user.email_changed",
        target=user,
        before=before,
        after={"email": user.email},
    )
    return user


def create_admin(*, email: str, password: str, name: str, language: str = "de") -> User:
    """Create a verified admin account, or make an existing account an admin."""
    user = find_user(email)
    if user is None:
        user = User(email=normalize_email(email), name=name, language=language)
        db.session.add(user)
    user.password_hash = hash_password(password)
    user.email_verified_at = user.email_verified_at or utcnow()
    if not user.has_role(Role.ADMIN):
        user.role_rows.append(UserRole(role=Role.ADMIN))
    db.session.flush()
    record_event(actor=None, action="user.made_admin", target=user, after={"email": user.email})
    return user
