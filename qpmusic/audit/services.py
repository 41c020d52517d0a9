"""Recording audit events; callers own the transaction."""

from qpmusic.audit.models import AuditEvent
from qpmusic.extensions import db


def record_event(*, actor, action: str, target, before=None, after=None) -> AuditEvent:
    """Add an audit event for ``action`` on ``target`` to the current transaction."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__tablename__,
        target_id=target.id,
        before=before,
        after=after,
    )
    db.session.add(event)
    return event
