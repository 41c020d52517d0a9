"""Real objects behind every state-changing URL, and who may call it, for the fuzz tests.

Each scenario builds only what its endpoints need and returns the user to log in as and the
values of the URL's arguments, so a fuzzed request reaches the form rather than a 404.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from qpmusic.accounts.tokens import fingerprint, make_token
from qpmusic.enums import (
    ApplicationStatus,
    AssignmentStatus,
    ConflictSource,
    ConflictType,
    EditionPhase,
    OutboxStatus,
    Role,
    RoundKind,
    RoundStatus,
)
from qpmusic.extensions import db
from qpmusic.jury.models import Assignment, Conflict, JuryMember
from qpmusic.notifications.models import OutboxMessage
from qpmusic.timestamps import utcnow
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CityFactory,
    ConflictFactory,
    CriterionFactory,
    EditionFactory,
    EligibilityBasisFactory,
    InvitationFactory,
    JuryMemberFactory,
    RoundFactory,
    UserFactory,
    WorkFactory,
)
from tests.media.playback import media_file
from tests.results.ballot_builders import client_for, final_edition, open_ballot
from tests.security.fuzz_inputs import Field


@dataclass
class Target:
    user: object  # None: anonymous
    values: dict  # URL arguments
    # Fields a page's script or template sends besides its form class (score-<criterion id>, …).
    fields: tuple = ()


def anonymous(_app) -> Target:
    user = UserFactory(email="mia@example.org")
    reset = make_token("reset-password", {"uid": user.id, "fp": fingerprint(user.password_hash)})
    return Target(None, {"token": reset})


def invited(_app) -> Target:
    invitation = InvitationFactory(email="new@example.org", role=Role.COORDINATOR)
    return Target(
        None, {"token": make_token("invitation", {"id": invitation.id, "n": invitation.nonce})}
    )


def applicant(_app) -> Target:
    """A draft to an open call with a work, a file, a basis and a declared relationship."""
    musician = UserFactory(email="mia@example.org")
    edition = EditionFactory(phase=EditionPhase.OPEN)
    CriterionFactory(edition=edition)
    juror = JuryMemberFactory(edition=edition, city=CityFactory()).user
    application = ApplicationFactory(applicant=musician, edition=edition)
    work = WorkFactory(application=application)
    basis = EligibilityBasisFactory(application=application)
    conflict = ConflictFactory(
        application=application, juror=juror, source=ConflictSource.APPLICANT
    )
    media = media_file(work, duration_seconds=300.0)
    values = {
        "application_id": application.id,
        "work_id": work.id,
        "basis_id": basis.id,
        "conflict_id": conflict.id,
        "public_id": media.public_id,
    }
    return Target(musician, values)


def _jury_round():
    edition = EditionFactory(phase=EditionPhase.JURY)
    criteria = [CriterionFactory(edition=edition, position=n) for n in (1, 2)]
    trier, metz = CityFactory(), CityFactory()
    juror = JuryMemberFactory(edition=edition, city=trier).user
    other = JuryMemberFactory(edition=edition, city=metz).user
    round_ = RoundFactory(edition=edition, kind=RoundKind.JURY, status=RoundStatus.OPEN)
    mine = AssignmentFactory(round=round_, juror=juror)
    WorkFactory(application=mine.application)
    conflicted = AssignmentFactory(round=round_, juror=juror)
    ConflictFactory(application=conflicted.application, juror=juror)
    AssignmentFactory(round=round_, juror=other, application=mine.application)
    return edition, criteria, round_, juror, mine, conflicted


def juror(_app) -> Target:
    _edition, criteria, round_, user, mine, _conflicted = _jury_round()
    media = media_file(mine.application.works[0], duration_seconds=300.0)
    fields = [Field(f"score-{c.id}", "number") for c in criteria]
    fields += [Field(f"comment-{c.id}", "text") for c in criteria]
    fields += [Field("comment", "text"), Field("version", "text", example="1")]
    fields.append(Field("action", "text", example="save"))
    # The player's listening report (JSON or form): only an unknown file is certainly refused.
    fields += [Field("media", "choice", True, example=media.public_id), Field("ranges", "text")]
    values = {
        "assignment_id": mine.id,
        "round_id": round_.id,
        "application_id": mine.application_id,
    }
    return Target(user, values, (*fields, Field("next", "text")))


def juror_final(app) -> Target:
    """The same, with the review already final: a save compares what was typed with it."""
    target = juror(app)
    assignment = db.session.get(Assignment, target.values["assignment_id"])
    assignment.status = AssignmentStatus.FINAL
    assignment.finalized_at = utcnow()
    db.session.commit()
    return target


def juror_conflicted(_app) -> Target:
    _edition, _criteria, _round, user, _mine, conflicted = _jury_round()
    return Target(user, {"assignment_id": conflicted.id}, (Field("next", "text"),))


def juror_closed(_app) -> Target:
    """A juror of a closed round, who may write in its deliberation."""
    _edition, _criteria, round_, user, mine, _conflicted = _jury_round()
    round_.status = RoundStatus.CLOSED
    round_.closed_at = utcnow()
    db.session.commit()
    return Target(user, {"round_id": round_.id, "application_id": mine.application_id})


def voter(app) -> Target:
    final = final_edition()
    round_id = open_ballot(client_for(app, final.admin), final.edition)
    ranks = [str(n + 1) for n in range(len(final.finalists))]
    fields = [Field(f"rank-{a.id}", "choice", True, choices=ranks) for a in final.finalists]
    return Target(
        final.jurors[0].user,
        {"round_id": round_id},
        (*fields, Field("version", "text", example="0")),
    )


def coordinator(_app) -> Target:
    now = utcnow()
    edition = EditionFactory(
        phase=EditionPhase.PRESELECTION,
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=1),
    )
    member = JuryMemberFactory(edition=edition, role=Role.COORDINATOR, city=CityFactory())
    application = ApplicationFactory(
        edition=edition,
        status=ApplicationStatus.SUBMITTED,
        reference=f"QP-{edition.year}-0001",
        submitted_at=now - timedelta(days=3),
    )
    WorkFactory(application=application)
    EligibilityBasisFactory(application=application)
    round_ = RoundFactory(edition=edition, kind=RoundKind.PRESELECTION, status=RoundStatus.OPEN)
    AssignmentFactory(round=round_, juror=member.user, application=application)
    return Target(member.user, {"application_id": application.id})


def admin(_app) -> Target:
    """An edition in its jury phase with everything the office's pages act on."""
    office = UserFactory(email="office@example.org", role=Role.ADMIN)
    edition, criteria, round_, user, mine, _conflicted = _jury_round()
    mine.status = AssignmentStatus.FINAL
    mine.finalized_at = utcnow()
    member = db.session.scalars(
        select(JuryMember).where(JuryMember.edition_id == edition.id, JuryMember.user_id == user.id)
    ).one()
    pending = Conflict(
        edition_id=edition.id,
        juror_id=user.id,
        application_id=mine.application_id,
        type=ConflictType.FAMILY,
        source=ConflictSource.APPLICANT,
    )
    db.session.add(pending)
    db.session.commit()
    invitation = InvitationFactory(role=Role.JUROR, edition=edition, city=member.city)
    failed = OutboxMessage(
        recipient="carla@example.org",
        language="de",
        template="password_reset",
        status=OutboxStatus.FAILED,
        attempts=5,
        last_error="550 mailbox unavailable",
    )
    db.session.add(failed)
    db.session.commit()
    values = {
        "edition_id": edition.id,
        "criterion_id": criteria[0].id,
        "invitation_id": invitation.id,
        "city_id": member.city_id,
        "member_id": member.id,
        "conflict_id": pending.id,
        "round_id": round_.id,
        "assignment_id": mine.id,
        "juror_id": user.id,
        "kind": "finalist_invitation",
        "message_id": failed.id,
    }
    return Target(office, values, (Field("next", "text"),))


def admin_final(_app) -> Target:
    final = final_edition()
    actions = ("create", "open", "close", "reopen")
    action = Field("action", "choice", True, choices=actions)
    return Target(final.admin, {"edition_id": final.edition.id}, (action,))


def admin_closed_round(_app) -> Target:
    office = UserFactory(email="office@example.org", role=Role.ADMIN)
    edition, _criteria, round_, _user, _mine, _conflicted = _jury_round()
    round_.status = RoundStatus.CLOSED
    round_.closed_at = utcnow()
    db.session.commit()
    return Target(office, {"round_id": round_.id, "edition_id": edition.id})
