"""/places suggestions and the public "Check your eligibility" page in three languages."""

import re

import pytest
from flask import render_template_string

from qpmusic.enums import EditionPhase
from tests.factories import EditionFactory
from tests.translations import translated

KONZ, TRIER = 2885672, 2821164


def result_text(response) -> str:
    """The sentence in the result panel, tags and whitespace stripped."""
    match = re.search(r'<p class="result [^"]*"><strong>(.*?)</strong></p>', response.text, re.S)
    assert match, response.text
    return " ".join(match.group(1).split())


def test_places_answers_suggestions_as_json(client):
    response = client.get("/places?q=Trev")

    assert response.status_code == 200
    trier = {"id": TRIER, "name": "Trier", "label": "Trier (DE)", "country": "DE"}
    assert response.json[0] == trier
    assert response.headers["Cache-Control"] == "public, max-age=3600"


def test_places_finds_names_without_accents(client):
    assert client.get("/places?q=Sarrebruck").json[0]["name"] == "Saarbrücken"
    assert client.get("/places?q=Letzebuerg").json[0]["name"] == "Luxembourg"


def test_places_answers_at_most_ten(client):
    assert len(client.get("/places?q=sa").json) == 10


@pytest.mark.parametrize("query", ["", "T", " T ", "Atlantis"])
def test_places_answers_an_empty_list_for_short_or_unknown_queries(client, query):
    response = client.get("/places", query_string={"q": query})

    assert response.status_code == 200
    assert response.json == []


def test_eligibility_page_without_a_place_shows_the_form_and_the_attribution(client, cities):
    response = client.get("/eligibility?lang=en")

    assert response.status_code == 200
    assert "<h1>Check your eligibility</h1>" in response.text
    assert 'name="place"' in response.text
    assert 'type="hidden"' in response.text and 'name="place_id"' in response.text
    assert "Luxembourg, Metz, Saarbrücken, Trier" in response.text
    assert 'href="https://www.geonames.org/"' in response.text
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in response.text
    assert 'class="panel place-result"' not in response.text


def test_eligibility_of_a_place_within_the_radius(client, cities):
    response = client.get("/eligibility?lang=en&place=Konz")

    assert result_text(response) == (
        "Konz — 8 km from Trier: within the 50 km of the current call."
    )
    assert 'value="Konz"' in response.text


def test_eligibility_of_a_place_outside_the_radius(client, cities):
    response = client.get("/eligibility?lang=en&place=Bastogne")

    assert result_text(response) == (
        "Bastogne — 53 km from Luxembourg: more than 50 km from every city of the network; "
        "you may still qualify through another place where you were born, live, work or study."
    )


def test_eligibility_uses_the_place_id_over_the_text(client, cities):
    response = client.get(f"/eligibility?lang=en&place=Metz&place_id={KONZ}")

    assert result_text(response).startswith("Konz — 8 km from Trier")


def test_eligibility_finds_a_place_by_an_alternate_name(client, cities):
    response = client.get("/eligibility?lang=en&place=Diedenhofen")

    assert result_text(response).startswith("Thionville — 27 km from Metz: within")


def test_eligibility_uses_the_radius_of_the_current_edition(client, cities):
    EditionFactory(radius_km=30, phase=EditionPhase.OPEN)

    response = client.get("/eligibility?lang=en&place=Merzig")

    assert result_text(response).startswith(
        "Merzig — 35 km from Trier: more than 30 km from every city of the network"
    )
    assert "or within 30 km of one of them" in response.text


def test_eligibility_ignores_draft_editions(client, cities):
    EditionFactory(radius_km=30, phase=EditionPhase.DRAFT)

    response = client.get("/eligibility?lang=en&place=Merzig")

    assert "within the 50 km of the current call" in result_text(response)


def test_eligibility_of_a_shared_name_offers_the_places_to_choose(client, cities):
    response = client.get("/eligibility?lang=en&place=Esch")

    assert "We found no single place called “Esch”. Choose the one you mean:" in response.text
    assert 'href="/eligibility?place=Esch-sur-Alzette&amp;place_id=2960596"' in response.text
    assert ">Esch-sur-Alzette (LU)</a>" in response.text
    assert 'class="result ' not in response.text


def test_eligibility_of_an_unknown_place_explains_the_manual_way(client, cities):
    response = client.get("/eligibility?lang=en&place=Atlantis")

    assert "We could not find “Atlantis” in our list of places." in response.text
    assert "enter it by hand in the application form" in response.text


def test_eligibility_escapes_what_was_typed(client, cities):
    response = client.get("/eligibility", query_string={"lang": "en", "place": "<b>x</b>"})

    assert "<b>x</b>" not in response.text
    assert "&lt;b&gt;x&lt;/b&gt;" in response.text


def test_eligibility_refuses_an_overlong_place(client, cities):
    response = client.get("/eligibility", query_string={"lang": "en", "place": "K" * 201})

    assert response.status_code == 200
    assert 'class="panel place-result"' not in response.text
    assert 'aria-invalid="true"' in response.text


def test_eligibility_without_cities_says_it_cannot_measure(client):
    response = client.get("/eligibility?lang=en&place=Konz")

    assert "No city of the network is set up yet" in response.text


@pytest.mark.parametrize(
    ("lang", "konz_city", "bastogne_city"),
    [("de", "Trier", "Luxemburg"), ("fr", "Trèves", "Luxembourg"), ("en", "Trier", "Luxembourg")],
)
def test_eligibility_page_in_each_language_names_the_cities_in_it(
    client, cities, lang, konz_city, bastogne_city
):
    within = client.get(f"/eligibility?lang={lang}&place=Konz")
    outside = client.get(f"/eligibility?lang={lang}&place=Bastogne")

    assert f'<html lang="{lang}">' in within.text
    # "Konz — 8 km from Trier", "Konz — à 8 km de Trèves": the number follows the place.
    assert re.search(r"Konz — \D*8 km", result_text(within))
    assert konz_city in result_text(within)
    assert re.search(r"Bastogne — \D*53 km", result_text(outside))
    assert bastogne_city in result_text(outside)
    assert 'href="https://www.geonames.org/"' in within.text
    assert translated("Home", lang) in within.text


def test_the_eligibility_box_renders_on_its_own(app, cities):
    with app.test_request_context("/?lang=fr"):
        html = render_template_string('{% include "geo/_eligibility_box.html" %}')

    assert 'action="/eligibility"' in html
    assert 'method="get"' in html
    assert 'id="eligibility-place"' in html and 'name="place"' in html
    assert 'name="place_id"' in html and "data-place-id" in html
    assert 'data-source="/places"' in html
    assert "/static/js/places.js" in html
    assert "/static/vendor/accessible-autocomplete/accessible-autocomplete.min.js" in html
    assert 'href="https://www.geonames.org/"' in html


def test_the_place_field_loads_its_scripts_once_when_asked(app):
    template = """{% from "geo/_place_field.html" import place_field %}
    {% set f = place_check_form() %}{{ place_field(f.place, f.place_id) }}
    {{ place_field(f.place, f.place_id, assets=false) }}"""
    with app.test_request_context("/"):
        html = render_template_string(template)

    assert html.count("data-place-field") == 2
    assert html.count("js/places.js") == 1
