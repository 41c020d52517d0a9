"""States and kinds shared across features."""

import enum


class Role(enum.StrEnum):
    APPLICANT = "applicant"
    JUROR = "juror"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


STAFF_ROLES = (Role.JUROR, Role.COORDINATOR, Role.ADMIN)


class Language(enum.StrEnum):
    DE = "de"
    FR = "fr"
    EN = "en"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class EditionPhase(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PRESELECTION = "preselection"
    JURY = "jury"
    FINAL = "final"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ApplicationStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    SHORTLISTED = "shortlisted"
    NOT_SHORTLISTED = "not_shortlisted"
    FINALIST = "finalist"
    NOT_FINALIST = "not_finalist"
    WINNER = "winner"
    SPECIAL_PRIZE = "special_prize"


class EligibilityKind(enum.StrEnum):
    """The four ways a musician may be tied to the region; any one is enough."""

    BORN = "born"
    LIVES = "lives"
    WORKS = "works"
    STUDIES = "studies"


class AwardKind(enum.StrEnum):
    PRIZE = "prize"
    SPECIAL = "special"


class MediaKind(enum.StrEnum):
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"
    IMAGE = "image"


class MediaStatus(enum.StrEnum):
    PROCESSING = "processing"
    READY = "ready"
    REJECTED = "rejected"


class RoundKind(enum.StrEnum):
    PRESELECTION = "preselection"
    JURY = "jury"
    FINAL = "final"


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class AssignmentMode(enum.StrEnum):
    # Every juror reviews every application they have no conflict with.
    ALL = "all"
    # A target number of reviews per application, spread over cities (large editions).
    AUTOMATIC = "automatic"


class AssignmentStatus(enum.StrEnum):
    TODO = "todo"
    DRAFT = "draft"
    FINAL = "final"


class Recommendation(enum.StrEnum):
    """A coordinator's pre-selection vote."""

    YES = "yes"
    MAYBE = "maybe"
    NO = "no"


class ConflictType(enum.StrEnum):
    TEACHER = "teacher"
    FAMILY = "family"
    ENSEMBLE = "ensemble"
    LABEL = "label"
    EMPLOYER = "employer"
    OTHER = "other"


class ConflictSource(enum.StrEnum):
    JUROR = "juror"
    APPLICANT = "applicant"
    ADMIN = "admin"


class ConflictStatus(enum.StrEnum):
    DECLARED = "declared"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
