"""Drafting an application step by step; callers own the transaction."""

from flask_babel import format_date, format_time
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from qpmusic.applications.completeness import MAX_BASES, gaps
from qpmusic.applications.labels import gap_message
from qpmusic.applications.models import Application, EligibilityBasis, Work
from qpmusic.audit.services import record_event
from qpmusic.editions.models import Edition
from qpmusic.enums import ApplicationStatus
from qpmusic.extensions import db
from qpmusic.geo.eligibility import check_place
from qpmusic.geo.models import City
from qpmusic.geo.places import resolve_place

EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED)


class ApplicationError(Exception):
    """A refused change, with a message for the applicant."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def deadline_passed_message(edition) -> str:
    # Date and time without the zone's name: the sentence already says Luxembourg time.
    closes = edition.closes_at
    return _(
        "The deadline was %(deadline)s (Luxembourg time); applications can no longer be "
        "submitted or changed.",
        deadline=f"{format_date(closes, 'full')}, {format_time(closes, 'medium')}",
    )


def application_for(*, applicant, edition) -> Application | None:
    return db.session.scalar(
        select(Application).where(
            Application.applicant_id == applicant.id, Application.edition_id == edition.id
        )
    )


def earlier_applications(*, applicant, current: Application | None) -> list[Application]:
    """The applicant's applications to other editions, newest first (drafts left out)."""
    query = (
        select(Application)
        .join(Application.edition)
        .where(
            Application.applicant_id == applicant.id,
            Application.status != ApplicationStatus.DRAFT,
        )
        .order_by(Edition.year.desc())
        .options(contains_eager(Application.edition))
    )
    if current is not None:
        query = query.where(Application.id != current.id)
    return list(db.session.scalars(query))


def start_application(*, applicant, edition, now) -> Application:
    """The applicant's draft for ``edition``; a second start returns the same draft."""
    existing = application_for(applicant=applicant, edition=edition)
    if existing is not None:
        return existing
    if not edition.is_open(now):
        raise ApplicationError(_("This call is not open for applications."))
    application = Application(
        edition=edition,
        applicant=applicant,
        artist_name=applicant.name,
        contact_email=applicant.email,
    )
    try:
        # Two tabs may start at once; the unique (edition, applicant) lets only one insert.
        with db.session.begin_nested():
            db.session.add(application)
    except IntegrityError:
        return application_for(applicant=applicant, edition=edition)
    record_event(actor=applicant, action="application.started", target=application)
    return application


def ensure_editable(application: Application, now) -> None:
    if application.status not in EDITABLE:
        raise ApplicationError(_("This application can no longer be changed."))
    if not application.edition.is_open(now):
        raise ApplicationError(deadline_passed_message(application.edition))


def _changed(application: Application) -> None:
    """Mark a submitted application as changed; it must stay complete while it is submitted.

    Changes take effect at once (coordinators see the current state); re-submitting records
    them in the audit log and sends a new confirmation.
    """
    if application.status != ApplicationStatus.SUBMITTED:
        return
    found = gaps(application, application.edition)
    if found:
        raise ApplicationError(
            _(
                "Your application is already submitted, so it must stay complete: %(problem)s "
                "Add the replacement first, then remove the old entry.",
                problem=gap_message(found[0]),
            )
        )
    application.changed_since_submission = True


def save_profile(*, application, now, artist_name, contact_email, phone, website, links) -> None:
    """Step 1: the name the jury sees and how to reach the applicant."""
    ensure_editable(application, now)
    application.artist_name = artist_name.strip()
    application.contact_email = contact_email.strip().lower()
    application.phone = phone.strip()
    application.website = website.strip()
    application.links = links.strip()
    _changed(application)


def save_biography(*, application, now, biography: str) -> None:
    ensure_editable(application, now)
    application.biography = biography.strip()
    _changed(application)


def _place_id(value) -> int | None:
    """The hidden GeoNames id from the form, if it is one (it may be anything)."""
    text = str(value or "")
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 10 else None


def measured_basis(kind, place, cities) -> EligibilityBasis:
    """A basis for a listed place with its nearest city and exact great-circle distance."""
    check = check_place(place, cities, radius_km=0)
    return EligibilityBasis(
        kind=kind,
        place_id=place.id,
        place_name=place.name,
        country=place.country,
        latitude=place.latitude,
        longitude=place.longitude,
        nearest_city=check.city,
        distance_km=check.distance_km,
    )


def add_basis(
    *, application, now, kind, place_text: str, place_id, manual: bool, explanation: str = ""
) -> EligibilityBasis:
    """Add a place the applicant is tied to, measured against the network's cities.

    A place from the shipped list gets its nearest city and great-circle distance; a place typed
    by hand (``manual``) keeps the applicant's explanation and flags the application for the
    coordinators.
    """
    ensure_editable(application, now)
    if len(application.bases) >= MAX_BASES:
        raise ApplicationError(_("You can name at most %(n)d places.", n=MAX_BASES))
    listed = resolve_place(place_text, _place_id(place_id))
    if manual and listed is not None:
        # Ticking "not in the list" for a listed place would skip the distance rule.
        raise ApplicationError(
            _(
                "“%(place)s” is in our list of places. Choose it from the list; its distance "
                "is measured for you.",
                place=listed.name,
            )
        )
    if manual:
        basis = EligibilityBasis(
            kind=kind, place_name=place_text.strip(), manual=True, explanation=explanation.strip()
        )
    else:
        place = listed
        if place is None:
            raise ApplicationError(
                _(
                    "We could not find “%(place)s”. Choose the place from the list, or tick "
                    "“My place is not in the list” and explain.",
                    place=place_text.strip()[:80],
                )
            )
        cities = db.session.scalars(select(City).order_by(City.id)).all()
        basis = measured_basis(kind, place, cities)
    application.bases.append(basis)
    _changed(application)
    return basis


def remove_basis(*, application, now, basis_id: int) -> None:
    ensure_editable(application, now)
    basis = next((b for b in application.bases if b.id == basis_id), None)
    if basis is None:
        raise ApplicationError(_("This place is not part of your application."))
    application.bases.remove(basis)
    _changed(application)


def save_work(*, application, now, work_id: int | None = None, **fields) -> Work:
    """Add a work, or change one; at most the edition's number of works."""
    ensure_editable(application, now)
    if work_id is None:
        if len(application.works) >= application.edition.max_works:
            raise ApplicationError(
                _(
                    "You have already added %(n)d works, the most this call allows.",
                    n=application.edition.max_works,
                )
            )
        work = Work(position=max((w.position for w in application.works), default=0) + 1)
        application.works.append(work)
    else:
        work = work_of(application, work_id)
    for name, value in fields.items():
        setattr(work, name, value.strip() if isinstance(value, str) else value)
    _changed(application)
    return work


def work_of(application: Application, work_id: int) -> Work:
    work = next((w for w in application.works if w.id == work_id), None)
    if work is None:
        raise ApplicationError(_("This work is not part of your application."))
    return work


def remove_work(*, application, now, work_id: int) -> None:
    # Imported here: the media services build on these ones.
    from qpmusic.media.services import discard_work_files

    ensure_editable(application, now)
    work = work_of(application, work_id)
    discard_work_files(work)
    application.works.remove(work)
    for position, work in enumerate(application.works, start=1):
        work.position = position
    _changed(application)


def save_consents(*, application, now, rules: bool, privacy: bool) -> None:
    ensure_editable(application, now)
    application.consent_rules_at = (application.consent_rules_at or now) if rules else None
    application.consent_privacy_at = (application.consent_privacy_at or now) if privacy else None
    _changed(application)
