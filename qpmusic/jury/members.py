"""An edition's jury for the office: members by city, invitations, removals, conflict list."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.orm import joinedload

from qpmusic.accounts import invitations
from qpmusic.accounts.models import Invitation, User
from qpmusic.accounts.services import AccountError, normalize_email
from qpmusic.applications.models import Application
from qpmusic.audit.models import AuditEvent
from qpmusic.audit.services import record_event
from qpmusic.editions.models import Edition
from qpmusic.enums import AssignmentStatus, ConflictSource, ConflictStatus, Role
from qpmusic.extensions import db
from qpmusic.geo.cities import cities_by_name
from qpmusic.geo.models import City
from qpmusic.jury.models import Assignment, Conflict, JuryMember, Round


class MemberError(AccountError):
    """A jury change that cannot be made; the message is shown to the admin."""


@dataclass
class CityJury:
    """One city's delegation: its jurors, the invitations still out, and how many it needs."""

    city: City | None
    needed: int
    jurors: list[JuryMember] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return max(self.needed - len(self.jurors), 0)

    @property
    def extra(self) -> int:
        return max(len(self.jurors) - self.needed, 0)


@dataclass
class JuryOverview:
    cities: list[CityJury]
    coordinators: list[JuryMember]
    coordinator_invitations: list[Invitation]

    @property
    def missing(self) -> int:
        return sum(group.missing for group in self.cities)


def jury_overview(edition: Edition) -> JuryOverview:
    """The edition's jury by city, with the open invitations (pending or expired) beside it."""
    members = db.session.scalars(
        select(JuryMember)
        .where(JuryMember.edition_id == edition.id)
        .options(joinedload(JuryMember.user), joinedload(JuryMember.city))
        .order_by(JuryMember.created_at, JuryMember.id)
    ).all()
    waiting = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.edition_id == edition.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .order_by(Invitation.created_at, Invitation.id)
    ).all()
    groups = {city.id: CityJury(city, edition.jurors_per_city) for city in cities_by_name()}

    def group(city_id):
        # A juror without a city (added by hand) still shows, in a group of its own.
        if city_id not in groups:
            groups[city_id] = CityJury(None, 0)
        return groups[city_id]

    coordinators = []
    for member in members:
        if member.role == Role.JUROR:
            group(member.city_id).jurors.append(member)
        else:
            coordinators.append(member)
    coordinator_invitations = []
    for invitation in waiting:
        if invitation.role == Role.JUROR:
            group(invitation.city_id).invitations.append(invitation)
        else:
            coordinator_invitations.append(invitation)
    return JuryOverview(list(groups.values()), coordinators, coordinator_invitations)


def invite_member(
    *, actor: User, edition: Edition, email: str, role: Role, city: City | None, language: str
) -> Invitation:
    """Invite a juror (for a city) or a coordinator onto the edition's jury.

    Someone who already has an account is invited all the same: they accept with their
    existing password, and the invitation is the record of who asked them and when.
    """
    email = normalize_email(email)
    member = db.session.scalar(
        select(JuryMember)
        .join(User, User.id == JuryMember.user_id)
        .where(JuryMember.edition_id == edition.id, User.email == email)
    )
    if member is not None:
        raise MemberError(_l("%(email)s is already on this jury.", email=email))
    waiting = db.session.scalar(
        select(func.count(Invitation.id)).where(
            Invitation.edition_id == edition.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    )
    if waiting:
        raise MemberError(
            _l(
                "An invitation to %(email)s is already open; send it again instead.",
                email=email,
            )
        )
    return invitations.invite_staff(
        actor=actor, email=email, role=role, city=city, language=language, edition=edition
    )


def finalized_reviews(member: JuryMember) -> int:
    """How many reviews the member has finalized in any round of the edition."""
    return db.session.scalar(
        select(func.count(Assignment.id))
        .join(Round, Round.id == Assignment.round_id)
        .where(
            Round.edition_id == member.edition_id,
            Assignment.juror_id == member.user_id,
            Assignment.status == AssignmentStatus.FINAL,
        )
    )


def remove_member(*, actor: User, member: JuryMember) -> None:
    """Take someone off the edition's jury, as long as none of their reviews is final.

    A final review is part of the result, so it must not vanish with its author. Their unfinished
    assignments go with them (with any draft scores): work of someone no longer on the jury
    must neither count nor wait in a progress matrix. Their account and global role stay; they
    may sit on other editions' juries.
    """
    rounds = select(Round.id).where(Round.edition_id == member.edition_id)
    theirs = and_(Assignment.round_id.in_(rounds), Assignment.juror_id == member.user_id)
    # Locked before counting: a review finalized while we count would otherwise be deleted
    # below. Under the lock a finalization in progress is waited for and then seen as final.
    statuses = db.session.scalars(
        select(Assignment.status).where(theirs).with_for_update(of=Assignment)
    ).all()
    if AssignmentStatus.FINAL in statuses:
        raise MemberError(
            _l(
                "%(name)s has finalized reviews in this edition and cannot be removed.",
                name=member.user.display_name,
            )
        )
    # A second guard: whatever happened above, this never deletes a final review.
    dropped = db.session.execute(
        delete(Assignment)
        .where(theirs, Assignment.status != AssignmentStatus.FINAL)
        .execution_options(synchronize_session=False)
    ).rowcount
    before = {
        "user_id": member.user_id,
        "role": member.role.value,
        "city_id": member.city_id,
        "edition_id": member.edition_id,
    }
    record_event(
        actor=actor,
        action="jury_member.removed",
        target=member,
        before=before,
        after={"assignments_removed": dropped},
    )
    db.session.delete(member)
    db.session.flush()


@dataclass
class ConflictRow:
    conflict: Conflict
    city: City | None
    # Why the office dismissed it; kept in the audit log, the conflict has no column for it.
    reason: str | None

    @property
    def awaits_decision(self) -> bool:
        return (
            self.conflict.source == ConflictSource.APPLICANT
            and self.conflict.status == ConflictStatus.DECLARED
        )


def edition_conflicts(edition: Edition) -> list[ConflictRow]:
    """Every conflict of the edition, applicant-named ones awaiting a decision first."""
    waiting_first = case(
        (
            and_(
                Conflict.source == ConflictSource.APPLICANT,
                Conflict.status == ConflictStatus.DECLARED,
            ),
            0,
        ),
        else_=1,
    )
    rows = db.session.execute(
        select(Conflict, City)
        .join(Application, Application.id == Conflict.application_id)
        .outerjoin(
            JuryMember,
            and_(
                JuryMember.edition_id == Conflict.edition_id,
                JuryMember.user_id == Conflict.juror_id,
            ),
        )
        .outerjoin(City, City.id == JuryMember.city_id)
        .where(Conflict.edition_id == edition.id)
        .options(
            joinedload(Conflict.juror),
            joinedload(Conflict.application),
            joinedload(Conflict.decided_by),
        )
        .order_by(waiting_first, Application.reference, Conflict.declared_at, Conflict.id)
    ).all()
    reasons = _dismissal_reasons([conflict.id for conflict, _ in rows])
    return [ConflictRow(conflict, city, reasons.get(conflict.id)) for conflict, city in rows]


def _dismissal_reasons(conflict_ids: list[int]) -> dict[int, str]:
    if not conflict_ids:
        return {}
    events = db.session.execute(
        select(AuditEvent.target_id, AuditEvent.after)
        .where(
            AuditEvent.target_type == Conflict.__tablename__,
            AuditEvent.action == "conflict.dismissed",
            AuditEvent.target_id.in_(conflict_ids),
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    # Later dismissals overwrite earlier ones: the latest reason is the one that stands.
    return {target_id: (after or {}).get("reason", "") for target_id, after in events}
