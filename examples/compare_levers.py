"""Two levers compared on the built-in scenario, in a pandas DataFrame.

Run from a checkout after `pip install ./python pandas`:

    python examples/compare_levers.py [--runs N] [--seed S] [--out DIR]

For each of two levers -- the US cuts its aid, Europe funds Ukraine from frozen Russian
assets -- it prints what the lever does to the deals on the table (the zone of possible
agreement, the Nash package) and to the war (the chance of a settlement within a year with
its 95% interval, and the median month of settlement; the same seed gives every experiment
the same draws), as one text table.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

import parley

LEVERS = ["us_aid_cut", "europe_funds_via_frozen_assets"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    out = a.out or Path(tempfile.mkdtemp(prefix="parley-example-"))

    s = parley.builtin()
    rows = []
    for lever in [None, *LEVERS]:
        scenario = s.with_levers(lever) if lever else s
        deals = scenario.analyze()
        nash = next((x for x in deals["solutions"] if x["concept"] == "nash"), None)
        e = scenario.experiment(runs=a.runs, months=24, seed=a.seed, out=out / (lever or "baseline"))
        arm = e.arms.to_pylist()[0]
        rows.append(
            {
                "lever": lever or "baseline",
                "packages in zone": deals["zopa"],
                "Nash package": " ".join(f"{k}={v}" for k, v in nash["package"]["terms"].items()) if nash else "none: the zone is empty",
                "settled within 12 months": _pct(arm, 12, e),
                "median month of settlement": arm.get("settlement_month_p50"),
            }
        )
    df = pd.DataFrame(rows).set_index("lever")
    print(f"{s.title}: two levers against the baseline ({a.runs} replicates, seed {a.seed})\n")
    print(df.drop(columns="Nash package").to_string())
    print("\nThe Nash package (the bargaining solution among the deals all veto players accept):")
    for lever, terms in df["Nash package"].items():
        print(f"  {lever}: {terms}")
    base, *levers = df["settled within 12 months"]
    for lever, p in zip(LEVERS, levers):
        print(f"\n{lever}: settlement within a year {p} against {base} without it")


def _pct(arm: dict, month: int, e: parley.Experiment) -> str:
    by_month = next(x for x in e["arms"] if x["arm"] == arm["arm"])["settled_by_month"]
    p = by_month[min(month, len(by_month)) - 1]
    return f"{100 * p['p']:.1f}% [{100 * p['lo']:.1f}, {100 * p['hi']:.1f}]"


if __name__ == "__main__":
    main()
