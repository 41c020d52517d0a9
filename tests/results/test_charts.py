"""The results charts are valid SVG with one mark per value, a title, a description and no CSS."""

import xml.etree.ElementTree as ET

from qpmusic.results.charts import (
    BiasRow,
    Distribution,
    SpreadRow,
    calibration_chart,
    home_bias_chart,
    spread_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
DASH = "\N{EN DASH}"


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 (our own output)


def marks(root: ET.Element, tag: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}{tag}") if e.get("class") == "mark"]


def accessible(root: ET.Element, chart_id: str, title: str, description: str) -> None:
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert root.find(f"{SVG}title").text == title
    assert root.find(f"{SVG}desc").text == description
    # The page's CSP allows no inline styles: presentation attributes only.
    assert not [e for e in root.iter() if "style" in e.attrib or e.tag == f"{SVG}style"]


def test_calibration_chart_has_a_dot_per_total_a_box_per_row_and_the_jury_first():
    markup = calibration_chart(
        chart_id="cal",
        title="Calibration",
        description="Each juror's totals.",
        axis_caption="Total",
        jurors=[Distribution("Anne", (4.0, 6.5, 9.0)), Distribution("Bruno", (7.0,))],
        jury=Distribution("Whole jury", (4.0, 6.5, 9.0, 7.0)),
        scale=(0, 10),
    )

    root = parse(markup)
    accessible(root, "cal", "Calibration", "Each juror's totals.")
    dots = marks(root, "circle")
    assert len(dots) == 8
    assert sorted(d.find(f"{SVG}title").text for d in dots[:4]) == ["4.00", "6.50", "7.00", "9.00"]
    # A box needs two totals: the jury's and Anne's, not Bruno's single review.
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("class") == "box"]) == 2
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels.index("Whole jury") < labels.index("Anne") < labels.index("Bruno")
    assert "6.50 (n=3)" in labels
    # Grey fills and a hatch pattern, no colour: it prints.
    fills = {e.get("fill") for e in root.iter() if e.get("fill")}
    assert fills <= {"#000", "#333", "#e6e6e6", "#fff", "url(#cal-hatch)"}
    assert root.find(f"{SVG}defs/{SVG}pattern").get("id") == "cal-hatch"


def test_dots_sit_on_the_scale_from_its_minimum_to_its_maximum():
    root = parse(
        calibration_chart(
            chart_id="c",
            title="t",
            description="d",
            axis_caption="a",
            jurors=[],
            jury=Distribution("Jury", (1.0, 5.0)),
            scale=(1, 5),
        )
    )
    low, high = (float(d.get("cx")) for d in marks(root, "circle"))
    assert (low, high) == (170.0, 590.0)
    ticks = [t.text for t in root.iter(f"{SVG}text")]
    assert ticks[:5] == ["1.00", "2.00", "3.00", "4.00", "5.00"]


def test_a_juror_without_totals_gets_a_dash_and_no_marks():
    root = parse(
        calibration_chart(
            chart_id="c",
            title="t",
            description="d",
            axis_caption="a",
            jurors=[Distribution("Anne", ())],
            jury=Distribution("Jury", ()),
            scale=(0, 10),
        )
    )
    assert marks(root, "circle") == []
    assert [t.text for t in root.iter(f"{SVG}text")].count(DASH) == 2


def test_home_bias_chart_has_two_bars_per_juror_and_a_dash_for_a_missing_mean():
    markup = home_bias_chart(
        chart_id="bias",
        title="Home-city bias",
        description="Home against the rest.",
        axis_caption="Mean",
        home_caption="Near the juror's city",
        rest_caption="Others",
        rows=[BiasRow("Anne (Metz)", 8.0, 2, 6.0, 5), BiasRow("Carla (Trier)", None, 0, 7.25, 4)],
        scale=(0, 10),
        fmt=lambda v: f"{v:.1f}",
    )

    root = parse(markup)
    accessible(root, "bias", "Home-city bias", "Home against the rest.")
    bars = marks(root, "rect")
    assert [b.find(f"{SVG}title").text for b in bars] == [
        "Anne (Metz), Near the juror's city: 8.0 (n=2)",
        "Anne (Metz), Others: 6.0 (n=5)",
        "Carla (Trier), Others: 7.2 (n=4)",
    ]
    assert [b.get("fill") for b in bars] == ["#000", "url(#bias-hatch)", "url(#bias-hatch)"]
    assert float(bars[0].get("width")) == 336.0  # 8 of 10 on a 420-wide band
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert DASH in texts and "Near the juror's city" in texts and "Others" in texts


def test_spread_chart_has_one_bar_per_application_with_a_spread():
    markup = spread_chart(
        chart_id="spread",
        title="Spread",
        description="Disagreement per application.",
        axis_caption="Standard deviation",
        rows=[SpreadRow("QP-1", 0.5), SpreadRow("QP-2", None), SpreadRow("QP-3", 2.25)],
    )

    root = parse(markup)
    accessible(root, "spread", "Spread", "Disagreement per application.")
    bars = marks(root, "rect")
    assert [b.find(f"{SVG}title").text for b in bars] == ["QP-1: 0.50", "QP-3: 2.25"]
    # The axis runs to the next whole number above the widest spread.
    assert float(bars[1].get("width")) == 315.0


def test_labels_are_escaped():
    markup = spread_chart(
        chart_id="s",
        title="<Spread & more>",
        description="d",
        axis_caption="a",
        rows=[SpreadRow('Ensemble "A" & <B>', 1.0)],
    )

    root = parse(markup)
    assert root.find(f"{SVG}title").text == "<Spread & more>"
    assert 'Ensemble "A" & <B>' in [t.text for t in root.iter(f"{SVG}text")]
