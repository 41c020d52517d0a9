"""Edition look-ups and verbs; callers own the transaction."""

from sqlalchemy import select

from qpmusic.editions.models import Edition
from qpmusic.enums import EditionPhase
from qpmusic.extensions import db


def current_edition() -> Edition | None:
    """The newest edition the public may see (not a draft, not archived)."""
    return db.session.scalar(
        select(Edition)
        .where(Edition.phase.notin_([EditionPhase.DRAFT, EditionPhase.ARCHIVED]))
        .order_by(Edition.year.desc())
        .limit(1)
    )
