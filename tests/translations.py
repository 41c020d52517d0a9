"""Expected page text in a language, from the catalogs, checked to be really translated."""

from flask_babel import force_locale, gettext
from markupsafe import escape


def translated(msgid: str, language: str, **values) -> str:
    """The HTML-escaped translation of ``msgid``; fails if a non-English one is missing."""
    with force_locale(language):
        text = gettext(msgid, **values)
    english = msgid % values if values else msgid
    if language != "en":
        assert text != english, f"{msgid!r} has no {language} translation"
    return str(escape(text))
