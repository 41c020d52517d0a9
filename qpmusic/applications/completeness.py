"""What an application still lacks before it may be submitted; pure, with no Flask import."""

from dataclasses import dataclass, field

BIOGRAPHY_MAX_CHARS = 3000
MAX_BASES = 8
STEPS = ("profile", "biography", "eligibility", "works", "consents")


@dataclass
class Gap:
    """One missing or wrong piece: the step that fixes it, a message code and its values."""

    step: str
    code: str
    params: dict = field(default_factory=dict)


def work_year_bounds(*, edition_year: int, age_limit: int, closes_year: int) -> tuple[int, int]:
    """Oldest and newest year a finished work may carry ("composed within the last N years")."""
    return edition_year - age_limit, max(edition_year, closes_year)


def work_year_problem(year, in_progress: bool, *, bounds: tuple[int, int] | None) -> str | None:
    # A work in progress is current by definition, whenever it was begun.
    if in_progress:
        return None
    if year is None:
        return "work_year_missing"
    if bounds is None:
        return None
    if year < bounds[0]:
        return "work_too_old"
    if year > bounds[1]:
        return "work_in_future"
    return None


def basis_within(basis, radius_km: float) -> bool:
    return basis.distance_km is not None and basis.distance_km <= radius_km


def gaps(application, edition) -> list[Gap]:
    """Everything that stops ``application`` from being submitted to ``edition``, in step order."""
    found: list[Gap] = []
    if not application.artist_name.strip():
        found.append(Gap("profile", "artist_name_missing"))
    if not application.contact_email.strip():
        found.append(Gap("profile", "contact_email_missing"))
    if not application.biography.strip():
        found.append(Gap("biography", "biography_missing"))
    elif len(application.biography) > BIOGRAPHY_MAX_CHARS:
        found.append(Gap("biography", "biography_too_long", {"max": BIOGRAPHY_MAX_CHARS}))
    found.extend(_eligibility_gaps(application, edition))
    found.extend(_work_gaps(application, edition))
    if application.consent_rules_at is None:
        found.append(Gap("consents", "rules_consent_missing"))
    if application.consent_privacy_at is None:
        found.append(Gap("consents", "privacy_consent_missing"))
    return found


def _eligibility_gaps(application, edition) -> list[Gap]:
    if not application.bases:
        return [Gap("eligibility", "no_basis")]
    if any(b.manual or basis_within(b, edition.radius_km) for b in application.bases):
        return []
    return [Gap("eligibility", "no_basis_within_radius", {"radius": edition.radius_km})]


def _work_gaps(application, edition) -> list[Gap]:
    works = application.works
    if not works:
        return [Gap("works", "no_work")]
    found = []
    if len(works) > edition.max_works:
        found.append(Gap("works", "too_many_works", {"max": edition.max_works}))
    bounds = work_year_bounds(
        edition_year=edition.year,
        age_limit=edition.work_age_limit,
        closes_year=edition.closes_at.year,
    )
    for work in works:
        problem = work_year_problem(work.year_composed, work.in_progress, bounds=bounds)
        if problem:
            found.append(Gap("works", problem, {"title": work.title, "year": bounds[0]}))
        if not work.duration_seconds:
            found.append(Gap("works", "work_duration_missing", {"title": work.title}))
        if not has_recording(work):
            found.append(Gap("works", "work_recording_missing", {"title": work.title}))
    return found


def has_recording(work) -> bool:
    """The jury must be able to hear or see the work: a sound or video file, or a link to one.

    A file still being checked counts; a refused one does not.
    """
    if work.links.strip():
        return True
    return any(
        media.kind in ("audio", "video") and media.status != "rejected"
        for media in getattr(work, "media", [])
    )
