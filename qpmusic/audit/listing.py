"""The audit log as the admin reads it: filtered, newest first, a page at a time, or as CSV."""

import json
import math
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from qpmusic.accounts.models import User
from qpmusic.audit.models import AuditEvent
from qpmusic.editions.localtime import local_to_utc
from qpmusic.extensions import db
from qpmusic.results.spreadsheets import Table

PAGE_SIZE = 50
# A value longer than this is cut in the page's diff (the CSV keeps it whole).
SHOWN_LENGTH = 120


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""  # part of the actor's e-mail address, any case
    action: str = ""  # the start of the action, e.g. "conflict." or "round.opened"
    target_type: str = ""
    since: date | None = None  # Luxembourg days, both ends included
    until: date | None = None


@dataclass
class Change:
    key: str
    kind: str  # "added", "removed" or "changed"
    old: str = ""
    new: str = ""


@dataclass
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int
    target_types: list[str] = field(default_factory=list)


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered(wanted: AuditFilter):
    """The SELECT of the events ``wanted`` asks for, newest first, actors loaded with them."""
    query = select(AuditEvent).options(joinedload(AuditEvent.actor))
    if wanted.actor:
        pattern = f"%{_like_escaped(wanted.actor.strip().lower())}%"
        query = query.where(
            AuditEvent.actor_id.in_(
                select(User.id).where(func.lower(User.email).like(pattern, escape="\\"))
            )
        )
    if wanted.action:
        query = query.where(
            AuditEvent.action.like(f"{_like_escaped(wanted.action.strip())}%", escape="\\")
        )
    if wanted.target_type:
        query = query.where(AuditEvent.target_type == wanted.target_type)
    if wanted.since:
        query = query.where(AuditEvent.at >= local_to_utc(wanted.since, time(0)))
    if wanted.until:
        query = query.where(AuditEvent.at < local_to_utc(wanted.until + timedelta(days=1), time(0)))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def target_types() -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.target_type).distinct().order_by(AuditEvent.target_type)
        )
    )


def audit_page(wanted: AuditFilter, page: int) -> AuditPage:
    """One page of events in three queries, however many events and actors there are."""
    query = filtered(wanted)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    events = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return AuditPage(list(events), total, page, pages, target_types())


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


def compact_diff(before, after) -> list[Change]:
    """What changed between two recorded states, key by key; unchanged keys are left out.

    States that are not objects (a list, a number) compare as a whole under the key "".
    """
    if not isinstance(before, dict | None) or not isinstance(after, dict | None):
        return [] if before == after else [Change("", "changed", _shown(before), _shown(after))]
    before, after = before or {}, after or {}
    changes = []
    for key in [*before, *(k for k in after if k not in before)]:
        if key not in after:
            changes.append(Change(key, "removed", old=_shown(before[key])))
        elif key not in before:
            changes.append(Change(key, "added", new=_shown(after[key])))
        elif before[key] != after[key]:
            changes.append(Change(key, "changed", _shown(before[key]), _shown(after[key])))
    return changes


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, default=str)


def audit_table(wanted: AuditFilter, headers: list[str]) -> Table:
    """Every event ``wanted`` asks for (no paging), for the CSV export, in one query."""
    table = Table(title="audit", headers=headers)
    for event in db.session.scalars(filtered(wanted)):
        actor = event.actor
        table.rows.append(
            [
                event.at,
                actor.email if actor else "",
                actor.name if actor else "",
                event.action,
                event.target_type,
                event.target_id,
                _json(event.before),
                _json(event.after),
            ]
        )
    return table
