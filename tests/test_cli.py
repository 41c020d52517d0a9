"""``flask qp`` commands."""

from collections import Counter

from sqlalchemy import func, select

from qpmusic.accounts.models import User
from qpmusic.accounts.passwords import check_password
from qpmusic.applications.models import Application
from qpmusic.editions.models import Edition
from qpmusic.enums import AssignmentStatus, AwardKind, EditionPhase, MediaStatus, Role, RoundStatus
from qpmusic.extensions import db
from qpmusic.geo.models import City
from qpmusic.jury.models import Assignment, Conflict, JuryMember, Round
from qpmusic.media.models import MediaFile
from qpmusic.results.models import Award


def test_create_admin_makes_a_verified_admin(runner):
    result = runner.invoke(
        args=[
            "qp",
            "create-admin",
            "--email",
            "Office@QuattroPole.org",
            "--name",
            "Office",
            "--password",
            "Esch-sur-Alzette-1",
        ]
    )

    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert user.email == "office@quattropole.org"
    assert user.roles == {Role.ADMIN}
    assert user.email_verified
    assert check_password(user.password_hash, "Esch-sur-Alzette-1")


def test_create_admin_refuses_a_weak_password(runner):
    result = runner.invoke(
        args=["qp", "create-admin", "--email", "office@example.org", "--password", "short"]
    )

    assert result.exit_code != 0
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_seed_demo_loads_cities_an_open_call_and_one_account_per_role(runner):
    first = runner.invoke(args=["qp", "seed-demo"])
    second = runner.invoke(args=["qp", "seed-demo"])

    assert first.exit_code == second.exit_code == 0
    assert "admin@qpmusic.example.org" in first.output
    assert "password: quattropole-demo" in first.output
    cities = db.session.scalars(select(City).order_by(City.name_en)).all()
    assert [c.name_fr for c in cities] == ["Luxembourg", "Metz", "Sarrebruck", "Trèves"]
    edition = db.session.scalar(select(Edition).order_by(Edition.year.desc()))
    assert edition.is_open()
    assert len(edition.criteria) == 4
    roles = {r for user in db.session.scalars(select(User)) for r in user.roles}
    assert roles == set(Role)


def test_seed_demo_gives_every_page_something_to_show(runner):
    runner.invoke(args=["qp", "seed-demo"])
    runner.invoke(args=["qp", "seed-demo"])

    past, _jury, current = db.session.scalars(select(Edition).order_by(Edition.year)).all()
    assert past.phase == EditionPhase.PUBLISHED
    assert {award.kind for award in db.session.scalars(select(Award))} == set(AwardKind)
    applications = db.session.scalars(
        select(Application).where(Application.edition_id == current.id)
    ).all()
    assert 30 <= len(applications) <= 60
    cities = {b.nearest_city.name_en for a in applications for b in a.bases if b.nearest_city}
    assert cities == {"Luxembourg", "Metz", "Saarbrücken", "Trier"}
    assert any(a.flagged for a in applications)
    references = [a.reference for a in applications if a.reference]
    assert len(references) == len(set(references)) == current.reference_counter
    assert not {a.status for a in applications} - {"draft", "submitted", "withdrawn"}
    recordings = db.session.scalars(select(MediaFile)).all()
    assert len(recordings) == 12
    assert {m.status for m in recordings} == {MediaStatus.READY}
    assert all(m.peaks and m.loudness_lufs is not None for m in recordings)


def test_every_demo_login_works_through_the_login_form(runner, client):
    from qpmusic.demo import ACCOUNTS, DEMO_PASSWORD

    runner.invoke(args=["qp", "seed-demo"])

    for _, email, *_ in ACCOUNTS:
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        client.post("/logout")


def test_seed_demo_has_a_jury_at_work_with_the_demo_juror_on_it(runner):
    runner.invoke(args=["qp", "seed-demo"])
    runner.invoke(args=["qp", "seed-demo"])

    edition = db.session.scalar(select(Edition).where(Edition.phase == EditionPhase.JURY))
    members = db.session.scalars(select(JuryMember).where(JuryMember.edition_id == edition.id))
    per_city = Counter(member.city.name_en for member in members)
    assert per_city == {"Luxembourg": 2, "Metz": 2, "Saarbrücken": 2, "Trier": 2}
    round_ = db.session.scalar(select(Round).where(Round.edition_id == edition.id))
    assert round_.status == RoundStatus.OPEN
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.round_id == round_.id)
    ).all()
    demo_juror = db.session.scalar(select(User).where(User.email == "juror@qpmusic.example.org"))
    mine = [a for a in assignments if a.juror_id == demo_juror.id]
    assert len(mine) == 6
    assert {a.status for a in mine} == {AssignmentStatus.TODO}
    states = Counter(a.status for a in assignments)
    assert states[AssignmentStatus.FINAL] > 0 and states[AssignmentStatus.DRAFT] > 0
    assert db.session.scalar(select(func.count(Conflict.id))) == 1
