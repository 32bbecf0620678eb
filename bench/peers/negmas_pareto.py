#!/usr/bin/env python3
"""NegMAS peer benchmark: Pareto frontier + Nash (+ Kalai-Smorodinsky) point.

Builds the synthetic benchmark domain defined in ``SYNTHETIC.md`` (splitmix64
recipe) with NegMAS objects and times NegMAS' own outcome-space analysis on it,
so that ``parley`` can be compared side by side on *identical* inputs.

Run it with the interpreter of a virtual environment that has NegMAS installed
(kept outside the repository, see ``README.md``)::

    /tmp/negmas-venv/bin/python bench/peers/negmas_pareto.py --outcomes 10000 --parties 2

It prints exactly one JSON line on stdout.  The measurement runs in a forked
child process; if it does not finish within ``--timeout-s`` seconds the child is
killed and ``{"timed_out": true, ...}`` is printed instead of hanging.

What is timed (``time.perf_counter``):

* ``seconds_build``: generating the domain (splitmix64 draws), creating the
  NegMAS issues / outcome space / ``LinearAdditiveUtilityFunction`` objects and
  enumerating the outcomes into a list.  Done once.
* ``seconds_pareto_nash``: ``pareto_frontier(ufuns, outcomes)`` followed by
  ``u.minmax(os, above_reserve=False)`` for every ufun and
  ``nash_points(ufuns, frontier, ranges=...)``.  Repeated ``--repeat`` times;
  the reported value is the minimum, all samples are in ``samples_pareto_nash``.
  The split into ``seconds_pareto`` / ``seconds_minmax`` / ``seconds_nash`` is
  taken from the fastest repetition.
* ``seconds_ks``: ``ks_points`` on the same frontier (not part of
  ``seconds_pareto_nash``; it is a cheap pass over the frontier).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import resource
import sys
import time

MASK64 = (1 << 64) - 1
N_VALUES = 10
BASE_SEED = 20240601


# --------------------------------------------------------------------------
# Portable domain recipe (pure Python, no NegMAS needed)
# --------------------------------------------------------------------------
class SplitMix64:
    """splitmix64 exactly as written in SYNTHETIC.md (all arithmetic mod 2^64)."""

    def __init__(self, seed: int) -> None:
        self.state = seed & MASK64

    def next_u64(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def uniform(self) -> float:
        """Top 53 bits as a double in [0, 1)."""
        return (self.next_u64() >> 11) * (2.0**-53)


def n_issues_for(n_outcomes: int) -> int:
    """k such that 10**k == n_outcomes (the recipe only defines powers of ten)."""
    k = round(math.log10(n_outcomes)) if n_outcomes > 0 else 0
    if k < 1 or N_VALUES**k != n_outcomes:
        raise ValueError(f"n_outcomes must be a power of ten >= 10, got {n_outcomes}")
    return k


def synthetic_tables(n_outcomes: int, n_parties: int):
    """Return (weights, evals) per party, following the recipe draw by draw.

    ``weights[p][i]`` is the (normalised) weight of issue i for party p and
    ``evals[p][i][j]`` the (row-max normalised) value of ``v{j}`` on issue i.
    For p > 0 the opposition term uses party 0's *final* (normalised) table.
    """
    k = n_issues_for(n_outcomes)
    rng = SplitMix64(BASE_SEED + n_parties)
    weights: list[list[float]] = []
    evals: list[list[list[float]]] = []
    for p in range(n_parties):
        w = [rng.uniform() for _ in range(k)]
        s = sum(w)  # left-to-right summation
        w = [x / s for x in w]
        e_p: list[list[float]] = []
        for i in range(k):
            row = []
            for j in range(N_VALUES):
                x = rng.uniform()
                row.append(x if p == 0 else 0.5 * x + 0.5 * (1.0 - evals[0][i][j]))
            m = max(row)
            e_p.append([x / m for x in row])
        weights.append(w)
        evals.append(e_p)
    return weights, evals


# --------------------------------------------------------------------------
# NegMAS objects
# --------------------------------------------------------------------------
def build_negmas_domain(n_outcomes: int, n_parties: int):
    """Create (outcome_space, ufuns) with NegMAS for the synthetic domain.

    Issues ``i0..i{k-1}`` with categorical values ``v0..v9``; one
    ``LinearAdditiveUtilityFunction`` per party built from ``TableFun``
    value functions, reservation value 0.
    """
    from negmas.outcomes import make_issue, make_os
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.value_fun import TableFun

    k = n_issues_for(n_outcomes)
    weights, evals = synthetic_tables(n_outcomes, n_parties)
    values = [f"v{j}" for j in range(N_VALUES)]
    issues = [make_issue(values=list(values), name=f"i{i}") for i in range(k)]
    os_ = make_os(issues, name=f"synthetic_{n_outcomes}_{n_parties}")
    ufuns = [
        LinearAdditiveUtilityFunction(
            values=[TableFun(dict(zip(values, evals[p][i]))) for i in range(k)],
            weights=list(weights[p]),
            outcome_space=os_,
            reserved_value=0.0,
            name=f"party{p}",
        )
        for p in range(n_parties)
    ]
    return os_, ufuns


def _clear_minmax_cache(ufuns) -> None:
    """NegMAS caches minmax() on stationary ufuns; clear it so that every
    repetition pays the same cost as the first one."""
    for u in ufuns:
        if hasattr(u, "_cached_minmax"):
            u._cached_minmax = None


def measure(n_outcomes: int, n_parties: int, repeats: int, progress=None) -> dict:
    """Build the domain once, then run Pareto + Nash ``repeats`` times."""
    import negmas
    from negmas.preferences.ops import ks_points, nash_points, pareto_frontier

    t0 = time.perf_counter()
    os_, ufuns = build_negmas_domain(n_outcomes, n_parties)
    outcomes = list(os_.enumerate())
    seconds_build = time.perf_counter() - t0
    if progress is not None:
        progress({"phase": "built", "seconds_build": seconds_build})

    samples, best = [], None
    for _ in range(max(1, repeats)):
        _clear_minmax_cache(ufuns)
        ta = time.perf_counter()
        frontier, frontier_idx = pareto_frontier(ufuns, outcomes)
        tb = time.perf_counter()
        ranges = [u.minmax(os_, above_reserve=False) for u in ufuns]
        tc = time.perf_counter()
        nash = nash_points(ufuns, frontier, ranges=ranges)
        td = time.perf_counter()
        samples.append(td - ta)
        if best is None or td - ta < best[0]:
            best = (td - ta, tb - ta, tc - tb, td - tc)
        if progress is not None:
            progress({"phase": "repeat", "seconds": td - ta})

    te = time.perf_counter()
    ks = ks_points(ufuns, frontier, ranges=ranges)
    seconds_ks = time.perf_counter() - te

    def point(sol):
        if not sol:
            return None, None
        utils, fidx = sol[0]
        return [float(x) for x in utils], list(outcomes[frontier_idx[fidx]])

    nash_u, nash_o = point(nash)
    ks_u, ks_o = point(ks)
    return {
        "tool": "negmas",
        "version": negmas.__version__,
        "outcomes": n_outcomes,
        "parties": n_parties,
        "issues": n_issues_for(n_outcomes),
        "timed_out": False,
        "pareto_size": len(frontier),
        "nash_utilities": nash_u,
        "nash_outcome": nash_o,
        "n_nash_points": len(nash),
        "ks_utilities": ks_u,
        "ks_outcome": ks_o,
        "n_ks_points": len(ks),
        "ranges": [[float(a), float(b)] for a, b in ranges],
        "seconds_build": seconds_build,
        "seconds_pareto_nash": best[0],
        "seconds_pareto": best[1],
        "seconds_minmax": best[2],
        "seconds_nash": best[3],
        "seconds_ks": seconds_ks,
        "samples_pareto_nash": samples,
        "repeats": len(samples),
    }


# --------------------------------------------------------------------------
# Timeout handling: run the measurement in a forked child
# --------------------------------------------------------------------------
def _child(conn, n_outcomes, n_parties, repeats, max_mem_gb):
    if max_mem_gb and max_mem_gb > 0:
        lim = int(max_mem_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    try:
        res = measure(n_outcomes, n_parties, repeats, progress=lambda m: conn.send(m))
        conn.send({"phase": "done", "result": res})
    except MemoryError:
        conn.send({"phase": "error", "error": f"MemoryError (limit {max_mem_gb} GiB)"})
    except Exception as exc:  # report, never hang
        conn.send({"phase": "error", "error": f"{type(exc).__name__}: {exc}"})
    finally:
        conn.close()


def _negmas_version() -> str:
    """Installed NegMAS version without importing the (slow to import) package."""
    from importlib.metadata import version

    return version("negmas")


def run_with_timeout(n_outcomes, n_parties, repeats, timeout_s, max_mem_gb) -> dict:
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_child, args=(child, n_outcomes, n_parties, repeats, max_mem_gb)
    )
    start = time.perf_counter()
    proc.start()
    child.close()
    info: dict = {}
    result = None
    error = None
    deadline = start + timeout_s if timeout_s and timeout_s > 0 else None
    while True:
        remaining = None if deadline is None else max(0.0, deadline - time.perf_counter())
        if remaining == 0.0 or not parent.poll(remaining):
            break  # deadline reached
        try:
            msg = parent.recv()
        except EOFError:
            break  # child exited
        if msg["phase"] == "built":
            info["seconds_build"] = msg["seconds_build"]
        elif msg["phase"] == "repeat":
            info.setdefault("samples_pareto_nash", []).append(msg["seconds"])
        elif msg["phase"] == "done":
            result = msg["result"]
            break
        elif msg["phase"] == "error":
            error = msg["error"]
            break
    elapsed = time.perf_counter() - start
    if proc.is_alive() and result is None and error is None:
        proc.kill()
    proc.join()
    if result is not None:
        return result
    out = {
        "tool": "negmas",
        "version": _negmas_version(),
        "outcomes": n_outcomes,
        "parties": n_parties,
        "issues": n_issues_for(n_outcomes),
        "timed_out": error is None,
        "timeout_s": timeout_s,
        "seconds_elapsed": elapsed,
        "repeats": len(info.get("samples_pareto_nash", [])),
        **info,
    }
    if "seconds_build" not in info:
        out["note"] = "killed while building the domain / enumerating outcomes"
    else:
        out["note"] = "killed during pareto_frontier + nash_points"
    if error is not None:
        out["error"] = error
        out["note"] = "child failed"
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--outcomes", type=int, required=True, help="10^k outcomes")
    ap.add_argument("--parties", type=int, required=True)
    ap.add_argument("--repeat", type=int, default=1, help="timed repetitions")
    ap.add_argument("--timeout-s", type=float, default=0.0,
                    help="wall-clock budget for build + all repetitions (0 = none)")
    ap.add_argument("--max-mem-gb", type=float, default=8.0,
                    help="address-space limit for the measuring child (0 = none)")
    args = ap.parse_args(argv)
    n_issues_for(args.outcomes)  # validate early

    load_before = list(os.getloadavg())
    res = run_with_timeout(args.outcomes, args.parties, args.repeat,
                           args.timeout_s, args.max_mem_gb)
    res["loadavg"] = load_before
    res["loadavg_end"] = list(os.getloadavg())
    res["python"] = platform.python_version()
    res["cpu_count"] = os.cpu_count()
    print(json.dumps(res), flush=True)
    return 0 if not res.get("error") else 1


if __name__ == "__main__":
    sys.exit(main())
