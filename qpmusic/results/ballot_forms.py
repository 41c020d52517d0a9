"""Forms of the final ballot and the awards; a juror's ranks are read from plain selects."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from qpmusic.results.awards import LANGUAGES, STATEMENT_MAX_LENGTH, AwardChoice

LANGUAGE_LABELS = {"de": _l("German"), "fr": _l("French"), "en": _l("English")}


class CloseForm(FlaskForm):
    anyway = BooleanField(_l("Close anyway, although not every juror has voted"))


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for reopening"),
        validators=[
            InputRequired(_l("Please give a reason for reopening the ballot.")),
            Length(max=2000),
        ],
        render_kw={"rows": 2},
    )


def _statement(label):
    return TextAreaField(
        label,
        validators=[Length(max=STATEMENT_MAX_LENGTH)],
        render_kw={"rows": 4},
    )


class AwardsForm(FlaskForm):
    # Choices (application ids) are set by the view; 0 is "no special prize".
    prize = SelectField(
        _l("Prize winner"), coerce=int, validators=[InputRequired(_l("Please choose a finalist."))]
    )
    reason = TextAreaField(
        _l("Reason, if the prize does not go to the ballot's winner"),
        validators=[Length(max=2000)],
        render_kw={"rows": 2},
        description=_l("Recorded in the audit log."),
    )
    prize_de = _statement(_l("Jury statement on the prize (German)"))
    prize_fr = _statement(_l("Jury statement on the prize (French)"))
    prize_en = _statement(_l("Jury statement on the prize (English)"))
    special = SelectField(_l("Special prize (optional)"), coerce=int, default=0)
    special_de = _statement(_l("Jury statement on the special prize (German)"))
    special_fr = _statement(_l("Jury statement on the special prize (French)"))
    special_en = _statement(_l("Jury statement on the special prize (English)"))

    FIELD_FOR = {"reason": "reason", "prize": "prize", "special": "special"}

    def offer(self, *, finalists, special_candidates, proposal=None) -> "AwardsForm":
        self.prize.choices = [SelectChoice(0, _l("Choose a finalist"))] + [
            SelectChoice(a.id, a.artist_name) for a in finalists
        ]
        self.special.choices = [SelectChoice(0, _l("No special prize"))] + [
            SelectChoice(a.id, a.artist_name) for a in special_candidates
        ]
        if proposal is not None and not self.prize.data:
            self.prize.data = proposal
        return self

    @classmethod
    def for_awards(cls, awards, **kwargs) -> "AwardsForm":
        data = {}
        for kind, award in awards.items():
            name = "prize" if kind.value == "prize" else "special"
            data[name] = award.application_id
            for lang in LANGUAGES:
                data[f"{name}_{lang}"] = getattr(award, f"statement_{lang}")
        return cls(data=data, **kwargs)

    def choice(self, name: str) -> AwardChoice:
        return AwardChoice(
            application_id=getattr(self, name).data or None,
            statements={lang: getattr(self, f"{name}_{lang}").data or "" for lang in LANGUAGES},
        )

    def show_error(self, field_name: str | None, message) -> bool:
        name = self.FIELD_FOR.get(field_name or "")
        if name is None:
            return False
        self[name].errors = [*self[name].errors, message]
        return True


@dataclass
class TypedBallot:
    """The ranks a juror sent: {application id: rank}, and the finalists left without one."""

    ranks: dict[int, int] = field(default_factory=dict)
    missing: list[int] = field(default_factory=list)
    version: int = 0


def read_ballot(formdata, candidate_ids) -> TypedBallot:
    """Read ``rank-<application id>`` selects (1 … number of candidates) and ``version``."""
    typed = TypedBallot()
    try:
        typed.version = int(formdata.get("version", "0"))
    except ValueError:
        typed.version = -1  # never a ballot's version: the save is refused as stale
    for application_id in candidate_ids:
        raw = (formdata.get(f"rank-{application_id}") or "").strip()
        # isascii: "²".isdigit() is true but int("²") fails; the length keeps int() cheap.
        if (
            raw.isascii()
            and raw.isdigit()
            and len(raw) <= 4
            and 1 <= int(raw) <= len(candidate_ids)
        ):
            typed.ranks[application_id] = int(raw)
        else:
            typed.missing.append(application_id)
    return typed
