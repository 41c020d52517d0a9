"""Times place search: the prefix index against a plain scan of every folded name.

Run: .venv/bin/python bench/places_search.py
"""

import random
import statistics
import time

from qpmusic.geo.places import all_places, fold, search

QUERIES = 1_000
LIMIT = 10


def linear_scan(query: str, limit: int = LIMIT) -> list:
    """The baseline: fold the query, test every name and every word of it, rank like search()."""
    key = fold(query)
    found = {}
    for place, keys in FOLDED:
        for rank, name_key in enumerate(keys):
            if name_key.startswith(key) or f" {key}" in f" {name_key}":
                found[place.id] = (min(rank, 1), -place.population, place.name, place)
                break
    return [row[-1] for row in sorted(found.values())[:limit]]


def sample_queries(rng: random.Random) -> list[str]:
    """Prefixes of 2 to 8 letters of real names, as people type them, with some accents."""
    names = [name for place in all_places() for name in (place.name, *place.names)]
    queries = []
    for _ in range(QUERIES):
        name = rng.choice(names)
        queries.append(name[: rng.randint(2, min(8, max(2, len(name))))])
    return queries


def timings_microseconds(function, queries: list[str]) -> tuple[float, float]:
    """Median and 99th percentile of the time per query."""
    timings = []
    for query in queries:
        start = time.perf_counter()
        function(query)
        timings.append((time.perf_counter() - start) * 1e6)
    return statistics.median(timings), statistics.quantiles(timings, n=100)[98]


if __name__ == "__main__":
    FOLDED = [(p, [fold(n) for n in (p.name, *p.names)]) for p in all_places()]
    search("warm up the index")
    queries = sample_queries(random.Random(3))  # noqa: S311 - a fixed sample, not a secret
    indexed, indexed_p99 = timings_microseconds(search, queries)
    scanned, scanned_p99 = timings_microseconds(linear_scan, queries)
    print(f"{len(all_places())} places, {QUERIES} queries (prefixes of real names)")
    print(f"index search : median {indexed:8.1f} µs, p99 {indexed_p99:8.1f} µs per query")
    print(f"linear scan  : median {scanned:8.1f} µs, p99 {scanned_p99:8.1f} µs per query")
    print(f"ratio        : the scan takes {scanned / indexed:.0f} times as long (median)")
