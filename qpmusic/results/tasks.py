"""The tally as a Celery task: ids in, a snapshot stored (or found) and committed."""

import logging

from celery import shared_task

from qpmusic.accounts.models import User
from qpmusic.extensions import db
from qpmusic.jury.models import Round
from qpmusic.results.snapshots import TallyRefused, compute_snapshot

log = logging.getLogger(__name__)


@shared_task
def compute_results(round_id: int, actor_id: int | None = None) -> str:
    """Tally the round; running it again on the same input finds the same snapshot.

    A refusal (drafts appeared, the result was frozen meanwhile) is not an error to retry:
    it is logged and returned as its code.
    """
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        return "gone"
    actor = db.session.get(User, actor_id) if actor_id is not None else None
    try:
        snapshot = compute_snapshot(round_=round_, actor=actor)
    except TallyRefused as refused:
        db.session.rollback()
        log.info("tally of round %s refused: %s", round_id, refused.code)
        return refused.code
    db.session.commit()
    return snapshot.input_digest
