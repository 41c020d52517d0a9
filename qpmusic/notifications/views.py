"""A debug-only mailbox: the e-mails the file backend wrote, for local development."""

import io
from email import message_from_binary_file, policy
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template

bp = Blueprint("mailbox", __name__, url_prefix="/_debug/mail")


def mail_files() -> list[Path]:
    folder = Path(current_app.config["MAIL_FILE_PATH"])
    return sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)


def read_messages(path: Path) -> list:
    # The file backend appends each message followed by a line of dashes.
    raw = path.read_bytes()
    chunks = [c.strip() for c in raw.split(b"-" * 79) if c.strip()]
    return [message_from_binary_file(io.BytesIO(c), policy=policy.default) for c in chunks]


@bp.route("/")
def index():
    entries = []
    for path in mail_files():
        for number, message in enumerate(read_messages(path)):
            entries.append({"file": path.name, "number": number, "message": message})
    return render_template("notifications/mailbox.html", entries=entries)


@bp.route("/<name>/<int:number>")
def show(name, number):
    path = next((p for p in mail_files() if p.name == name), None)
    if path is None:
        abort(404)
    messages = read_messages(path)
    if number >= len(messages):
        abort(404)
    message = messages[number]
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return render_template(
        "notifications/mail.html",
        message=message,
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
    )
