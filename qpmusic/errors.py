"""Error pages in the visitor's language."""

from flask import Flask, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from qpmusic.extensions import db

PAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("This page does not exist or has moved.")),
    405: (_l("Not allowed"), _l("This page cannot be used this way.")),
    413: (_l("File too large"), _l("What you sent is larger than allowed. Nothing was saved.")),
    429: (_l("Too many attempts"), _l("Please wait a minute before you try again.")),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error occurred. Nothing was saved; the office has been informed."),
    ),
}
CSRF_MESSAGE = _l(
    "The form had expired or was not sent from this site, so nothing was saved. "
    "Please reload the page and send it again."
)


def render_error(code: int, message=None):
    title, explanation = PAGES.get(code, PAGES[500] if code >= 500 else PAGES[400])
    # str(): lazy strings would otherwise bypass autoescaping through their __html__.
    return render_template(
        "errors/error.html", code=code, title=str(title), explanation=str(message or explanation)
    ), code


def _json_strings(value) -> list[str]:
    """Every key and string in a parsed JSON body (iterative: a body may nest deeply)."""
    strings, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            strings.append(item)
        elif isinstance(item, dict):
            strings += item.keys()
            stack += item.values()
        elif isinstance(item, list):
            stack += item
    return strings


def _json_body():
    try:
        return request.get_json(silent=True)
    except RecursionError:
        # Nested deeper than the parser goes: no script of ours sends that.
        abort(400)


def accepts_json(view):
    """Mark a view that reads a JSON body itself (under its route decorator).

    Every other view refuses one: Flask-WTF reads a JSON body as the form's data, and a body
    that is not an object of strings (a number, a list, nested values) would crash the form.
    """
    view.accepts_json = True
    return view


# PostgreSQL's integer: no row has a larger id, and binding one fails in the database.
MAX_ID = 2**31 - 1


def register_error_pages(app: Flask) -> None:
    @app.url_value_preprocessor
    def refuse_ids_beyond_the_database(endpoint, values):
        numbers = (v for v in (values or {}).values() if isinstance(v, int))
        if any(not -MAX_ID <= number <= MAX_ID for number in numbers):
            abort(404)

    @app.before_request
    def refuse_json_where_forms_are_expected():
        view = app.view_functions.get(request.endpoint)
        submitted = request.method in ("POST", "PUT", "PATCH", "DELETE")
        if submitted and request.is_json and not getattr(view, "accepts_json", False):
            abort(400)

    @app.before_request
    def refuse_nul_bytes():
        # PostgreSQL text cannot hold NUL; no person types one, so the request is malformed.
        # Every value of a repeated field, the URL's path (an id or token in it) and JSON too.
        pairs = (*request.args.items(multi=True), *request.form.items(multi=True))
        texts = [request.path, *(text for pair in pairs for text in pair)]
        if request.is_json:
            texts += _json_strings(_json_body())
        if any("\x00" in text for text in texts):
            abort(400)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(Exception)
    def server_error(error):
        db.session.rollback()
        app.logger.exception("unhandled error", exc_info=error)
        return render_error(500)
