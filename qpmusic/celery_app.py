"""Celery bound to Flask: tasks run inside the app context and are sent only after commit."""

import logging

from celery import Celery, Task
from celery.signals import setup_logging, worker_process_init
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from qpmusic.extensions import db
from qpmusic.logs import configure_logging, current_request_id

log = logging.getLogger(__name__)
PENDING_KEY = "qpmusic_tasks_after_commit"


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            # A fresh app context gives the task its own database session, also when it
            # runs eagerly inside a request.
            token = current_request_id.set(self._request_id())
            with app.app_context():
                try:
                    return self.run(*args, **kwargs)
                finally:
                    db.session.remove()
                    current_request_id.reset(token)

        def _request_id(self) -> str:
            """The id of the request that queued this task; the task's own id otherwise."""
            sent = getattr(self.request, "request_id", None)
            if sent:
                return sent
            if current_request_id.get() != "-":
                return current_request_id.get()  # run eagerly inside the request
            return f"task-{self.request.id}" if self.request.id else "-"

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app

    if app.config["LOG_FORMAT"] == "json":
        # Connecting this signal makes Celery leave logging to us: worker lines are JSON too.
        @setup_logging.connect(weak=False)
        def log_as_json(**_):
            configure_logging("json")

    @worker_process_init.connect(weak=False)
    def dispose_inherited_connections(**_):
        # A forked worker must not reuse the parent's pooled connections.
        with app.app_context():
            db.engine.dispose(close=False)

    return celery_app


def bound_task(task) -> Task:
    """``task`` as registered on the current Flask app's Celery (eager or with a broker).

    ``shared_task`` proxies follow Celery's process-wide default app, which is whichever app
    was created last; looking the task up through the Flask app keeps each app's own broker.
    """
    return current_app.extensions["celery"].tasks[task.name]


def send_after_commit(task, *args, **kwargs) -> None:
    """Queue ``task`` to be sent once the current transaction commits (dropped on rollback)."""
    db.session.info.setdefault(PENDING_KEY, []).append((task, args, kwargs))


@event.listens_for(Session, "after_commit")
def _send_pending_tasks(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, [])
    for task, args, kwargs in pending:
        try:
            bound_task(task).apply_async(
                args=args,
                kwargs=kwargs,
                retry=False,
                headers={"request_id": current_request_id.get()},
            )
        except Exception:
            # The broker is unreachable: the row that needs the task is committed, and the
            # periodic sweep sends it again once the broker is back.
            log.exception("could not send task %s%r; the sweep will retry", task.name, args)


@event.listens_for(Session, "after_rollback")
def _drop_pending_tasks(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
