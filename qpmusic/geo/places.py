"""The shipped place list (GeoNames, CC BY 4.0): look-up and accent-blind prefix search."""

import json
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from heapq import nsmallest
from pathlib import Path

from qpmusic.geo.distance import great_circle_km

DATA_FILE = Path(__file__).parent / "data" / "places.json"

# Letters NFKD leaves whole but people type without their stroke or ligature.
_SPELLED_OUT = str.maketrans(
    {"\u00f8": "o", "\u0142": "l", "\u0111": "d", "\u0131": "i", "\u00e6": "ae", "\u0153": "oe"}
)
_SEPARATORS = re.compile(r"[\W_]+")
_LABEL = re.compile(
    r"^(?P<name>.*\S)\s*\((?P<country>[A-Za-z]{2})(?:\s*,\s*(?P<near>[^()]*\S))?\s*\)\s*$"
)
# How people shorten saints in place names: "St. Wendel", "St-Avold", "Ste-Marie".
_ABBREVIATED = {"sankt": "st", "saint": "st", "sainte": "ste"}

# Ranks of a match; lower is better.
EXACT, MAIN_PREFIX, ALTERNATE_PREFIX, MAIN_WORD, ALTERNATE_WORD = range(5)


def fold(text: str) -> str:
    """Search key: no accents, no case, and hyphens, apostrophes and spaces all alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", bare.casefold().translate(_SPELLED_OUT)).strip()


def search_keys(name: str) -> list[str]:
    """The folded name, and the name as people abbreviate it ("sankt wendel", "st wendel")."""
    key = fold(name)
    if not key:
        return []
    words = key.split(" ")
    short = " ".join(_ABBREVIATED.get(word, word) for word in words)
    return [key] if short == key else [key, short]


@dataclass(frozen=True)
class Place:
    id: int
    name: str
    country: str
    latitude: float
    longitude: float
    population: int
    names: tuple[str, ...] = ()
    # Only where name and country are shared: the nearest network city and how far, road-sign
    # style ("Trier 22 km"), which reads the same in every language.
    near: str = ""

    @property
    def label(self) -> str:
        if self.near:
            return f"{self.name} ({self.country}, {self.near})"
        return f"{self.name} ({self.country})"


@dataclass(frozen=True)
class _Index:
    places: tuple[Place, ...]
    by_id: dict[int, Place]
    # Sorted search keys and, at the same positions, (place position, kind of key).
    keys: tuple[str, ...]
    entries: tuple[tuple[int, int], ...]
    # Whole-name keys: folded main name → places, and folded any name → places.
    by_main_name: dict[str, tuple[int, ...]]
    by_any_name: dict[str, tuple[int, ...]]


def read_places(path: Path = DATA_FILE) -> list[Place]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        Place(id=i, name=n, country=c, latitude=la, longitude=lo, population=p, names=tuple(a))
        for i, n, c, la, lo, p, a in data["places"]
    ]


def _signposts(group: list[Place], cities: list[tuple[str, float, float]]) -> list[str]:
    """ "Trier 22 km" for each place of a group sharing name and country; tenths if needed."""

    def nearest(place: Place) -> tuple[float, str]:
        return min(
            (great_circle_km(place.latitude, place.longitude, lat, lon), name)
            for name, lat, lon in cities
        )

    found = [nearest(place) for place in group]
    signs = [f"{name} {km:.0f} km" for km, name in found]
    if len(set(signs)) < len(signs):
        signs = [f"{name} {km:.1f} km" for km, name in found]
    return signs


def disambiguate(places: list[Place], cities: Iterable[tuple[str, float, float]]) -> list[Place]:
    """The places, those sharing a name and a country told apart by their nearest city."""
    cities = list(cities)
    if not cities:
        return list(places)
    groups: dict[tuple[str, str], list[int]] = {}
    for position, place in enumerate(places):
        groups.setdefault((place.name, place.country), []).append(position)
    result = list(places)
    for positions in groups.values():
        if len(positions) < 2:
            continue
        signs = _signposts([places[p] for p in positions], cities)
        for position, sign in zip(positions, signs, strict=True):
            result[position] = replace(places[position], near=sign)
    return result


def build_index(places: list[Place], cities: Iterable[tuple[str, float, float]] = ()) -> _Index:
    """The search index; ``cities`` (name, latitude, longitude) tell shared names apart."""
    places = disambiguate(places, cities)
    rows: list[tuple[str, int, int]] = []
    by_main: dict[str, list[int]] = {}
    by_any: dict[str, list[int]] = {}
    for position, place in enumerate(places):
        for is_alternate, name in enumerate([place.name, *place.names]):
            is_alternate = min(is_alternate, 1)
            for key in search_keys(name):
                if not is_alternate:
                    by_main.setdefault(key, []).append(position)
                if position not in by_any.get(key, ()):
                    by_any.setdefault(key, []).append(position)
                rows.append((key, position, MAIN_PREFIX + is_alternate))
                # Every later word starts a key of its own, so "alzette" finds Esch-sur-Alzette.
                for match in re.finditer(" ", key):
                    rows.append((key[match.end() :], position, MAIN_WORD + is_alternate))
    rows.sort()
    return _Index(
        places=tuple(places),
        by_id={place.id: place for place in places},
        keys=tuple(key for key, _, _ in rows),
        entries=tuple((position, kind) for _, position, kind in rows),
        by_main_name={key: tuple(found) for key, found in by_main.items()},
        by_any_name={key: tuple(found) for key, found in by_any.items()},
    )


@cache
def _index() -> _Index:
    # The cities the shipped list was built around; imported here, as the build imports us.
    from qpmusic.geo.build import CENTRES

    return build_index(read_places(), CENTRES)


def all_places() -> tuple[Place, ...]:
    return _index().places


def get_place(place_id: int) -> Place | None:
    try:
        return _index().by_id.get(int(place_id))
    except (TypeError, ValueError):
        return None


def search(query: str, limit: int = 10) -> list[Place]:
    """Places with a name, or a word in a name, starting with the query; best first."""
    index = _index()
    key = fold(query)
    if not key or limit <= 0:
        return []
    start = bisect_left(index.keys, key)
    end = bisect_left(index.keys, key + "\U0010ffff", lo=start)
    best: dict[int, int] = {}
    for at in range(start, end):
        position, kind = index.entries[at]
        rank = EXACT if kind <= ALTERNATE_PREFIX and index.keys[at] == key else kind
        if rank < best.get(position, ALTERNATE_WORD + 1):
            best[position] = rank
    places = index.places
    ranked = nsmallest(
        limit,
        best.items(),
        key=lambda item: (item[1], -places[item[0]].population, places[item[0]].name, item[0]),
    )
    return [places[position] for position, _ in ranked]


def resolve_place(text: str, place_id: int | None) -> Place | None:
    """The place a form names: a valid id wins, else the one place whose name is the text.

    This is the fallback without JavaScript: "Konz", "Trèves", "St. Wendel" or "Konz (DE)"
    resolve, and so does a full label ("Esch (DE, Trier 22 km)"); a name shared by several
    places ("Berg") resolves to nothing, so the form can ask to choose.
    """
    if place_id not in (None, ""):
        place = get_place(place_id)
        if place is not None:
            return place
    text = (text or "").strip()
    country = near = None
    labelled = _LABEL.match(text)
    if labelled:
        text, country = labelled["name"], labelled["country"].upper()
        near = fold(labelled["near"] or "") or None
    key = fold(text)
    if not key:
        return None
    index = _index()
    for table in (index.by_main_name, index.by_any_name):
        found = [index.places[p] for p in table.get(key, ())]
        if country:
            found = [place for place in found if place.country == country]
        if near:
            found = [place for place in found if fold(place.near) == near]
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None
