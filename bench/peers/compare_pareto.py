#!/usr/bin/env python3
"""Side-by-side: parley and NegMAS on the same synthetic domains, on this machine.

For each case it runs NegMAS (``negmas_pareto.py`` with the interpreter of a venv
outside the repository) and then parley's ``synthetic`` example (release build),
one after the other, and prints a Markdown table with both times and the ratio.

    cargo build --release -p parley-core --example synthetic
    python3 bench/peers/compare_pareto.py [--negmas-py /tmp/negmas-venv/bin/python] > out.md

Both sides time the same work: the Pareto frontier of the whole outcome space plus the
Nash point (NegMAS: ``pareto_frontier`` + ``minmax`` + ``nash_points``; parley:
``analyze`` with ``AnalysisOptions::frontier_only()`` and NegMAS's disagreement
convention), excluding the construction of the domain. Each side reports the best of
its repetitions. The Pareto sizes and Nash points are compared too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PARLEY = os.path.join(ROOT, "target", "release", "examples", "synthetic")

# (parties, outcomes, parley repeats, negmas repeats, negmas timeout in seconds)
CASES = [
    (2, 10**3, 50, 5, 120),
    (2, 10**4, 50, 3, 120),
    (2, 10**5, 20, 3, 300),
    (2, 10**6, 20, 1, 300),
    (2, 10**7, 5, 1, 120),
    (2, 10**8, 2, 0, 0),
    (3, 10**5, 10, 3, 300),
    (5, 10**5, 10, 1, 300),
]


def loadavg() -> str:
    return "%.2f" % os.getloadavg()[0]


def run_parley(parties: int, outcomes: int, repeats: int) -> dict:
    issues = len(str(outcomes)) - 1
    out = subprocess.run([PARLEY, str(issues), str(parties), str(repeats)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def run_negmas(py: str, parties: int, outcomes: int, repeats: int, timeout: int) -> dict | None:
    if repeats == 0 or not os.path.exists(py):
        return None
    cmd = [py, os.path.join(HERE, "negmas_pareto.py"), "--parties", str(parties), "--outcomes", str(outcomes),
           "--repeat", str(repeats), "--timeout-s", str(timeout)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--negmas-py", default=os.environ.get("NEGMAS_PY", "/tmp/negmas-venv/bin/python"))
    args = ap.parse_args()
    if not os.path.exists(PARLEY):
        print("build first: cargo build --release -p parley-core --example synthetic", file=sys.stderr)
        return 2
    print("| parties | outcomes | NegMAS 0.16 (s) | parley (s) | ratio | Pareto size (NegMAS / parley) | load |")
    print("|---|---|---|---|---|---|---|")
    for parties, outcomes, p_rep, n_rep, n_timeout in CASES:
        load = loadavg()
        negmas = run_negmas(args.negmas_py, parties, outcomes, n_rep, n_timeout)
        parley = run_parley(parties, outcomes, p_rep)
        if negmas is None:
            n_time, n_size, ratio = "not run", "-", "-"
        elif negmas.get("timed_out"):
            n_time, n_size, ratio = f"> {n_timeout} (timed out)", "-", f"> {n_timeout / parley['seconds']:.0f}x"
        else:
            t = negmas["seconds_pareto_nash"]
            n_time, n_size, ratio = f"{t:.3f}", negmas["pareto_size"], f"{t / parley['seconds']:.0f}x"
        print(f"| {parties} | {outcomes:.0e} | {n_time} | {parley['seconds']:.4f} | {ratio} | {n_size} / {parley['pareto_size']} | {load} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
