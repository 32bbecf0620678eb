#!/usr/bin/env python3
"""NegMAS reference values for the Genius XML domains: Pareto frontier, Nash and KS points.

Loads every folder of the shared Genius domains (``shared/domains`` beside the repository,
see its ``FORMAT.md``) with NegMAS's own Genius loader and computes the Pareto frontier, the
Nash point and the Kalai-Smorodinsky point under both readings of the files:

* ``negmas``: NegMAS 0.16's raw reading, ``U(o) = sum_i w_i * eval_i(o_i)``, as
  ``Scenario.from_genius_folder`` builds it;
* ``genius``: Genius's reading, ``U(o) = sum_i (w_i / sum_j w_j) * eval_i(o_i) / max_v eval_i(v)``,
  built here from the same NegMAS objects by normalising as Genius does.

Both without discounting (``ignore_discount=True``), as static analysis of a domain is done.
The disagreement point is NegMAS's: ``nash_points``/``ks_points`` with the ufuns' ranges
(``minmax``) and reserved values. Run it with the interpreter of a virtual environment that
has NegMAS installed (kept outside the repository, see ``README.md``)::

    /tmp/negmas-venv/bin/python bench/peers/negmas_genius.py > bench/peers/negmas_genius_results.json

It prints one JSON document: ``{"negmas_version": ..., "domains": [{"domain": ..., "semantics":
..., "pareto_size": ..., "nash": {...}, "ks": {...}}, ...]}``. Outcome indices count the
outcomes with the last issue varying fastest (NegMAS's enumeration order, and parley's).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DOMAINS = HERE.parent.parent.parent / "shared" / "domains"


def genius_normalised(ufun, outcome_space):
    """The ufun as Genius reads the same file: weights divided by their sum, each issue's
    evaluations divided by the issue's largest evaluation."""
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.value_fun import TableFun

    total = sum(ufun.weights)
    values = []
    for fun in ufun.values:
        if not isinstance(fun, TableFun):
            raise TypeError(f"{ufun.name}: only discrete issues are normalised here, got {type(fun).__name__}")
        top = max(fun.mapping.values())
        values.append(TableFun({k: v / top for k, v in fun.mapping.items()}))
    return LinearAdditiveUtilityFunction(
        values=values,
        weights=[w / total for w in ufun.weights],
        outcome_space=outcome_space,
        reserved_value=ufun.reserved_value,
        name=ufun.name,
    )


def analyse(ufuns, outcome_space, outcomes):
    """Pareto frontier, ranges, Nash and KS points with NegMAS's own functions."""
    from negmas.preferences.ops import ks_points, nash_points, pareto_frontier

    frontier, frontier_idx = pareto_frontier(ufuns, outcomes)
    ranges = [u.minmax(outcome_space, above_reserve=False) for u in ufuns]

    def point(found):
        if not found:
            return None
        utilities, k = found[0]
        index = frontier_idx[k]
        return {
            "utilities": [float(x) for x in utilities],
            "outcome": list(outcomes[index]),
            "outcome_index": int(index),
            "ties": len(found),
        }

    return {
        "pareto_size": len(frontier),
        "ranges": [[float(a), float(b)] for a, b in ranges],
        "reserved_values": [float(u.reserved_value) for u in ufuns],
        "nash": point(nash_points(ufuns, frontier, ranges=ranges)),
        "ks": point(ks_points(ufuns, frontier, ranges=ranges)),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--domains", type=Path, default=DEFAULT_DOMAINS,
                    help="folder holding one sub-folder per Genius domain (default: shared/domains)")
    args = ap.parse_args(argv)

    import negmas
    from negmas.inout import Scenario

    results = []
    for folder in sorted(p for p in args.domains.iterdir() if p.is_dir()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scenario = Scenario.from_genius_folder(folder, ignore_discount=True)
        os_ = scenario.outcome_space
        outcomes = list(os_.enumerate())
        readings = {
            "negmas": list(scenario.ufuns),
            "genius": [genius_normalised(u, os_) for u in scenario.ufuns],
        }
        for semantics, ufuns in readings.items():
            results.append({
                "domain": folder.name,
                "semantics": semantics,
                "parties": [u.name for u in ufuns],
                "issues": [i.name for i in os_.issues],
                "outcomes": len(outcomes),
                **analyse(ufuns, os_, outcomes),
            })
    json.dump({"tool": "negmas", "negmas_version": negmas.__version__, "discounting": False,
               "domains": results}, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
