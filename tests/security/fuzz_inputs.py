"""Malformed input for the fuzz tests: each form's fields read from its class, and hostile values.

A request is built so that it is certainly invalid: one field the form checks strictly (a number,
a choice, a date, a required or length-limited text) gets a value outside what it accepts, sent
first when the field is duplicated. The other fields get plausible or hostile values, or none.
"""

import inspect
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask_wtf import FlaskForm
from hypothesis import strategies as st
from wtforms import fields as f
from wtforms import validators as v
from wtforms.fields.core import UnboundField

HUGE = 100_000
NUMBER_LIKE = (f.IntegerField, f.DecimalField, f.FloatField)
DATE_LIKE = (f.DateField, f.DateTimeField, f.DateTimeLocalField)
CHOICE_LIKE = (f.SelectField, f.RadioField, f.SelectMultipleField)


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # number, date, time, choice, email, text, bool, file, hidden
    required: bool = False
    max_length: int | None = None
    choices: tuple = ()
    example: str = ""  # a value the form accepts, when the kind's own would not do

    @property
    def strict(self) -> bool:
        """Whether some value is refused by the form itself, whatever the other fields hold."""
        if self.kind in ("number", "date", "time", "choice", "email", "file"):
            return True
        return self.required or self.max_length is not None


def _field_of(name: str, unbound: UnboundField) -> Field:
    validators = unbound.kwargs.get("validators") or ()
    required = any(isinstance(x, v.InputRequired | v.DataRequired) for x in validators)
    lengths = [x.max for x in validators if isinstance(x, v.Length) and x.max >= 0]
    cls = unbound.field_class
    choices = unbound.kwargs.get("choices") or ()
    static = tuple(c[0] if isinstance(c, tuple) else getattr(c, "value", c) for c in choices)
    if issubclass(cls, f.BooleanField):
        kind = "bool"
    elif issubclass(cls, NUMBER_LIKE):
        kind = "number"
    elif issubclass(cls, f.TimeField):
        kind = "time"
    elif issubclass(cls, DATE_LIKE):
        kind = "date"
    elif issubclass(cls, CHOICE_LIKE):
        kind = "choice"
    elif issubclass(cls, f.FileField):
        kind = "file"
    elif any(isinstance(x, v.Email) for x in validators):
        kind = "email"
    elif issubclass(cls, f.HiddenField):
        kind = "hidden" if not required else "choice"
    else:
        kind = "text"
    return Field(name, kind, required, min(lengths) if lengths else None, static)


def form_fields(form_class) -> list[Field]:
    return sorted(
        (
            _field_of(name, value)
            for name, value in inspect.getmembers(form_class)
            if isinstance(value, UnboundField)
        ),
        key=lambda x: x.name,
    )


def forms_of_view(view) -> list[type]:
    """The FlaskForm classes a view reads the request with, found in its source; when it names
    none, in its module's functions it calls (``_form(city)`` building a ``CityForm``). Forms
    built with ``formdata=None`` only show a page and are left out."""
    view = inspect.unwrap(view)
    source = inspect.getsource(view)
    found = _forms_in(source, view.__globals__)
    if not found:
        for name in re.findall(r"\b(\w+)\(", source):
            helper = view.__globals__.get(name)
            if inspect.isfunction(helper) and helper.__module__ == view.__module__:
                found += _forms_in(inspect.getsource(helper), view.__globals__)
    return list(dict.fromkeys(found))


def _forms_in(source: str, names: dict) -> list[type]:
    found = []
    for match in re.finditer(r"\b([A-Z]\w*Form)\b(\([^)]*)?", source):
        cls = names.get(match.group(1))
        if "formdata=None" in (match.group(2) or "") or not isinstance(cls, type):
            continue
        if issubclass(cls, FlaskForm) and cls is not FlaskForm:
            found.append(cls)
    return found


# Text no person types: control and format characters, huge, JSON or markup in a field.
CONTROL = st.sampled_from(
    ["\x01\x02\x1b[31m", "\r\n\r\n", "\t\v\f", "\u202eevil", "\ufeff", "\u2028", "\x7f"]
)
HOSTILE_TEXT = st.one_of(
    st.just("x" * HUGE),
    CONTROL,
    st.just("\x00"),
    st.text(max_size=20),
    st.sampled_from(['{"a": 1}', "[1, 2]", "null", "true", "<script>x</script>", "' OR 1=1 --"]),
)
HUGE_NUMBERS = ["1" + "0" * 30, "-1" + "0" * 30, "9" * HUGE, "1e999", "-1e999", "1e10000000"]
NOT_NUMBERS = ["NaN", "nan", "-nan", "inf", "-Infinity", "abc", "1,5,0", "0x1A", "12abc", "--1"]
# Accepted by int()/Decimal() though no person types them: hostile, not certainly invalid.
ODD_NUMBERS = [
    "-1",
    "-0",
    "0",
    " 7 ",
    "1_0",
    "\u0661\u0662",
    "\u00b2",
    "1.5",
    "2e-400",
    "-2147483649",
]
NOT_DATES = ["2031-02-30", "2031-13-01", "99999-01-01", "0000-00-00", "-2031-01-01", "31.12.2031"]
NOT_TIMES = ["25:00", "12:60", "noon", "-1:00", "24:00:00.5"]
NOT_CHOICES = ["999999999", "1" + "0" * 30, "-1", "\u00b2", "9" * 5000, "nonsense\x01", "x" * HUGE]


def invalid_value(spec: Field):
    """Values the form refuses for ``spec``."""
    if spec.kind == "number":
        return st.sampled_from(HUGE_NUMBERS + NOT_NUMBERS + ["x" * HUGE])
    if spec.kind == "date":
        return st.sampled_from([*NOT_DATES, "x" * HUGE])
    if spec.kind == "time":
        return st.sampled_from([*NOT_TIMES, "x" * HUGE])
    if spec.kind == "choice":
        return st.sampled_from([c for c in NOT_CHOICES if c not in spec.choices])
    if spec.kind == "email":
        return st.sampled_from(["not an e-mail", "a@@b", "x" * HUGE + "@example.org", "@\x01"])
    if spec.kind == "file":
        return st.sampled_from(["", "take.wav", "x" * HUGE])
    options = []
    if spec.required:
        options += ["", "   \t\r\n  "]
    if spec.max_length is not None:
        options.append("x" * max(HUGE, spec.max_length + 1))
    return st.sampled_from(options)


def plausible_value(spec: Field) -> str:
    if spec.example:
        return spec.example
    return {
        "number": "3",
        "date": "2031-05-01",
        "time": "12:00",
        "choice": spec.choices[0] if spec.choices else "1",
        "email": "mia@example.org",
        "bool": "y",
        "file": "",
    }.get(spec.kind, "Klangfarbe")


def any_value(spec: Field | None):
    hostile = st.one_of(
        HOSTILE_TEXT,
        st.sampled_from(HUGE_NUMBERS + NOT_NUMBERS + ODD_NUMBERS + NOT_DATES + NOT_TIMES),
    )
    if spec is None:
        return hostile
    return st.one_of(st.just(plausible_value(spec)), hostile)


# Raw bytes no UTF-8 decoder accepts: a lone surrogate, overlong forms, stray continuation bytes.
BAD_UTF8 = [b"\xed\xa0\x80", b"\xc0\xaf", b"\xff\xfe", b"\x80", b"\xf4\x90\x80\x80", b"%ff%C0%af"]


@dataclass
class Request:
    pairs: list = field(default_factory=list)  # (name, value), in order, duplicates allowed
    raw_tail: bytes = b""  # appended to the urlencoded body: invalid UTF-8
    target: str = ""

    def urlencoded(self) -> bytes:
        body = urlencode(self.pairs, encoding="utf-8", errors="surrogatepass").encode()
        return body + self.raw_tail


@st.composite
def malformed_request(draw, specs: list[Field]) -> Request:
    """One request with at least one certainly invalid field (when the form has one)."""
    strict = [s for s in specs if s.strict]
    target = draw(st.sampled_from(strict)) if strict else None
    request = Request(target=target.name if target else "")
    for spec in specs:
        if spec is target:
            values = [draw(invalid_value(spec))]
            if draw(st.booleans()):  # duplicated: the first value is the one a form reads
                values.append(draw(any_value(spec)))
            request.pairs += [(spec.name, value) for value in values]
        elif draw(st.integers(0, 3)):  # a quarter of the fields are left out
            request.pairs += [
                (spec.name, value)
                for value in draw(st.lists(any_value(spec), min_size=1, max_size=2))
            ]
    names = st.sampled_from(["csrf_token", "\x00", "x" * 1000, "a[b]", "__proto__"])
    for name in draw(st.lists(names, max_size=3)):
        request.pairs.append((name, draw(any_value(None))))
    if draw(st.booleans()):
        bad = draw(st.sampled_from(BAD_UTF8))
        name = draw(st.sampled_from([s.name for s in specs if s is not target] or ["junk"]))
        request.raw_tail = b"&" + name.encode() + b"=" + bad + b"&" + bad + b"=1"
    return request
