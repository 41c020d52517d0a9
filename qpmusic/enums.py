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
