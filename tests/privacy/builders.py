"""An applicant with applications in several editions, files stored for real."""

from datetime import UTC, datetime

from qpmusic.enums import EditionPhase
from qpmusic.media.storage import get_storage
from tests.factories import (
    ApplicationFactory,
    EditionFactory,
    EligibilityBasisFactory,
    UserFactory,
    WorkFactory,
)
from tests.results.export_builders import media_file

CONSENTED_AT = datetime(2031, 3, 2, 9, 15, tzinfo=UTC)
PUBLISHED_AT = datetime(2029, 6, 20, 18, 0, tzinfo=UTC)


def musician(**fields):
    fields.setdefault("email", "mia@example.org")
    fields.setdefault("name", "Mia Sommer")
    return UserFactory(**fields)


def application_with_file(
    applicant, edition, *, status, reference=None, artist_name="Mia Sommer Trio", data=b"take"
):
    """An application with a place, one work and one stored file (original and blind copy)."""
    application = ApplicationFactory(
        applicant=applicant,
        edition=edition,
        status=status,
        reference=reference,
        artist_name=artist_name,
        phone="+352 621 000 111",
        website="https://mia.example.org",
        biography="Born in Konz, studies in Saarbrücken.",
        consent_rules_at=CONSENTED_AT,
        consent_privacy_at=CONSENTED_AT,
    )
    EligibilityBasisFactory(application=application)
    work = WorkFactory(
        application=application,
        position=1,
        title="Nachtstück",
        description="For tape and viola.",
        techniques="Granular synthesis",
    )
    media_file(work, name="nachtstueck.flac", data=data)
    return application


def published_edition(year=2029):
    return EditionFactory(year=year, phase=EditionPhase.PUBLISHED, published_at=PUBLISHED_AT)


def running_edition(year=2031):
    return EditionFactory(year=year, phase=EditionPhase.OPEN)


def file_keys(application) -> list[str]:
    """The stored keys of the application's files: originals and anonymous copies."""
    return [
        key
        for work in application.works
        for media in work.media
        for key in (media.storage_key, media.blind_key)
        if key
    ]


def stored(key) -> bool:
    return key is not None and get_storage().exists(key)
