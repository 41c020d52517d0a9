"""Staff accounts come by invitation: an admin names the address, role and (for jurors) city."""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import insert

from qpmusic.accounts.models import Invitation, User, UserRole, new_auth_token
from qpmusic.accounts.passwords import check_password, hash_password
from qpmusic.accounts.services import (
    TOKEN_MESSAGES,
    AccountError,
    absolute_url,
    find_user,
    normalize_email,
    read_link,
)
from qpmusic.accounts.tokens import make_token
from qpmusic.audit.services import record_event
from qpmusic.enums import Role
from qpmusic.extensions import db
from qpmusic.jury.models import JuryMember
from qpmusic.notifications.services import queue_email
from qpmusic.timestamps import utcnow

# Only these sit on an edition's jury; administrators are staff of every edition.
JURY_ROLES = (Role.JUROR, Role.COORDINATOR)


def invite_staff(
    *, actor: User, email: str, role: Role, city=None, language: str, edition=None
) -> Invitation:
    """Create an invitation and e-mail its link in the invitee's language.

    With an ``edition``, accepting also makes the invitee a member of that edition's jury.
    """
    if role == Role.JUROR and city is None:
        raise AccountError(_l("A juror needs a city."))
    if edition is not None and role not in JURY_ROLES:
        raise AccountError(_l("Only jurors and coordinators are invited for an edition."))
    invitation = Invitation(
        email=normalize_email(email),
        role=role,
        city=city if role == Role.JUROR else None,
        edition=edition,
        language=language,
        invited_by=actor,
        expires_at=utcnow() + timedelta(seconds=current_app.config["INVITATION_MAX_AGE"]),
    )
    db.session.add(invitation)
    db.session.flush()
    _send(invitation)
    record_event(
        actor=actor,
        action="invitation.created",
        target=invitation,
        after={
            "email": invitation.email,
            "role": role.value,
            "city_id": invitation.city_id,
            "edition_id": invitation.edition_id,
        },
    )
    return invitation


def resend_invitation(*, actor: User, invitation: Invitation) -> None:
    """Send a fresh link with a new validity period; earlier links stop working."""
    if invitation.accepted_at or invitation.revoked_at:
        raise AccountError(_l("This invitation is no longer open."))
    invitation.nonce = new_auth_token()
    invitation.expires_at = utcnow() + timedelta(seconds=current_app.config["INVITATION_MAX_AGE"])
    _send(invitation)
    record_event(actor=actor, action="invitation.resent", target=invitation)


def revoke_invitation(*, actor: User, invitation: Invitation) -> None:
    if invitation.accepted_at:
        raise AccountError(_l("This invitation has already been accepted."))
    invitation.revoked_at = invitation.revoked_at or utcnow()
    record_event(actor=actor, action="invitation.revoked", target=invitation)


def _send(invitation: Invitation) -> None:
    token = make_token("invitation", {"id": invitation.id, "n": invitation.nonce})
    language = invitation.language
    city = invitation.city.name(language) if invitation.city else None
    edition = invitation.edition.title(language) if invitation.edition else None
    queue_email(
        to=invitation.email,
        language=invitation.language,
        template="staff_invitation",
        context={
            "role": invitation.role.value,
            "city": city,
            "edition": edition,
            "inviter": invitation.invited_by.display_name if invitation.invited_by else None,
            "url": absolute_url("invitations.accept", token=token),
            "expires_at": invitation.expires_at.isoformat(),
        },
    )


def invitation_from_token(token: str) -> Invitation:
    payload = read_link("invitation", token, "INVITATION_MAX_AGE")
    invitation = db.session.get(Invitation, payload.get("id"))
    if invitation is None or invitation.nonce != payload.get("n") or invitation.revoked_at:
        raise AccountError(TOKEN_MESSAGES["invalid"])
    if invitation.accepted_at:
        raise AccountError(TOKEN_MESSAGES["used"])
    if invitation.expires_at <= utcnow():
        raise AccountError(TOKEN_MESSAGES["expired"])
    return invitation


def accept_invitation(*, token: str, name: str, password: str, language: str) -> User:
    """Create the staff account (or add the role to the existing one) and use up the link."""
    invitation = invitation_from_token(token)
    user = find_user(invitation.email)
    if user is None:
        user = User(
            email=invitation.email,
            name=name.strip(),
            language=language,
            password_hash=hash_password(password),
        )
        db.session.add(user)
    elif not check_password(user.password_hash, password):
        raise AccountError(_l("Please enter the password of your existing account."))
    user.language = language
    user.email_verified_at = user.email_verified_at or utcnow()
    if not user.has_role(invitation.role):
        user.role_rows.append(UserRole(role=invitation.role))
    if invitation.city is not None:
        user.city = invitation.city
    invitation.accepted_at = utcnow()
    db.session.flush()
    if invitation.edition_id is not None:
        _join_jury(invitation, user)
    record_event(
        actor=user,
        action="invitation.accepted",
        target=invitation,
        after={"user_id": user.id, "role": invitation.role.value},
    )
    return user


def _join_jury(invitation: Invitation, user: User) -> None:
    """Make the invitee a member of the edition's jury, as the invitation says.

    An upsert on (edition, user): accepting twice, or a membership added meanwhile, leaves one
    row, carrying the role and city of the invitation the person accepted last.
    """
    values = {"role": invitation.role, "city_id": invitation.city_id}
    member_id = db.session.execute(
        insert(JuryMember)
        .values(edition_id=invitation.edition_id, user_id=user.id, created_at=utcnow(), **values)
        .on_conflict_do_update(index_elements=["edition_id", "user_id"], set_=values)
        .returning(JuryMember.id)
    ).scalar_one()
    member = db.session.get(JuryMember, member_id, populate_existing=True)
    record_event(
        actor=user,
        action="jury_member.joined",
        target=member,
        after={
            "edition_id": invitation.edition_id,
            "user_id": user.id,
            "role": invitation.role.value,
            "city_id": invitation.city_id,
            "invitation_id": invitation.id,
        },
    )
