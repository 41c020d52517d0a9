"""Migrations build the schema from empty on PostgreSQL and SQLite and match the models."""

import flask_migrate
import pytest
from sqlalchemy import inspect

from qpmusic.extensions import db
from tests.conftest import make_app


def test_postgresql_schema_from_migrations_matches_the_models(app):
    # The session's schema was built by migrating (conftest.reset_schema).
    flask_migrate.check()


@pytest.fixture
def sqlite_app(test_config, tmp_path):
    return make_app({**test_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'q.db'}"})


def test_sqlite_migrates_from_empty_and_matches_the_models(sqlite_app):
    with sqlite_app.app_context():
        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        flask_migrate.check()
        flask_migrate.downgrade(revision="base")
        remaining = set(inspect(db.engine).get_table_names())
        db.engine.dispose()

    assert {
        "user",
        "user_role",
        "invitation",
        "outbox_message",
        "audit_event",
        "city",
        "edition",
    } <= tables
    assert remaining == {"alembic_version"}
