"""The canonical form of a tally input: what a snapshot stores, digests and recomputes from."""

import hashlib
import json

from qpmusic.results.tally_types import CriterionSpec, ReviewInput, TallyInput

CANONICAL_FORMAT = 1


def canonical(data: TallyInput) -> dict:
    """The input as JSON-able data; numbers as exact ``repr`` strings.

    Criteria and reviews come in the order TallyInput keeps them in (sorted), so the same
    input listed in any order gives the same canonical form and digest.
    """
    # Scores are a few scale points: each is written out once (0.0 and -0.0 share "0.0").
    text: dict[float, str] = {}
    return {
        "format": CANONICAL_FORMAT,
        "criteria": [
            {
                "id": c.id,
                "weight": _num(c.weight),
                "scale_min": _num(c.scale_min),
                "scale_max": _num(c.scale_max),
            }
            for c in data.criteria
        ],
        "reviews": [
            {
                "juror_id": r.juror_id,
                "city_id": r.city_id,
                "application_id": r.application_id,
                "values": [[c, text[v] if v in text else _remember(text, v)] for c, v in r.values],
                "conflicted": r.conflicted,
            }
            for r in data.reviews
        ],
        "tie_break": list(data.tie_break),  # an order of precedence: not sorted
        "outlier_k": None if data.outlier_k is None else _num(data.outlier_k),
        "min_reviews": data.min_reviews,
    }


def from_canonical(d: dict) -> TallyInput:
    """The input :func:`canonical` describes (what a snapshot recomputes from)."""
    if d.get("format") != CANONICAL_FORMAT:
        raise ValueError(f"unknown canonical format {d.get('format')!r}")
    return TallyInput(
        criteria=tuple(
            CriterionSpec(
                id=c["id"],
                weight=float(c["weight"]),
                scale_min=float(c["scale_min"]),
                scale_max=float(c["scale_max"]),
            )
            for c in d["criteria"]
        ),
        reviews=tuple(
            ReviewInput(
                juror_id=r["juror_id"],
                city_id=r["city_id"],
                application_id=r["application_id"],
                values=tuple((c, float(v)) for c, v in r["values"]),
                conflicted=r["conflicted"],
            )
            for r in d["reviews"]
        ),
        tie_break=tuple(d["tie_break"]),
        outlier_k=None if d["outlier_k"] is None else float(d["outlier_k"]),
        min_reviews=d["min_reviews"],
    )


def digest(data: TallyInput) -> str:
    text = json.dumps(canonical(data), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _remember(text: dict[float, str], x: float) -> str:
    text[x] = _num(x)
    return text[x]


def _num(x: float) -> str:
    # repr gives the shortest string that reads back as the same float; -0.0 becomes 0.0.
    return repr(float(x) + 0.0)
