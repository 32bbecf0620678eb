"""parley on a local Ray cluster: shards as tasks merged into the CLI's bytes, a killed
worker retried, and a sweep interrupted and resumed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import parley
import parley.ray

from conftest import assert_same_tree

SMALL = dict(runs=60, months=8, seed=5, chunk=10, particles=100)
SMALL_ARGS = ["--runs", "60", "--months", "8", "--seed", "5", "--chunk", "10", "--particles", "100"]


@pytest.mark.parametrize("shards", [1, 2, 5])
def test_ray_experiment_is_byte_identical_to_the_cli(ray_cluster, cli, tmp_path, shards):
    e = parley.ray.experiment(parley.builtin(), shards=shards, out=tmp_path / "ray", compare=True, **SMALL)
    cli.run("experiment", *SMALL_ARGS, "--compare", "--out", str(tmp_path / "cli"))
    assert_same_tree(tmp_path / "ray", tmp_path / "cli")
    assert e["design"]["runs"] == SMALL["runs"]


def kill_once(mark: Path):
    """A hook that kills the worker process running the first attempt of shard 2 (a real
    worker death: the process exits without returning), leaving a mark so that a retry goes
    through. A closure, so that Ray's workers receive it by value."""

    def hook(tag, index, count):
        if index == 2 and not mark.exists():
            mark.write_text(str(os.getpid()))
            os._exit(1)

    return hook


def test_a_killed_worker_is_retried_and_the_result_is_unchanged(ray_cluster, cli, tmp_path):
    mark = tmp_path / "killed"
    parley.ray.experiment(parley.builtin(), shards=3, out=tmp_path / "ray", _before_task=kill_once(mark), **SMALL)
    assert mark.exists(), "the worker was not killed"
    cli.run("experiment", *SMALL_ARGS, "--out", str(tmp_path / "cli"))
    assert_same_tree(tmp_path / "ray", tmp_path / "cli")


def test_a_killed_worker_without_retries_fails_the_call(ray_cluster, tmp_path):
    import ray

    mark = tmp_path / "k"
    with pytest.raises(ray.exceptions.WorkerCrashedError):
        parley.ray.experiment(parley.builtin(), shards=2, out=tmp_path / "ray", max_retries=0, _before_task=kill_once(mark), **SMALL)
    assert mark.exists()


def fail_point(point: int):
    """A hook that fails every task of one sweep point, as a point that cannot finish would."""

    def hook(tag, index, count):
        if tag == point:
            raise RuntimeError(f"point {tag} interrupted")

    return hook


def test_a_sweep_resumes_skipping_finished_points(ray_cluster, tmp_path):
    s = parley.builtin()
    grid = {"levers": [[], ["us_aid_cut"]], "preferences.ukr.reservation": [0.3, 0.45]}
    out = tmp_path / "sweep"
    with pytest.raises(RuntimeError, match="point 3 interrupted"):
        parley.ray.sweep(s, grid, out=out, shards=2, max_retries=0, _before_task=fail_point(3), **SMALL)
    finished = sorted(p.name for p in out.glob("point-*") if (p / "summary.json").exists())
    assert finished == ["point-0000", "point-0001", "point-0002"]
    stamps = {n: (out / n / "summary.json").stat().st_mtime_ns for n in finished}
    table = parley.ray.sweep(s, grid, out=out, shards=2, **SMALL)
    rows = table.to_pylist()
    assert len(rows) == 4  # one arm per point
    assert [r["reused"] for r in rows] == [True, True, True, False]
    assert {n: (out / n / "summary.json").stat().st_mtime_ns for n in finished} == stamps
    assert [(r["levers"], r["preferences.ukr.reservation"]) for r in rows] == [
        ("baseline", 0.3), ("baseline", 0.45), ("us_aid_cut", 0.3), ("us_aid_cut", 0.45)
    ]
    # The resumed point is the experiment the CLI runs on the same settings.
    last = s.with_levers("us_aid_cut").with_value("preferences.ukr.reservation", 0.45)
    solo = last.experiment(out=tmp_path / "solo", **SMALL)
    assert_same_tree(out / "point-0003", tmp_path / "solo")
    import polars

    assert polars.from_arrow(table).height == 4
