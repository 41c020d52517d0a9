"""Settings: embedded defaults, and a production config that refuses unsafe values."""

import pytest

from qpmusic import create_app
from qpmusic.config import SETTINGS, ConfigError


def production(monkeypatch, **values):
    monkeypatch.setenv("QPMUSIC_ENV", "production")
    monkeypatch.setenv("QPMUSIC_DATABASE_URL", "postgresql+psycopg://u@db/qpmusic")
    for key, value in values.items():
        monkeypatch.setenv(f"QPMUSIC_{key}", value)


def test_production_refuses_the_default_secret_key(monkeypatch):
    production(monkeypatch)

    with pytest.raises(ConfigError, match="QPMUSIC_SECRET_KEY"):
        create_app()


def test_production_refuses_a_short_secret_key(monkeypatch):
    production(monkeypatch, SECRET_KEY="short")

    with pytest.raises(ConfigError, match="QPMUSIC_SECRET_KEY"):
        create_app()


def test_production_refuses_sqlite(monkeypatch):
    production(monkeypatch, SECRET_KEY="x" * 48, DATABASE_URL="sqlite:///tmp.db")

    with pytest.raises(ConfigError, match="PostgreSQL"):
        create_app()


def test_production_with_a_real_secret_has_secure_cookies(monkeypatch):
    production(monkeypatch, SECRET_KEY="s3cr3t-" * 8)

    app = create_app()

    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_embedded_default_runs_without_any_service(monkeypatch, tmp_path):
    monkeypatch.setenv("QPMUSIC_ENV", "embedded")
    monkeypatch.setenv("QPMUSIC_INSTANCE_PATH", str(tmp_path))

    app = create_app()

    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'qpmusic.sqlite'}"
    assert app.extensions["celery"].conf.task_always_eager is True
    assert app.config["MAIL_BACKEND"] == "file"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_every_setting_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()

    for name, (default, _) in SETTINGS.items():
        row = next((line for line in readme.splitlines() if f"| `QPMUSIC_{name}` |" in line), "")
        assert row, f"QPMUSIC_{name} is missing from the README"
        assert (f"`{default}`" if default else "(empty)") in row, name
