#!/usr/bin/env python3
"""Side-by-side: parley and NegMAS on the same synthetic domains, on this machine.

Regenerates the Pareto + Nash table of BENCHMARKS.md in one run. For each case, one after
the other on the same machine:

* NegMAS 0.16: ``negmas_pareto.py`` with the interpreter of a venv outside the repository
  (best of its repetitions; cases NegMAS cannot finish are run with a time limit or not
  at all);
* parley: the criterion bench ``pareto_nash/{N}p/1e{k}`` of ``crates/core/benches/frontier.rs``
  (median of its samples, read from ``target/criterion``), and the ``synthetic`` example
  once for the Pareto size and Nash point, which are checked against NegMAS's.

Both sides time the same work: the Pareto frontier of the whole outcome space plus the Nash
point under NegMAS's disagreement convention (NegMAS: ``pareto_frontier`` + ``minmax`` +
``nash_points``; parley: ``analyze`` with ``AnalysisOptions::frontier_only()``), excluding
the construction of the domain. NegMAS runs on one core; parley uses both.

    python3 -m venv /tmp/negmas-venv && /tmp/negmas-venv/bin/pip install negmas==0.16.0
    python3 bench/peers/compare_pareto.py > bench/peers/comparison-pareto.md

It builds what it needs (``cargo bench`` compiles the bench, ``cargo build --release`` the
example) and prints a Markdown table, then the machine it ran on. ``--quick`` skips the
NegMAS cases that take minutes; ``--case 5:7`` (repeatable) runs only the cases named.
Exit status: 0 when every Pareto size and Nash point agrees, 1 when one differs or a NegMAS
run fails, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
EXAMPLE = os.path.join(TARGET, "release", "examples", "synthetic")

# (parties, log10 outcomes, NegMAS repetitions (0: not run), NegMAS time limit in seconds)
CASES = [
    (2, 3, 5, 120),
    (2, 4, 3, 120),
    (2, 5, 3, 300),
    (2, 6, 1, 300),
    (2, 7, 1, 120),
    (2, 8, 0, 0),
    (3, 5, 3, 300),
    (3, 6, 1, 300),
    (3, 7, 0, 0),
    (5, 5, 3, 300),
    (5, 6, 1, 600),
    (5, 7, 0, 0),
]

# Cases whose NegMAS side takes minutes; --quick leaves them out.
SLOW = {(2, 7), (3, 6), (5, 6)}


def loadavg() -> str:
    return "%.2f" % os.getloadavg()[0]


def cargo(*args: str) -> None:
    """Runs cargo in the repository; its messages go to stderr, never into the table."""
    subprocess.run(["cargo", *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=sys.stderr)


def parley_bench(parties: int, k: int) -> float:
    """Median seconds of the criterion bench for this case (runs it)."""
    name = f"pareto_nash/{parties}p/1e{k}"
    cargo("bench", "-p", "parley-core", "--bench", "frontier", "--", f"^{name}$")
    with open(os.path.join(TARGET, "criterion", name, "new", "estimates.json")) as f:
        return json.load(f)["median"]["point_estimate"] / 1e9


def parley_result(parties: int, k: int) -> dict:
    """Pareto size and Nash point from one run of the synthetic example."""
    out = subprocess.run([EXAMPLE, str(k), str(parties), "1"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def run_negmas(py: str, parties: int, k: int, repeats: int, timeout: int) -> dict | None:
    if repeats == 0:
        return None
    cmd = [py, os.path.join(HERE, "negmas_pareto.py"), "--parties", str(parties), "--outcomes", str(10**k),
           "--repeat", str(repeats), "--timeout-s", str(timeout)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    lines = out.stdout.strip().splitlines()
    if not lines:
        tail = out.stderr.strip().splitlines()[-1:] or [f"exit status {out.returncode}"]
        return {"error": tail[0]}
    return json.loads(lines[-1])


def same_nash(negmas: dict, parley: dict) -> bool:
    want, got = negmas.get("nash_utilities") or [], parley.get("nash_utilities") or []
    return len(want) == len(got) and all(abs(w - g) < 1e-6 for w, g in zip(want, got))


def machine() -> str:
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            kib = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
        mem = f"{kib / 2**20:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line for line in f if line.startswith("model name")).split(":", 1)[1].strip()
    except (OSError, StopIteration):
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}), {mem} RAM, {rustc}, {datetime.date.today()}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--negmas-py", default=os.environ.get("NEGMAS_PY", "/tmp/negmas-venv/bin/python"))
    ap.add_argument("--quick", action="store_true", help="leave out the NegMAS cases that take minutes")
    ap.add_argument("--case", action="append", metavar="N:K", default=[],
                    help="run only this case (N parties, 1eK outcomes); repeatable")
    args = ap.parse_args()
    try:
        only = {tuple(int(x) for x in c.split(":")) for c in args.case}
    except ValueError:
        print("--case takes PARTIES:LOG10_OUTCOMES, for example 5:7", file=sys.stderr)
        return 2
    cases = [c for c in CASES if not only or (c[0], c[1]) in only]
    if not cases:
        print(f"no such case; the cases are {', '.join(f'{p}:{k}' for p, k, _, _ in CASES)}", file=sys.stderr)
        return 2
    if not os.path.exists(args.negmas_py):
        print(f"no NegMAS interpreter at {args.negmas_py} (see bench/peers/README.md)", file=sys.stderr)
        return 2
    cargo("build", "--release", "-p", "parley-core", "--example", "synthetic")
    print("| parties | outcomes | NegMAS 0.16 (s) | parley (s) | ratio | Pareto size (NegMAS / parley) | same Nash point | load |")
    print("|---|---|---|---|---|---|---|---|")
    mismatches = 0
    for parties, k, n_rep, n_timeout in cases:
        load = loadavg()
        if args.quick and (parties, k) in SLOW:
            n_rep = 0
        negmas = run_negmas(args.negmas_py, parties, k, n_rep, n_timeout)
        seconds = parley_bench(parties, k)
        parley = parley_result(parties, k)
        same = "-"
        if negmas is None:
            n_time, n_size, ratio = "not run", "-", "-"
        elif negmas.get("error"):
            n_time, n_size, ratio = f"failed ({negmas['error']})", "-", "-"
            mismatches += 1
        elif negmas.get("timed_out"):
            n_time, n_size, ratio = f"> {n_timeout} (timed out)", "-", f"> {n_timeout / seconds:,.0f}×"
        else:
            t = negmas["seconds_pareto_nash"]
            n_time, n_size, ratio = f"{t:.3f}", negmas["pareto_size"], f"{t / seconds:,.0f}×"
            ok = negmas["pareto_size"] == parley["pareto_size"] and same_nash(negmas, parley)
            same = "yes" if ok else "NO"
            mismatches += not ok
        print(f"| {parties} | 1e{k} | {n_time} | {seconds:.5f} | {ratio} | {n_size} / {parley['pareto_size']} | {same} | {load} |",
              flush=True)
    print()
    print(f"Machine: {machine()}. parley: criterion median (`cargo bench -p parley-core --bench frontier`), "
          "both cores; NegMAS: best of its repetitions, one core; load: 1-minute load average when the case started.")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
