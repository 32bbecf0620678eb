#!/usr/bin/env python3
"""NegMAS peer benchmark: SAO negotiation throughput on the synthetic domain.

    /tmp/negmas-venv/bin/python bench/peers/negmas_sao.py --outcomes 10000 --parties 2 [--runs 5]

Builds the synthetic domain of SYNTHETIC.md (via ``negmas_pareto``), then runs
``--runs`` independent negotiations, each a fresh
``SAOMechanism(outcome_space=os, n_steps=100)`` with one fresh
``BoulwareTBNegotiator`` per party (time-based, aspiration exponent 4,
deterministic).  The timed part of a run (``time.perf_counter``) covers
creating the mechanism and the negotiators, adding them and ``run()``; the
domain and utility functions are built once, outside the timing.  Note that
each negotiator sorts the whole outcome space before its first offer, and that
cost is inside the timing (it is what a NegMAS user pays per negotiation).

Prints one JSON line: negotiations/s, rounds/s, the agreement (list of issue
values, or null) and each party's utility for it.  The negotiation is
deterministic, so every run must give the same agreement; ``consistent``
reports whether it did.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time

sys.dont_write_bytecode = True  # keep bench/peers free of __pycache__
from negmas_pareto import build_negmas_domain, n_issues_for

N_STEPS = 100


def one_negotiation(os_, ufuns, n_steps: int):
    """Run one SAO negotiation; return (seconds, agreement, steps, broken, timedout)."""
    from negmas.sao import BoulwareTBNegotiator, SAOMechanism

    t0 = time.perf_counter()
    mech = SAOMechanism(outcome_space=os_, n_steps=n_steps)
    for p, u in enumerate(ufuns):
        mech.add(BoulwareTBNegotiator(name=f"boulware{p}"), ufun=u)
    state = mech.run()
    dt = time.perf_counter() - t0
    return dt, state.agreement, state.step, state.broken, state.timedout


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--outcomes", type=int, required=True, help="10^k outcomes")
    ap.add_argument("--parties", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5, help="timed negotiations")
    ap.add_argument("--steps", type=int, default=N_STEPS, help="SAO n_steps")
    args = ap.parse_args(argv)

    import negmas

    load_before = list(os.getloadavg())
    os_, ufuns = build_negmas_domain(args.outcomes, args.parties)
    one_negotiation(os_, ufuns, args.steps)  # warm-up (imports, lazy caches)

    times, agreements, steps = [], [], []
    for _ in range(max(1, args.runs)):
        dt, agreement, step, broken, timedout = one_negotiation(os_, ufuns, args.steps)
        times.append(dt)
        agreements.append(None if agreement is None else tuple(agreement))
        steps.append(step)

    agreement = agreements[-1]
    total = sum(times)
    res = {
        "tool": "negmas",
        "bench": "sao",
        "version": negmas.__version__,
        "negotiator": "BoulwareTBNegotiator",
        "outcomes": args.outcomes,
        "parties": args.parties,
        "issues": n_issues_for(args.outcomes),
        "n_steps": args.steps,
        "runs": len(times),
        "negotiations_per_s": len(times) / total,
        "rounds_per_s": sum(steps) / total,
        "seconds_per_negotiation_median": statistics.median(times),
        "samples_seconds": times,
        "steps": steps,
        "agreement": None if agreement is None else list(agreement),
        "agreement_utilities": None if agreement is None
        else [float(u(agreement)) for u in ufuns],
        "broken": bool(broken),
        "timedout": bool(timedout),
        "consistent": len(set(agreements)) == 1,
        "loadavg": load_before,
        "loadavg_end": list(os.getloadavg()),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
    }
    print(json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
