"""Small builders for the final ballot, awards and publication tests: an edition in its final."""

from dataclasses import dataclass, field

from flask.testing import FlaskClient

from qpmusic.applications.models import Application
from qpmusic.editions.models import Edition
from qpmusic.enums import ApplicationStatus, EditionPhase, Role
from qpmusic.extensions import db
from qpmusic.jury.models import JuryMember
from qpmusic.timestamps import utcnow
from tests.conftest import Auth
from tests.factories import (
    ApplicationFactory,
    CityFactory,
    EditionFactory,
    JuryMemberFactory,
    UserFactory,
    WorkFactory,
)


@dataclass
class Final:
    edition: Edition
    finalists: list[Application]
    jurors: list[JuryMember]
    admin: object
    others: list[Application] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [a.artist_name for a in self.finalists]


def submitted(edition, status, name, language="de", **kwargs) -> Application:
    applicant = UserFactory(language=language, name=f"Applicant {name}")
    application = ApplicationFactory(
        edition=edition,
        applicant=applicant,
        status=status,
        artist_name=name,
        submitted_at=utcnow(),
        reference=f"QP-{edition.year}-{name[:4]}",
        **kwargs,
    )
    WorkFactory(application=application, title=f"{name}: Opus 1")
    return application


def final_edition(finalists=("Aurora", "Basalt", "Cirrus"), jurors=3, **edition) -> Final:
    """An edition in the final phase with named finalists, jurors from distinct cities, an admin."""
    edition = EditionFactory(**{"phase": EditionPhase.FINAL, **edition})
    apps = [submitted(edition, ApplicationStatus.FINALIST, name) for name in finalists]
    members = [
        JuryMemberFactory(edition=edition, city=CityFactory(name_en=f"Juryville {n}"))
        for n in range(jurors)
    ]
    return Final(edition, apps, members, UserFactory(role=Role.ADMIN, name="Office", language="en"))


def client_for(app, user) -> FlaskClient:
    """A separate browser for ``user``, logged in."""
    client = app.test_client()
    response = Auth(client).login(user.email)
    assert response.status_code == 302, response.status_code
    return client


def admin_post(client, edition, action, **data):
    return client.post(f"/admin/editions/{edition.id}/final", data={"action": action, **data})


def open_ballot(client, edition) -> int:
    assert admin_post(client, edition, "create").status_code == 302
    assert admin_post(client, edition, "open").status_code == 302
    from qpmusic.results.ballot_roll import final_round

    db.session.expire_all()
    round_ = final_round(edition.id)
    assert round_.is_open
    return round_.id


def vote(client, round_id, ranks: dict, version=0):
    """``ranks``: {application: rank}."""
    data = {f"rank-{a.id}": str(r) for a, r in ranks.items()}
    return client.post(f"/jury/final/{round_id}", data={"version": str(version), **data})


def closed_ballot(app, final: Final, rankings: list[dict]) -> int:
    """Open the ballot, let the first jurors vote ``rankings``, close it; the round's id."""
    admin = client_for(app, final.admin)
    round_id = open_ballot(admin, final.edition)
    for member, ranks in zip(final.jurors, rankings, strict=False):
        assert vote(client_for(app, member.user), round_id, ranks).status_code == 302
    assert admin_post(admin, final.edition, "close", anyway="y").status_code == 302
    return round_id


STATEMENTS = {
    "prize_de": "Die Jury ehrt eine Klangwelt von großer Kühnheit.",
    "prize_fr": "Le jury salue un univers sonore d'une grande audace.",
    "prize_en": "The jury honours a sound world of great daring.",
}


def award_form(prize, special=None, reason="", **statements) -> dict:
    return {
        "prize": str(prize.id),
        "special": str(special.id) if special else "0",
        "reason": reason,
        **STATEMENTS,
        **statements,
    }
