"""gunicorn in production: `gunicorn -c python:qpmusic.gunicorn_conf 'qpmusic:create_app()'`.

docker-compose.yml and the Dockerfile start the web process with it. Each value can be changed
with the environment variable named next to it.
"""

import multiprocessing

from qpmusic.config import setting

bind = setting("BIND")
# Two processes per core plus one; each serves several requests at once with its threads.
workers = int(setting("WEB_WORKERS") or 2 * multiprocessing.cpu_count() + 1)
worker_class = "gthread"
# An 8 MB upload chunk from a phone on a slow line, or a juror's stream of a long WAV, holds a
# thread for minutes; threads keep the other requests of that process moving meanwhile.
threads = int(setting("WEB_THREADS"))
# With gthread the timeout watches the process, not a request: a slow upload never trips it,
# a process that stops answering (a deadlock, a runaway C call) is replaced after a minute.
timeout = 60
# On a restart, uploads and streams in flight get two minutes to finish.
graceful_timeout = 120
keepalive = 5
# The app is loaded once, in the master, before the workers are forked: they start at once and
# share read-only data (the places index) instead of each building it on its first request.
preload_app = True
# Recycling processes now and then bounds what a slow leak in a library can cost; the jitter keeps
# them from restarting all at once.
max_requests = 5000
max_requests_jitter = 500

# One JSON object per request; request_id is the X-Request-ID the app answered with
# (qpmusic/logs.py), so an access line can be matched to the application's own lines.
accesslog = "-"
errorlog = "-"
access_log_format = (
    '{"time": "%(t)s", "logger": "access", "remote": "%(h)s", "method": "%(m)s", '
    '"path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, '
    '"request_id": "%({x-request-id}o)s", "user_agent": "%(a)s"}'
)


def when_ready(server):
    """In the master, before forking: build the places index the eligibility step searches."""
    from qpmusic.geo.places import all_places

    all_places()
