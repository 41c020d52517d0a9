"""Which language a request is served in, and the switch between them."""

from flask import current_app, request, session
from flask_login import current_user


def select_locale() -> str:
    """The user's preference, else ``?lang=`` (remembered), else Accept-Language, else German."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


LANGUAGE_NAMES = {"de": "Deutsch", "fr": "Français", "en": "English"}
