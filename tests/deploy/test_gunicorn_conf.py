"""The production web server: gunicorn started with qpmusic/gunicorn_conf.py answers and logs."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.mail_sink import free_port
from tests.services import DATABASE_URL

ROOT = Path(__file__).resolve().parents[2]


def test_gunicorn_with_the_production_config_serves_and_logs_json_access_lines(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "QPMUSIC_ENV": "testing",
        "QPMUSIC_DATABASE_URL": DATABASE_URL,
        "QPMUSIC_INSTANCE_PATH": str(tmp_path),
        "QPMUSIC_BIND": f"127.0.0.1:{port}",
        "QPMUSIC_WEB_WORKERS": "2",
        "QPMUSIC_WEB_THREADS": "2",
    }
    log = tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--config=python:qpmusic.gunicorn_conf",
            "qpmusic:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=(2, 60))
                break
            except requests.ConnectionError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert answer.status_code == 200
        request_id = answer.headers["X-Request-ID"]
        deadline = time.monotonic() + 10
        while request_id not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)

    access = [
        json.loads(line)
        for line in log.read_text().splitlines()
        if line.startswith('{"time"') and '"logger": "access"' in line
    ]
    [health] = [line for line in access if line["request_id"] == request_id]
    assert (health["method"], health["path"], health["status"]) == ("GET", "/healthz", 200)
    assert "Booting worker" in log.read_text()
    assert log.read_text().count("Booting worker") == 2
