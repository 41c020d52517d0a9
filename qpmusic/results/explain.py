"""What a snapshot says in words: names for its ids, which ranks each method moved and why."""

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean, pstdev

from flask_babel import format_decimal, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from qpmusic.accounts.models import User
from qpmusic.applications.models import Application, EligibilityBasis
from qpmusic.editions.models import Criterion
from qpmusic.extensions import db
from qpmusic.geo.models import City
from qpmusic.results.models import ResultSnapshot

METHOD_LABELS = {
    "raw_mean": _l("Raw mean"),
    "raw_median": _l("Median"),
    "normalized": _l("Normalized"),
    "city_balanced": _l("City-balanced"),
}
FLAG_LABELS = {
    "too_few_reviews": _l("fewer reviews than needed: not normalized"),
    "no_spread": _l("gave every application the same total: not normalized"),
}
BASELINE = "raw_mean"
MISSING = "\N{EN DASH}"


@dataclass
class Names:
    """Display names for the ids a snapshot holds, read in four queries."""

    applications: dict[int, tuple[str, str]] = field(default_factory=dict)  # reference, artist
    jurors: dict[int, str] = field(default_factory=dict)
    cities: dict[int, str] = field(default_factory=dict)
    criteria: dict[int, str] = field(default_factory=dict)

    def application(self, application_id: int) -> str:
        reference, _ = self.applications.get(application_id, (None, ""))
        return reference or f"#{application_id}"

    def juror(self, juror_id: int) -> str:
        return self.jurors.get(juror_id) or f"#{juror_id}"

    def city(self, city_id: int | None) -> str:
        return self.cities.get(city_id, MISSING) if city_id is not None else MISSING


def load_names(snapshot: ResultSnapshot, language: str) -> Names:
    reviews = snapshot.inputs.get("reviews", [])
    application_ids = set(snapshot.parameters.get("application_ids", [])) | {
        row["application_id"] for row in snapshot.rows
    }
    juror_ids = {r["juror_id"] for r in reviews} | {a[0] for a in abstentions(snapshot)}
    juror_ids |= {c[0] for c in snapshot.parameters.get("conflicts", [])}
    city_ids = {r["city_id"] for r in reviews if r["city_id"] is not None}
    names = Names()
    for app_id, reference, artist in db.session.execute(
        select(Application.id, Application.reference, Application.artist_name).where(
            Application.id.in_(application_ids)
        )
    ):
        names.applications[app_id] = (reference, artist)
    for user_id, name, email in db.session.execute(
        select(User.id, User.name, User.email).where(User.id.in_(juror_ids))
    ):
        names.jurors[user_id] = name or email
    for city in db.session.scalars(select(City).where(City.id.in_(city_ids))):
        names.cities[city.id] = city.name(language)
    criterion_ids = [c["id"] for c in snapshot.parameters.get("criteria", [])]
    for criterion in db.session.scalars(select(Criterion).where(Criterion.id.in_(criterion_ids))):
        names.criteria[criterion.id] = criterion.label(language)
    return names


def home_cities(application_ids) -> dict[int, set[int]]:
    """Each application's nearest cities (one per eligibility basis), in one query."""
    found: dict[int, set[int]] = defaultdict(set)
    for app_id, city_id in db.session.execute(
        select(EligibilityBasis.application_id, EligibilityBasis.nearest_city_id).where(
            EligibilityBasis.application_id.in_(list(application_ids)),
            EligibilityBasis.nearest_city_id.is_not(None),
        )
    ):
        found[app_id].add(city_id)
    return found


def abstentions(snapshot: ResultSnapshot) -> list[tuple[int, int, str]]:
    return [tuple(a) for a in snapshot.parameters.get("abstentions", [])]


def conflicted_reviews(snapshot: ResultSnapshot) -> set[tuple[int, int]]:
    return {
        (r["juror_id"], r["application_id"])
        for r in snapshot.inputs.get("reviews", [])
        if r["conflicted"]
    }


def counted_totals(snapshot: ResultSnapshot) -> list[tuple[int, int, float]]:
    """(juror_id, application_id, weighted total) of every review a method counted."""
    conflicted = conflicted_reviews(snapshot)
    found = []
    for row in snapshot.rows:
        dropped = set(row["outliers"])
        for juror_id, total, _ in row["review_totals"]:
            pair = (juror_id, row["application_id"])
            if juror_id not in dropped and pair not in conflicted:
                found.append((juror_id, row["application_id"], total))
    return found


def scale(snapshot: ResultSnapshot) -> tuple[float, float]:
    criteria = snapshot.parameters.get("criteria", [])
    if not criteria:
        return (0.0, 10.0)
    return (
        min(float(c["scale_min"]) for c in criteria),
        max(float(c["scale_max"]) for c in criteria),
    )


def moved(snapshot: ResultSnapshot, method: str) -> list[dict]:
    """Applications ranked differently by ``method`` than by the raw mean, best first."""
    return [
        {
            "application_id": row["application_id"],
            "before": row["ranks"][BASELINE],
            "after": row["ranks"][method],
        }
        for row in sorted(snapshot.rows, key=lambda r: (r["ranks"].get(method, 0), r["rank"]))
        if row["ranks"].get(method) != row["ranks"].get(BASELINE)
    ]


def every_juror_on_everything(snapshot: ResultSnapshot) -> bool:
    """Whether the counted reviews cover every juror on every application (a complete design)."""
    pairs = {(j, a) for j, a, _ in counted_totals(snapshot)}
    jurors = {j for j, _ in pairs}
    applications = {a for _, a in pairs}
    return bool(pairs) and len(pairs) == len(jurors) * len(applications)


def cities_even(snapshot: ResultSnapshot) -> bool:
    """Whether every application has as many counted reviews from each city as from any other."""
    city_of = {r["juror_id"]: r["city_id"] for r in snapshot.inputs.get("reviews", [])}
    all_cities = set(city_of.values())
    per_application: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for juror_id, app_id, _ in counted_totals(snapshot):
        per_application[app_id][city_of[juror_id]] += 1
    return all(
        set(counts) == all_cities and len(set(counts.values())) == 1
        for counts in per_application.values()
    )


def method_sentences(snapshot: ResultSnapshot, names: Names) -> list[dict]:
    """One computed sentence per method (and the outlier rule): how many ranks moved and why."""
    sentences = []
    normalized = moved(snapshot, "normalized")
    if every_juror_on_everything(snapshot):
        why = _l(
            "Every juror scored every application, so a juror's constant offset cannot change "
            "the raw ranking — only the differences in how widely jurors spread their scores can."
        )
    else:
        why = _l(
            "Jurors scored different subsets (automatic assignment, conflicts, abstentions), so "
            "a harsh or lenient juror lowers or raises the raw mean of only the applications "
            "they scored; normalization takes that offset out."
        )
    sentences.append(_sentence("normalized", normalized, why, names))
    balanced = moved(snapshot, "city_balanced")
    if cities_even(snapshot):
        why = _l(
            "Every application has as many counted reviews from each city, so the city-balanced "
            "mean equals the raw mean."
        )
    else:
        why = _l(
            "Where a city has fewer counted reviews of an application (a conflict, an "
            "abstention), each of its reviews weighs more, so every city weighs the same."
        )
    sentences.append(_sentence("city_balanced", balanced, why, names))
    why = _l("It ignores how far a single review lies from the others.")
    sentences.append(_sentence("raw_median", moved(snapshot, "raw_median"), why, names))
    return sentences


def _sentence(method: str, changes: list[dict], why, names: Names) -> dict:
    count = len(changes)
    label = METHOD_LABELS[method]
    text = ngettext(
        "%(method)s moved %(num)d application compared with the raw mean.",
        "%(method)s moved %(num)d applications compared with the raw mean.",
        count,
        method=label,
    )
    return {
        "method": method,
        "text": f"{text} {why}",
        "changes": [{**c, "label": names.application(c["application_id"])} for c in changes],
    }


def outlier_sentence(snapshot: ResultSnapshot) -> str:
    k = snapshot.parameters.get("outlier_k")
    if k is None:
        return str(
            _l("No outlier rule was set for this round: every review without a conflict counts.")
        )
    dropped = sum(len(row["outliers"]) for row in snapshot.rows)
    return ngettext(
        "The outlier rule (k = %(k)s) dropped %(num)d review.",
        "The outlier rule (k = %(k)s) dropped %(num)d reviews.",
        dropped,
        k=format_decimal(float(k)),
    )


def juror_totals(snapshot: ResultSnapshot) -> dict[int, list[float]]:
    found: dict[int, list[float]] = defaultdict(list)
    for juror_id, _, total in counted_totals(snapshot):
        found[juror_id].append(total)
    return found


def home_bias(snapshot: ResultSnapshot, homes: dict[int, set[int]]) -> list[dict]:
    """Per juror with a city: mean total for applicants near that city, and for the rest."""
    city_of = {r["juror_id"]: r["city_id"] for r in snapshot.inputs.get("reviews", [])}
    split: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for juror_id, app_id, total in counted_totals(snapshot):
        city = city_of.get(juror_id)
        if city is not None:
            split[juror_id][0 if city in homes.get(app_id, ()) else 1].append(total)
    return [
        {
            "juror_id": juror_id,
            "city_id": city_of[juror_id],
            "home": fmean(home) if home else None,
            "home_count": len(home),
            "rest": fmean(rest) if rest else None,
            "rest_count": len(rest),
        }
        for juror_id, (home, rest) in sorted(split.items())
    ]


def _weighted(values: list[tuple[int, float, float]]) -> float | None:
    weights = sum(w for _, _, w in values)
    return sum(w * v for _, v, w in values) / weights if weights else None


def application_explanation(
    snapshot: ResultSnapshot, application_id: int, names: Names
) -> dict | None:
    """Every number of one application's row, with the reviews and steps that produced it."""
    row = next((r for r in snapshot.rows if r["application_id"] == application_id), None)
    if row is None:
        return None
    parameters = snapshot.parameters
    weights = {c["id"]: float(c["weight"]) for c in parameters.get("criteria", [])}
    jurors = {j["juror_id"]: j for j in snapshot.jurors}
    totals = {juror_id: (total, norm) for juror_id, total, norm in row["review_totals"]}
    mean, std = parameters.get("overall_mean"), parameters.get("overall_std")
    reviews = []
    for review in snapshot.inputs.get("reviews", []):
        if review["application_id"] != application_id:
            continue
        juror_id = review["juror_id"]
        values = [(c, float(v), weights.get(c, 0.0)) for c, v in review["values"]]
        total, normalized = totals.get(juror_id, (_weighted(values), None))
        juror = jurors.get(juror_id, {})
        z = None
        if juror.get("normalized") and juror.get("std") and total is not None:
            z = (total - juror["mean"]) / juror["std"]
        state = "counted"
        if review["conflicted"]:
            state = "conflict"
        elif juror_id in row["outliers"]:
            state = "outlier"
        reviews.append(
            {
                "juror_id": juror_id,
                "juror": names.juror(juror_id),
                "city_id": review["city_id"],
                "city": names.city(review["city_id"]),
                "values": {c: (v, w) for c, v, w in values},
                "weight_sum": sum(w for _, _, w in values),
                "total": total,
                "juror_result": juror,
                "z": z,
                "normalized": normalized if state == "counted" else None,
                "state": state,
            }
        )
    reviews.sort(key=lambda r: (r["state"] != "counted", r["juror"]))
    counted = [r for r in reviews if r["state"] == "counted"]
    cities: dict = defaultdict(list)
    for review in counted:
        cities[review["city_id"]].append(review["total"])
    reviewed = {r["juror_id"] for r in reviews}
    return {
        "row": row,
        "reviews": reviews,
        "counted": counted,
        "overall_mean": mean,
        "overall_std": std,
        "median_terms": sorted(r["total"] for r in counted),
        "city_groups": [
            {"city": names.city(city_id), "totals": group, "mean": fmean(group)}
            for city_id, group in sorted(cities.items(), key=lambda item: names.city(item[0]))
        ],
        "outlier_checks": _outlier_checks(reviews, parameters.get("outlier_k")),
        "other_conflicts": [
            names.juror(j)
            for j, a in parameters.get("conflicts", [])
            if a == application_id and j not in reviewed
        ],
        "abstentions": [
            (names.juror(j), status)
            for j, a, status in abstentions(snapshot)
            if a == application_id
        ],
    }


def _outlier_checks(reviews: list[dict], k) -> list[dict]:
    """The outlier rule's test for each review: its distance to the others' mean against k·sd."""
    judged = [r for r in reviews if r["state"] != "conflict" and r["total"] is not None]
    if k is None or len(judged) < 3:
        return []
    limit = float(k) * pstdev([r["total"] for r in judged])
    checks = []
    for review in judged:
        others = fmean(r["total"] for r in judged if r is not review)
        distance = abs(review["total"] - others)
        checks.append(
            {
                "juror": review["juror"],
                "total": review["total"],
                "others_mean": others,
                "distance": distance,
                "limit": limit,
                # Compared as the tally compares: rounded, so a tie with the limit stays.
                "over": round(distance, 6) > round(limit, 6),
                "dropped": review["state"] == "outlier",
            }
        )
    return checks
