#!/usr/bin/env python3
"""Check that negmas_pareto.py reproduces the reference tables of SYNTHETIC.md.

    /tmp/negmas-venv/bin/python bench/peers/check_reference.py [--max-outcomes 1000000]

For every reference row it builds the synthetic domain with NegMAS, runs
``pareto_frontier`` + ``nash_points`` and compares

* the Pareto size (exactly),
* the Nash utilities rounded to 6 decimals (the precision of the tables),
* the Nash outcome (two-party rows only, the only ones that list it).

It also cross-checks, from the frontier NegMAS returned, the Kalai-Smorodinsky
point as SYNTHETIC.md defines it (maximise min_p (u_p - d_p)/(max_p - d_p))
against NegMAS' ``ks_points`` (which minimises max - min of those ratios);
differences are reported as information, not as failures.

Prints one line per case and exits non-zero on any mismatch.
"""

from __future__ import annotations

import argparse
import sys

sys.dont_write_bytecode = True  # keep bench/peers free of __pycache__
from negmas_pareto import measure

# (parties, outcomes) -> (pareto size, nash utilities, nash outcome or None)
REFERENCE = {
    (2, 1_000): (19, [0.805017, 0.90899], "v7 v9 v7"),
    (2, 10_000): (77, [0.836206, 0.647785], "v1 v3 v2 v5"),
    (2, 100_000): (52, [0.826969, 0.668446], "v0 v1 v3 v3 v8"),
    (2, 1_000_000): (136, [0.773187, 0.627449], "v4 v1 v1 v9 v8 v2"),
    (3, 1_000): (50, [0.660301, 0.753729, 0.794312], None),
    (3, 10_000): (229, [0.703482, 0.818288, 0.889311], None),
    (3, 100_000): (406, [0.695259, 0.816006, 0.964687], None),
    (5, 1_000): (588, [0.509945, 0.783777, 0.776987, 0.633421, 0.834465], None),
    (5, 10_000): (1685, [0.513366, 0.785243, 0.77269, 0.84529, 0.913556], None),
    (5, 100_000): (3005, [0.466784, 0.842799, 0.849748, 0.931804, 0.838608], None),
}


def ks_maxmin(frontier, ranges):
    """KS as worded in SYNTHETIC.md, reservation value 0: argmax of the minimum
    normalised gain, with d_p = max(0, min u_p)."""
    best, best_i = float("-inf"), None
    for i, pt in enumerate(frontier):
        v = min((u - max(0.0, lo)) / (hi - max(0.0, lo)) for u, (lo, hi) in zip(pt, ranges))
        if v > best:
            best, best_i = v, i
    return best_i


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-outcomes", type=int, default=1_000_000)
    args = ap.parse_args()
    failures = 0
    for (parties, n), (ref_size, ref_nash, ref_outcome) in REFERENCE.items():
        if n > args.max_outcomes:
            continue
        r = measure(n, parties, 1)
        got_nash = [round(x, 6) for x in r["nash_utilities"]]
        got_outcome = " ".join(r["nash_outcome"])
        problems = []
        if r["pareto_size"] != ref_size:
            problems.append(f"pareto_size {r['pareto_size']} != {ref_size}")
        if got_nash != ref_nash:
            problems.append(f"nash {got_nash} != {ref_nash}")
        if ref_outcome is not None and got_outcome != ref_outcome:
            problems.append(f"nash outcome '{got_outcome}' != '{ref_outcome}'")
        if r["n_nash_points"] != 1:
            problems.append(f"{r['n_nash_points']} tied Nash points")
        failures += bool(problems)
        status = "OK  " if not problems else "FAIL"
        print(f"{status} parties={parties} outcomes={n:>9,} pareto={r['pareto_size']:>5} "
              f"nash={got_nash} outcome={got_outcome} "
              f"t_pareto_nash={r['seconds_pareto_nash']:.3f}s"
              + ("" if not problems else "  <- " + "; ".join(problems)), flush=True)
        # Informational: KS definition cross-check (needs the frontier itself;
        # recomputed, so only for the cheaper sizes).
        if n <= 100_000:
            from negmas.preferences.ops import ks_points, pareto_frontier
            from negmas_pareto import build_negmas_domain

            os_, ufuns = build_negmas_domain(n, parties)
            frontier, _ = pareto_frontier(ufuns, list(os_.enumerate()))
            ranges = [u.minmax(os_, above_reserve=False) for u in ufuns]
            i_doc = ks_maxmin(frontier, ranges)
            i_negmas = ks_points(ufuns, frontier, ranges=ranges)[0][1]
            if i_doc != i_negmas:
                print(f"     KS differs: max-min definition -> "
                      f"{[round(float(x), 6) for x in frontier[i_doc]]}, NegMAS ks_points -> "
                      f"{[round(float(x), 6) for x in frontier[i_negmas]]}")
            else:
                print(f"     KS agrees: {[round(float(x), 6) for x in frontier[i_doc]]}")
    print("ALL REFERENCE VALUES REPRODUCED" if not failures else f"{failures} MISMATCHING CASE(S)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
