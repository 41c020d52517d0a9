"""How much better the normalized ranking recovers a known true order than the raw mean.

Run: .venv/bin/python bench/recovery.py

Uses the generator of tests/results/test_recovery.py (8 jurors, 2 per city, 50 applications,
4 reviews each by ``assign_automatic``, one harsh and one lenient juror, a few conflicts). Per
seed, the gain is Spearman's rho of the normalized ranking with the true order minus the raw
mean's; printed for seeds 0-19 (the ones the test fixes) and 0-199: how many seeds the
normalized ranking wins (gain > 0), the smallest, median and mean gain, and the seeds it loses.
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.results.test_recovery import gains


def main() -> None:
    for seeds in (range(20), range(200)):
        per_seed = gains(seeds)
        values = list(per_seed.values())
        lost = [seed for seed, gain in per_seed.items() if gain <= 0]
        print(
            f"seeds {seeds.start}-{seeds.stop - 1}: "
            f"wins {sum(g > 0 for g in values)}/{len(values)}, "
            f"min {min(values):+.4f}, median {statistics.median(values):+.4f}, "
            f"mean {statistics.fmean(values):+.4f}, lost {lost or 'none'}"
        )


if __name__ == "__main__":
    main()
