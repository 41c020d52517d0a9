"""How editions read on a page: phase names, instants in Luxembourg time, money, rules text."""

import re
from decimal import Decimal

from babel.numbers import format_currency
from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from qpmusic.enums import EditionPhase

PHASE_LABELS = {
    EditionPhase.DRAFT: _l("Draft"),
    EditionPhase.OPEN: _l("Call open"),
    EditionPhase.CLOSED: _l("Call closed"),
    EditionPhase.PRESELECTION: _l("Pre-selection"),
    EditionPhase.JURY: _l("Jury"),
    EditionPhase.FINAL: _l("Final"),
    EditionPhase.PUBLISHED: _l("Results published"),
    EditionPhase.ARCHIVED: _l("Archived"),
}
# The button that moves an edition forward into the phase.
FORWARD_LABELS = {
    EditionPhase.OPEN: _l("Open the call"),
    EditionPhase.CLOSED: _l("Close the call"),
    EditionPhase.PRESELECTION: _l("Start the pre-selection"),
    EditionPhase.JURY: _l("Start the jury phase"),
    EditionPhase.FINAL: _l("Start the final"),
    EditionPhase.PUBLISHED: _l("Publish the results"),
    EditionPhase.ARCHIVED: _l("Archive the edition"),
}

# The countdown's words; countdown.js receives the same ones through data- attributes.
COUNTDOWN_UNITS = (
    ("days", _l("day"), _l("days")),
    ("hours", _l("hour"), _l("hours")),
    ("minutes", _l("minute"), _l("minutes")),
)


def countdown(remaining) -> str:
    """ "3 days, 4 hours, 5 minutes left" in the page's language, leading zero units left out."""
    plural_form = get_locale().plural_form
    parts = []
    for attribute, one, other in COUNTDOWN_UNITS:
        number = getattr(remaining, attribute)
        if number or parts or attribute == "minutes":
            parts.append(f"{number} {one if plural_form(number) == 'one' else other}")
    return _("%(time)s left", time=", ".join(parts))


def moment(value) -> str:
    """Weekday, date and time in Luxembourg in the page's language; seconds only if set."""
    time_format = "medium" if value.second else "short"
    return f"{format_date(value, 'full')}, {format_time(value, time_format)}"


def money(value, currency: str = "EUR") -> str:
    """An amount in the page's locale; whole amounts without decimals (10.000 €, €10,000)."""
    locale = get_locale()
    amount = Decimal(value)
    pattern = locale.currency_formats["standard"].pattern
    if amount == amount.to_integral_value():
        pattern = pattern.replace(".00", "")
    return format_currency(amount, currency, format=pattern, locale=locale, currency_digits=False)


def paragraphs(text: str | None) -> list[list[str]]:
    """Plain text split into paragraphs (blank lines) of lines; the template escapes each."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []
    return [block.split("\n") for block in re.split(r"\n\s*\n", text)]


def register(bp) -> None:
    bp.add_app_template_filter(moment, "moment")
    bp.add_app_template_filter(money, "money")
    bp.add_app_template_filter(paragraphs, "paragraphs")
    bp.add_app_template_filter(countdown, "countdown")

    @bp.app_context_processor
    def edition_labels():
        return {
            "phase_labels": PHASE_LABELS,
            "forward_labels": FORWARD_LABELS,
            "countdown_units": COUNTDOWN_UNITS,
        }
