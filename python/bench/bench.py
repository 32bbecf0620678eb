"""Benchmarks of the Python package against the command line (BENCHMARKS.md, "From Python").

    python python/bench/bench.py overhead [--runs 10000] [--repeat 3]
    python python/bench/bench.py ray [--runs 100000]

`overhead`: `parley experiment --runs N` (the binary) against `parley.Scenario.experiment`
in this interpreter, alternated, each into a fresh directory; reports the median of each
and the ratio. `ray`: `parley experiment --runs N --jobs 2` against `parley.ray.experiment`
on a local cluster (`ray.init(num_cpus=2)`) with 1 and 2 shards, the merge alone
(`parley.merge` of the shard directories) and the fixed cost of a call (200 replicates), and
the model T(w) = fixed + X/w + merge fitted to them (`ray-fixed`: the fixed cost alone). The load average is printed before and after: the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import parley

ROOT = Path(__file__).resolve().parents[2]


def binary() -> str:
    return os.environ.get("PARLEY_BIN") or str(ROOT / "target" / "release" / "parley")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(f) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def overhead(runs: int, repeat: int, seed: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    s = parley.builtin()
    cli, py = [], []
    for k in range(repeat):
        d = work / f"cli{k}"
        cli.append(timed(lambda: subprocess.run([binary(), "experiment", "--runs", str(runs), "--seed", str(seed), "--out", str(d)], check=True, capture_output=True)))
        d = work / f"py{k}"
        py.append(timed(lambda: s.experiment(runs=runs, seed=seed, out=d)))
        print(f"  round {k + 1}: cli {cli[-1]:.2f} s, python {py[-1]:.2f} s (load {load()})", flush=True)
    same = all((work / f"cli0" / f).read_bytes() == (work / f"py0" / f).read_bytes() for f in ("replicates.csv", "months.csv", "summary.json"))
    shutil.rmtree(work)
    c, p = statistics.median(cli), statistics.median(py)
    return {"runs": runs, "cli_s": cli, "python_s": py, "cli_median": c, "python_median": p, "ratio": p / c, "same_bytes": same}


def ray_bench(runs: int, seed: int, only_fixed: bool = False) -> dict:
    import ray

    import parley.ray

    work = Path(tempfile.mkdtemp(prefix="parley-bench-ray-"))
    t0 = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    startup = time.perf_counter() - t0
    if only_fixed:
        s = parley.builtin()
        fixed = [timed(lambda k=k: parley.ray.experiment(s, runs=200, seed=seed, shards=1, out=work / f"tiny{k}")) for k in range(4)]
        ray.shutdown()
        shutil.rmtree(work)
        return {"fixed_s": fixed}
    s = parley.builtin()
    print(f"  ray.init: {startup:.1f} s (load {load()})", flush=True)
    cli = timed(lambda: subprocess.run([binary(), "--jobs", "2", "experiment", "--runs", str(runs), "--seed", str(seed), "--out", str(work / "cli")], check=True, capture_output=True))
    print(f"  cli --jobs 2: {cli:.1f} s (load {load()})", flush=True)
    out = {}
    for shards in (2, 1):
        t = timed(lambda: parley.ray.experiment(s, runs=runs, seed=seed, shards=shards, out=work / f"ray{shards}"))
        out[shards] = t
        print(f"  ray, {shards} shard(s): {t:.1f} s (load {load()})", flush=True)
    same = all((work / "cli" / f).read_bytes() == (work / "ray2" / f).read_bytes() for f in ("replicates.csv", "months.csv", "summary.json", "replicates.parquet"))
    shard_dirs = sorted((work / "ray2.shards").iterdir())
    merge = timed(lambda: parley.merge(shard_dirs, work / "remerged", s))
    print(f"  merge of 2 shards alone: {merge:.1f} s", flush=True)
    one_shard = sorted((work / "ray1.shards").iterdir())
    merge1 = timed(lambda: parley.merge(one_shard, work / "remerged1", s))
    print(f"  merge of 1 shard alone: {merge1:.1f} s", flush=True)
    # The fixed cost of a call (task start, the record filtered, a tiny merge): 200 replicates.
    fixed = min(timed(lambda k=k: parley.ray.experiment(s, runs=200, seed=seed, shards=1, out=work / f"tiny{k}")) for k in range(3))
    print(f"  fixed cost (200 replicates, 1 shard, best of 3): {fixed:.1f} s", flush=True)
    ray.shutdown()
    shutil.rmtree(work)
    # The model: T(w) = fixed + X / w + M, with M the merge (serial, on the driver) and X the
    # shards' work on one worker, from the 1-shard run.
    m = (merge + merge1) / 2  # the merge does not depend on the number of shards
    x = out[1] - fixed - m
    model = {"fixed_s": fixed, "work_1_worker_s": x, "merge_s": m, "projected": {w: fixed + x / w + m for w in (1, 2, 4, 8, 16, 32)}, "merge_bound_workers": x / m}
    print(f"  model: T(w) = {fixed:.1f} + {x:.1f}/w + {m:.1f} s; the merge exceeds the shards' work beyond w = {x / m:.1f}", flush=True)
    return {"model": model, "runs": runs, "ray_init_s": startup, "cli_jobs2_s": cli, "ray_1_shard_s": out[1], "ray_2_shards_s": out[2], "ratio_2_shards": out[2] / cli, "merge_2_shards_s": merge, "merge_1_shard_s": merge1, "same_bytes": same}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["overhead", "ray", "ray-fixed"])
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    print(f"{os.cpu_count()} CPUs; load average {load()}; parley {parley.__version__}; Python {sys.version.split()[0]}", flush=True)
    if a.what == "overhead":
        r = overhead(a.runs or 10_000, a.repeat, a.seed)
    elif a.what == "ray":
        r = ray_bench(a.runs or 100_000, a.seed)
    else:
        r = ray_bench(0, a.seed, only_fixed=True)
    r["load_after"] = load()
    print(json.dumps(r, indent=2))


if __name__ == "__main__":
    main()
