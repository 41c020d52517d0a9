"""qpmusic: applications, jury and results for the QuattroPole Music Prize."""

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from qpmusic.config import load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("QPMUSIC_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
    )
    app.config.update(load_config(app.instance_path, test_config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        # Behind a TLS proxy: the client's address (rate limits) and scheme come from it.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_pages(app)
    register_templates(app)
    register_security_headers(app)
    register_cli(app)
    register_celery(app)
    return app


def register_logging(app: Flask) -> None:
    from qpmusic.logs import configure_logging, register_request_ids

    register_request_ids(app)
    # Tests keep pytest's own log capture unless a test asks for a format.
    if not app.testing or app.config.get("LOG_STREAM") is not None:
        configure_logging(app.config["LOG_FORMAT"], app.config.get("LOG_STREAM"))


def register_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    # Every model module, so metadata (and so migrations) always sees the whole schema.
    import qpmusic.accounts.models
    import qpmusic.applications.models
    import qpmusic.audit.models
    import qpmusic.editions.models
    import qpmusic.geo.models
    import qpmusic.jury.models
    import qpmusic.media.models
    import qpmusic.notifications.models
    import qpmusic.results.models
    import qpmusic.screening.models  # noqa: F401
    from qpmusic.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
    from qpmusic.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    limiter.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(auth_token: str):
        from sqlalchemy import select

        from qpmusic.accounts.models import User

        return db.session.scalar(select(User).where(User.auth_token == auth_token))


def register_blueprints(app: Flask) -> None:
    from qpmusic.accounts import invitation_views, profile_views
    from qpmusic.accounts import views as account_views
    from qpmusic.applications import views as application_views
    from qpmusic.audit import views as audit_views
    from qpmusic.editions import views as edition_views
    from qpmusic.geo import city_views
    from qpmusic.geo import views as geo_views
    from qpmusic.home import views as home_views
    from qpmusic.jury import member_views, office_views, round_views
    from qpmusic.jury import views as jury_views
    from qpmusic.legal import views as legal_views
    from qpmusic.media import upload_views
    from qpmusic.media import views as media_views
    from qpmusic.notifications import outbox_views
    from qpmusic.notifications import views as mailbox_views
    from qpmusic.privacy import views as privacy_views
    from qpmusic.results import ballot_views, export_views, finalist_views, public_views
    from qpmusic.results import views as results_views
    from qpmusic.screening import views as screening_views

    app.register_blueprint(home_views.bp)
    app.register_blueprint(legal_views.bp)
    app.register_blueprint(account_views.bp)
    app.register_blueprint(profile_views.bp)
    app.register_blueprint(privacy_views.bp)
    app.register_blueprint(invitation_views.bp)
    app.register_blueprint(edition_views.bp)
    app.register_blueprint(geo_views.bp)
    app.register_blueprint(city_views.bp)
    app.register_blueprint(application_views.bp)
    app.register_blueprint(screening_views.bp)
    app.register_blueprint(upload_views.bp)
    app.register_blueprint(media_views.bp)
    app.register_blueprint(member_views.bp)
    app.register_blueprint(round_views.bp)
    app.register_blueprint(jury_views.bp)
    app.register_blueprint(office_views.bp)
    app.register_blueprint(results_views.bp)
    app.register_blueprint(finalist_views.bp)
    app.register_blueprint(ballot_views.bp)
    app.register_blueprint(public_views.bp)
    app.register_blueprint(export_views.bp)
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(outbox_views.bp)
    # Reading mail files in the browser is a development aid only.
    if app.debug and app.config["MAIL_BACKEND"] == "file":
        app.register_blueprint(mailbox_views.bp)


def register_error_pages(app: Flask) -> None:
    from qpmusic.errors import register_error_pages as register

    register(app)


def register_templates(app: Flask) -> None:
    from qpmusic import formatting

    formatting.register(app)


def register_security_headers(app: Flask) -> None:
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    )

    @app.after_request
    def add_headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["QPMUSIC_ENV"] == "production":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def register_cli(app: Flask) -> None:
    from qpmusic.cli import register_cli as register

    register(app)


def register_celery(app: Flask) -> None:
    from qpmusic.celery_app import celery_init_app

    celery_init_app(app)
    # Importing the task modules registers their tasks with this app.
    import qpmusic.applications.tasks
    import qpmusic.editions.tasks
    import qpmusic.jury.tasks
    import qpmusic.media.cleanup
    import qpmusic.media.tasks
    import qpmusic.notifications.tasks
    import qpmusic.privacy.tasks
    import qpmusic.results.tasks  # noqa: F401
