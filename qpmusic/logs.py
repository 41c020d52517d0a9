"""Logs: one JSON object per line in production, every line of a request or task with its id.

A request takes the id a front proxy sent in ``X-Request-ID`` (when it looks like one) or makes
one, answers with it, and hands it to the tasks it queues, so the e-mail of a submission can be
traced back to the submit request across web and worker logs.
"""

import contextvars
import logging
import re
import sys
import uuid

from flask import Flask, g, request
from pythonjsonlogger.json import JsonFormatter

HEADER = "X-Request-ID"
WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,64}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"

# Set for a request (from g) and inside a task (from the message headers).
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


def formatter(kind: str) -> logging.Formatter:
    if kind == "json":
        return JsonFormatter(
            JSON_FIELDS,
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(kind: str, stream=None) -> logging.Handler:
    """Send every logger's records through one handler on the root logger, replacing ours."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "qpmusic", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.qpmusic = True
    handler.setFormatter(formatter(kind))
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    # Production keeps INFO (tasks done, tallies refused); a developer's terminal only warnings.
    root.setLevel(logging.INFO if kind == "json" else logging.WARNING)
    # Libraries that narrate every step at INFO (the PDF layout, font subsetting).
    for chatty in ("weasyprint", "fontTools"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    return handler


def register_request_ids(app: Flask) -> None:
    @app.before_request
    def take_request_id():
        offered = request.headers.get(HEADER, "")
        g.request_id = offered if WELL_FORMED.fullmatch(offered) else uuid.uuid4().hex
        g.request_id_token = current_request_id.set(g.request_id)

    @app.after_request
    def answer_request_id(response):
        if "request_id" in g:
            response.headers[HEADER] = g.request_id
        return response

    @app.teardown_request
    def forget_request_id(_exc):
        token = g.pop("request_id_token", None)
        if token is not None:
            current_request_id.reset(token)
