"""The public page of a published edition: winners with the jury's words, finalists, the jury."""

from flask import Blueprint, abort, render_template

from qpmusic.results.publication import public_page

bp = Blueprint("public_results", __name__)


def web_links(text: str) -> list[str]:
    """The http(s) addresses among a work's links, one a line; nothing else becomes a link."""
    lines = (line.strip() for line in (text or "").splitlines())
    return [line for line in lines if line.lower().startswith(("https://", "http://"))]


@bp.route("/editions/<int:year>")
def edition(year):
    page = public_page(year) or abort(404)
    return render_template(
        "results/public_edition.html", page=page, edition=page.edition, web_links=web_links
    )
