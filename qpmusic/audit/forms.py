"""The audit log's filters, read from the query string so a filtered view can be bookmarked."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from qpmusic.audit.listing import AuditFilter


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = SearchField(
        _l("Who (e-mail address)"),
        validators=[Optional(), Length(max=254)],
        description=_l("Any part of the address."),
    )
    action = SearchField(
        _l("Action"),
        validators=[Optional(), Length(max=80)],
        description=_l("The start of it, e.g. “conflict.” or “round.opened”."),
    )
    # Choices are the target types on record, set by the view.
    target = SelectField(_l("Concerning"), validators=[Optional()], validate_choice=False)
    since = DateField(_l("From (date)"), validators=[Optional()])
    until = DateField(_l("Until (date, included)"), validators=[Optional()])

    def set_targets(self, types: list[str], everything: str) -> None:
        self.target.choices = [SelectChoice("", everything)] + [SelectChoice(t, t) for t in types]

    def to_filter(self) -> AuditFilter:
        """The valid parts of the query string; a mangled value is ignored, not an error page."""
        self.validate()

        def valid(field):
            return field.data if field.data and not field.errors else None

        return AuditFilter(
            actor=valid(self.actor) or "",
            action=valid(self.action) or "",
            target_type=valid(self.target) or "",
            since=valid(self.since),
            until=valid(self.until),
        )
