"""parley on a Ray cluster: an experiment's shards as Ray tasks, and sweeps of experiments.

An experiment of ``runs`` replicates is cut into ``shards`` shards (the command line's
``--shard i/N``); each shard runs as a Ray task on the cluster ``ray.init()`` connected to,
and the shards are merged by the same code as ``parley merge``. Every replicate draws from
its own random stream of the master seed, so the merged files are byte for byte those of
``parley experiment`` on one machine with the same seed, whatever the number of workers and
the order in which tasks finish.

A task whose worker dies (a killed process, a lost node) is retried by Ray (``max_retries``);
a shard resumes from the chunk files it had finished. A sweep runs one experiment per point
of a grid; restarted, it skips the points whose experiment is already complete on disk and
resumes the others from their chunks (the experiment store's resume).

Shard directories live beside ``out`` (``<out>.shards/``). A task that runs on the driver's
node writes its shard there directly; a task on another node runs it in a local temporary
directory and sends the files back, so no shared file system is needed.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import pyarrow

from . import Experiment, Scenario, ScenarioError, _parley, merge

__all__ = ["experiment", "sweep"]


def _ray():
    try:
        import ray
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise ImportError("parley.ray needs Ray: pip install 'ray==2.60.*'") from e
    if not ray.is_initialized():
        ray.init()
    return ray


def _options(runs, months, seed, compare, chunk, particles, assimilation) -> dict[str, Any]:
    return dict(runs=runs, months=months, seed=seed, compare=compare, chunk=chunk, particles=particles, assimilation=assimilation)


def _run_shard(scenario: Scenario, index: int, count: int, options: dict[str, Any], shard_dir: str, driver_node: str, before: Callable | None, tag: Any):
    """A Ray task: runs one shard's chunk files (resuming those on disk; the merge writes the
    final files) and returns its files if the driver cannot see this node's disk."""
    import ray

    ctx = ray.get_runtime_context()
    cpus = int(ctx.get_assigned_resources().get("CPU", 1)) or 1
    try:
        _parley.set_jobs(cpus)
    except RuntimeError:
        pass  # the worker process ran an earlier task: its pool is set already
    if before is not None:
        before(tag, index, count)
    local = ctx.get_node_id() == driver_node
    target = Path(shard_dir) if local else Path(tempfile.mkdtemp(prefix="parley-shard-")) / "shard"
    scenario._experiment_chunks(out=target, shard=(index, count), **options)
    if local:
        return None
    files = {str(p.relative_to(target)): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    shutil.rmtree(target.parent, ignore_errors=True)
    return files


_REMOTE: dict[str, Any] = {}


def _remote(ray):
    """The shard task as a Ray remote function (one CPU each), made once per process."""
    if "shard" not in _REMOTE:
        _REMOTE["shard"] = ray.remote(num_cpus=1)(_run_shard)
    return _REMOTE["shard"]


def _store(files: Mapping[str, bytes] | None, shard_dir: Path) -> None:
    """Writes a remote shard's files into its directory on the driver's disk."""
    if files is None:
        return
    for rel, data in files.items():
        path = shard_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".partial")
        tmp.write_bytes(data)
        os.replace(tmp, path)


def _expected_manifest(scenario: Scenario, options: dict[str, Any], out: Path) -> dict[str, Any]:
    argv = ([scenario._name] if scenario._name is not None else []) + [
        "--runs", str(options["runs"]), "--months", str(options["months"]), "--seed", str(options["seed"]),
        "--chunk", str(options["chunk"]), "--particles", str(options["particles"]), "--out", str(out),
    ]
    argv += ["--compare"] if options["compare"] else []
    argv += [] if options["assimilation"] else ["--no-assimilation"]
    for lever in scenario._levers:
        argv += ["--lever", lever]
    return json.loads(_parley.experiment_manifest(scenario._native, argv))


def _finished(out: Path, expected: dict[str, Any]) -> bool:
    """Whether ``out`` holds this whole experiment already, merged."""
    manifest, summary = out / "experiment.json", out / "summary.json"
    if not (manifest.exists() and summary.exists()):
        return False
    found = json.loads(manifest.read_text())
    if found != expected:
        raise ScenarioError(f"{out} holds a different experiment; choose another output directory")
    return True


class _Run:
    """The shards of one experiment, submitted as Ray tasks."""

    def __init__(self, ray, scenario: Scenario, options: dict[str, Any], out: Path, shards: int, max_retries: int, before: Callable | None, tag: Any):
        self.scenario, self.out, self.tag = scenario, out, tag
        self.dirs = [Path(f"{out}.shards") / f"{i:04d}-of-{shards:04d}" for i in range(1, shards + 1)]
        task = _remote(ray).options(max_retries=max_retries, retry_exceptions=True)
        driver = ray.get_runtime_context().get_node_id()
        self.refs = [
            task.remote(scenario, i, shards, options, str(d), driver, before, tag) for i, d in zip(range(1, shards + 1), self.dirs)
        ]
        self.left = set(self.refs)

    def collect(self, ray, ref) -> bool:
        """Stores a finished shard; True once every shard is in."""
        k = self.refs.index(ref)
        _store(ray.get(ref), self.dirs[k])
        self.left.discard(ref)
        return not self.left

    def merge(self) -> Experiment:
        return merge(self.dirs, self.out, self.scenario)


def _shard_count(ray, shards: int | None) -> int:
    if shards is not None:
        if shards < 1:
            raise ValueError("shards must be at least 1")
        return shards
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def experiment(
    scenario: Scenario,
    *,
    runs: int = 1000,
    shards: int | None = None,
    seed: int = 0,
    months: int = 24,
    compare: bool = False,
    out: str | os.PathLike[str] | None = None,
    chunk: int = 250,
    particles: int = 1000,
    assimilation: bool = True,
    max_retries: int = 3,
    _before_task: Callable[[Any, int, int], None] | None = None,
) -> Experiment:
    """Runs an experiment's shards as Ray tasks and merges them into ``out``.

    The same arguments as :meth:`parley.Scenario.experiment`; ``shards`` defaults to the
    cluster's CPUs (one CPU per task). The merged files are byte for byte those of
    ``parley experiment --runs RUNS --seed SEED`` on one machine. A task whose worker dies
    is retried up to ``max_retries`` times and resumes its shard's finished chunks; called
    again with the same arguments, a finished experiment in ``out`` is returned as it is.
    ``_before_task(tag, index, count)`` runs at the start of every task (for tests).
    """
    ray = _ray()
    options = _options(runs, months, seed, compare, chunk, particles, assimilation)
    out = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="parley-ray-")) / "experiment"
    if _finished(out, _expected_manifest(scenario, options, out)):
        return Experiment(json.loads((out / "summary.json").read_text()), out)
    run = _Run(ray, scenario, options, out, _shard_count(ray, shards), max_retries, _before_task, None)
    pending = list(run.refs)
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        run.collect(ray, done[0])
    return run.merge()


def _points(scenario: Scenario, grid: Mapping[str, Sequence[Any]]) -> list[tuple[dict[str, Any], Scenario]]:
    keys = list(grid)
    points = []
    for values in itertools.product(*(list(grid[k]) for k in keys)):
        s, point = scenario, {}
        for key, value in zip(keys, values):
            if key == "levers":
                ids = [value] if isinstance(value, str) else list(value or [])
                s = s.with_levers(*ids)
                point["levers"] = ",".join(ids) if ids else "baseline"
            else:
                s = s.with_value(key, float(value))
                point[key] = float(value)
        points.append((point, s))
    return points


def sweep(
    scenario: Scenario,
    grid: Mapping[str, Sequence[Any]],
    *,
    out: str | os.PathLike[str],
    runs: int = 1000,
    shards: int = 1,
    seed: int = 0,
    months: int = 24,
    compare: bool = False,
    chunk: int = 250,
    particles: int = 1000,
    assimilation: bool = True,
    max_retries: int = 3,
    _before_task: Callable[[Any, int, int], None] | None = None,
) -> pyarrow.Table:
    """One experiment per point of ``grid``, as Ray tasks, in one table.

    ``grid`` maps a number's path (as ``parley sources`` lists it, e.g.
    ``"preferences.ukr.reservation"``) to the values to try, and the key ``"levers"`` to
    lever sets (``[[], ["us_aid_cut"], ["us_aid_cut", "eu_loan"]]``); the points are every
    combination. Each point's experiment (``shards`` tasks, merged) goes to
    ``out/point-NNNN``; the same seed serves every point, so points differ only by their
    settings (common random numbers).

    Returns one row per point and arm: the grid's columns, ``arm``, the summary's figures
    (``settled_by_12_p``, ``holding_at_horizon_p``, ``settlement_month_p50``, ...), ``dir`` and
    ``reused`` (True for a point found complete on disk). Restarted after an interruption,
    a sweep skips the complete points and resumes the others from their finished chunks.
    Points that fail (after Ray's retries) do not stop the others; the first error is raised
    once the rest are merged.
    """
    ray = _ray()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    options = _options(runs, months, seed, compare, chunk, particles, assimilation)
    points = _points(scenario, grid)
    results: dict[int, tuple[Experiment, bool]] = {}
    runs_by_ref: dict[Any, tuple[int, _Run]] = {}
    for k, (point, s) in enumerate(points):
        pdir = out / f"point-{k:04d}"
        if _finished(pdir, _expected_manifest(s, options, pdir)):
            results[k] = (Experiment(json.loads((pdir / "summary.json").read_text()), pdir), True)
            continue
        pdir.mkdir(parents=True, exist_ok=True)
        (pdir.parent / f"point-{k:04d}.json").write_text(json.dumps(point) + "\n")
        run = _Run(ray, s, options, pdir, shards, max_retries, _before_task, k)
        for ref in run.refs:
            runs_by_ref[ref] = (k, run)
    pending = list(runs_by_ref)
    error: BaseException | None = None
    failed: set[int] = set()
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        k, run = runs_by_ref[done[0]]
        if k in failed:
            continue
        try:
            if run.collect(ray, done[0]):
                results[k] = (run.merge(), False)
        except Exception as e:  # a task failed after its retries: keep the other points going
            failed.add(k)
            error = error or e
    if error is not None:
        raise error
    rows = []
    for k, (point, _) in enumerate(points):
        e, reused = results[k]
        for arm in e.arms.to_pylist():
            rows.append({**point, **arm, "dir": str(e.out), "reused": reused})
    return pyarrow.Table.from_pylist(rows)
