"""Server-side SVG charts of a tally: black, grey and hatching with labels, so they print."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import fmean, median, quantiles
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

WIDTH = 680
LABEL_WIDTH = 170
RIGHT_MARGIN = 90
ROW_HEIGHT = 30
TOP = 34
AXIS_SPACE = 30
MAX_TICKS = 11

Format = Callable[[float], str]
MISSING = "\N{EN DASH}"  # a row without a value


def _plain(value: float) -> str:
    return f"{value:.2f}"


@dataclass(frozen=True)
class Distribution:
    """One row of the calibration chart: a juror (or the whole jury) and their review totals."""

    label: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class BiasRow:
    """A juror's mean for applicants near their own city, and for the rest (None: no review)."""

    label: str
    home: float | None
    home_count: int
    rest: float | None
    rest_count: int


@dataclass(frozen=True)
class SpreadRow:
    label: str
    spread: float | None


def _attrs(**values) -> str:
    return " ".join(
        f"{name.rstrip('_').replace('_', '-')}={quoteattr(str(v))}" for name, v in values.items()
    )


def _element(tag: str, text: str | None = None, **attributes) -> str:
    attrs = _attrs(**attributes)
    if text is None:
        return f"<{tag} {attrs}/>"
    return f"<{tag} {attrs}>{escape(text)}</{tag}>"


def _mark(tag: str, tooltip: str, **attributes) -> str:
    """A data mark with its own <title>, so a pointer or a screen reader gets its value."""
    return f"<{tag} {_attrs(class_='mark', **attributes)}><title>{escape(tooltip)}</title></{tag}>"


class _Axis:
    """Maps values in [low, high] onto the plotting band between the labels and the margin."""

    def __init__(self, low: float, high: float):
        if high <= low:
            high = low + 1
        self.low, self.high = low, high
        self.left, self.right = LABEL_WIDTH, WIDTH - RIGHT_MARGIN

    def x(self, value: float) -> float:
        share = (min(max(value, self.low), self.high) - self.low) / (self.high - self.low)
        return round(self.left + share * (self.right - self.left), 2)

    def ticks(self) -> list[float]:
        span = self.high - self.low
        step = 1.0
        while span / step > MAX_TICKS - 1:
            step *= 2
        while span / step < 4 and step > 0.25:
            step /= 2
        first = self.low
        return [first + i * step for i in range(int(span / step + 1e-9) + 1)]

    def draw(self, top: float, bottom: float, fmt: Format, caption: str) -> list[str]:
        parts = []
        for tick in self.ticks():
            x = self.x(tick)
            parts.append(
                _element("line", x1=x, y1=top, x2=x, y2=bottom, stroke="#bbb", stroke_width=1)
            )
            parts.append(
                _element("text", fmt(tick), x=x, y=bottom + 14, text_anchor="middle", fill="#333")
            )
        parts.append(
            _element(
                "text", caption, x=(self.left + self.right) / 2, y=bottom + 28, text_anchor="middle"
            )
        )
        return parts


def _hatch(pattern_id: str) -> str:
    return (
        f'<pattern id="{pattern_id}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#555" stroke-width="2"/></pattern>'
    )


def _svg(
    chart_id: str, title: str, description: str, height: float, body: list[str], defs=()
) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {round(height)}" '
        f'width="100%" role="img" class="chart" id={quoteattr(chart_id)} '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'font-family="sans-serif" font-size="12">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    defs_part = f"<defs>{''.join(defs)}</defs>" if defs else ""
    # Safe: every text and attribute value above went through escape() or quoteattr().
    return Markup(head + defs_part + "".join(body) + "</svg>")  # noqa: S704


def _row_label(label: str, y: float, bold: bool = False) -> str:
    extra = {"font_weight": "bold"} if bold else {}
    return _element("text", label, x=LABEL_WIDTH - 8, y=y + 4, text_anchor="end", **extra)


def calibration_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    axis_caption: str,
    jurors: Sequence[Distribution],
    jury: Distribution,
    scale: tuple[float, float],
    fmt: Format = _plain,
) -> Markup:
    """Each juror's totals as dots over a box (quartiles) and a median bar, the jury's row first.

    A harsh juror's box sits left of the jury's, a lenient one's right, a narrow box is a juror
    who hardly tells applications apart: what normalization corrects.
    """
    axis = _Axis(*scale)
    rows = [jury, *jurors]
    bottom = TOP + ROW_HEIGHT * len(rows)
    body = axis.draw(TOP - 10, bottom, fmt, axis_caption)
    for index, row in enumerate(rows):
        y = TOP + ROW_HEIGHT * index + ROW_HEIGHT / 2
        body.append(_row_label(row.label, y, bold=index == 0))
        values = sorted(row.values)
        if not values:
            body.append(_element("text", MISSING, x=axis.left + 4, y=y + 4))
            continue
        if len(values) >= 2:
            q1, _, q3 = quantiles(values, n=4, method="inclusive")
            body.append(
                _element(
                    "rect",
                    x=axis.x(q1),
                    y=y - 9,
                    width=max(axis.x(q3) - axis.x(q1), 1),
                    height=18,
                    fill=f"url(#{chart_id}-hatch)" if index == 0 else "#e6e6e6",
                    stroke="#000",
                    class_="box",
                )
            )
        mid = axis.x(median(values))
        body.append(
            _element("line", x1=mid, y1=y - 11, x2=mid, y2=y + 11, stroke="#000", stroke_width=3)
        )
        for value in values:
            body.append(
                _mark(
                    "circle",
                    fmt(value),
                    cx=axis.x(value),
                    cy=y,
                    r=3.5,
                    fill="#000",
                    fill_opacity=0.6,
                )
            )
        body.append(
            _element(
                "text",
                f"{fmt(fmean(values))} (n={len(values)})",
                x=axis.right + 6,
                y=y + 4,
                fill="#333",
            )
        )
    return _svg(
        chart_id,
        title,
        description,
        bottom + AXIS_SPACE + 4,
        body,
        defs=[_hatch(f"{chart_id}-hatch")],
    )


def home_bias_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    axis_caption: str,
    home_caption: str,
    rest_caption: str,
    rows: Sequence[BiasRow],
    scale: tuple[float, float],
    fmt: Format = _plain,
) -> Markup:
    """Two bars per juror: solid black for applicants near their own city, hatched for the rest."""
    axis = _Axis(*scale)
    legend_y = 14
    top = TOP + 4
    pair = ROW_HEIGHT + 8
    bottom = top + pair * len(rows)
    body = [
        _element("rect", x=LABEL_WIDTH, y=legend_y - 9, width=12, height=10, fill="#000"),
        _element("text", home_caption, x=LABEL_WIDTH + 16, y=legend_y),
        _element(
            "rect",
            x=LABEL_WIDTH + 240,
            y=legend_y - 9,
            width=12,
            height=10,
            fill=f"url(#{chart_id}-hatch)",
            stroke="#000",
        ),
        _element("text", rest_caption, x=LABEL_WIDTH + 256, y=legend_y),
        *axis.draw(top - 4, bottom, fmt, axis_caption),
    ]
    for index, row in enumerate(rows):
        y = top + pair * index
        body.append(_row_label(row.label, y + pair / 2 - 4))
        for offset, value, count, fill, caption in (
            (2, row.home, row.home_count, "#000", home_caption),
            (16, row.rest, row.rest_count, f"url(#{chart_id}-hatch)", rest_caption),
        ):
            if value is None:
                body.append(_element("text", MISSING, x=axis.left + 4, y=y + offset + 10))
                continue
            text = f"{fmt(value)} (n={count})"
            body.append(
                _mark(
                    "rect",
                    f"{row.label}, {caption}: {text}",
                    x=axis.left,
                    y=y + offset,
                    width=max(axis.x(value) - axis.left, 1),
                    height=12,
                    fill=fill,
                    stroke="#000",
                )
            )
            body.append(_element("text", text, x=axis.right + 6, y=y + offset + 10, fill="#333"))
    return _svg(
        chart_id,
        title,
        description,
        bottom + AXIS_SPACE + 4,
        body,
        defs=[_hatch(f"{chart_id}-hatch")],
    )


def spread_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    axis_caption: str,
    rows: Sequence[SpreadRow],
    fmt: Format = _plain,
) -> Markup:
    """One bar per application (in rank order): the standard deviation of its review totals."""
    widest = max((row.spread for row in rows if row.spread is not None), default=0.0)
    axis = _Axis(0.0, max(1.0, float(int(widest) + 1)))
    bottom = TOP + ROW_HEIGHT * len(rows)
    body = axis.draw(TOP - 10, bottom, fmt, axis_caption)
    for index, row in enumerate(rows):
        y = TOP + ROW_HEIGHT * index + ROW_HEIGHT / 2
        body.append(_row_label(row.label, y))
        if row.spread is None:
            body.append(_element("text", MISSING, x=axis.left + 4, y=y + 4))
            continue
        body.append(
            _mark(
                "rect",
                f"{row.label}: {fmt(row.spread)}",
                x=axis.left,
                y=y - 8,
                width=max(axis.x(row.spread) - axis.left, 1),
                height=16,
                fill="#777",
                stroke="#000",
            )
        )
        body.append(_element("text", fmt(row.spread), x=axis.right + 6, y=y + 4, fill="#333"))
    return _svg(chart_id, title, description, bottom + AXIS_SPACE + 4, body)
