"""Experiments from Python: the CLI's bytes, tables for pandas and polars, shards and
merge, resumption, and Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars
import pyarrow

import parley

from conftest import assert_same_tree

SMALL = dict(runs=60, months=8, seed=11, chunk=20, particles=100)
SMALL_ARGS = ["--runs", "60", "--months", "8", "--seed", "11", "--chunk", "20", "--particles", "100"]


def test_experiment_writes_the_bytes_of_the_cli(cli, tmp_path):
    e = parley.builtin().with_levers("us_aid_cut").experiment(out=tmp_path / "py", compare=True, **SMALL)
    printed = cli.json("experiment", *SMALL_ARGS, "--lever", "us_aid_cut", "--compare", "--out", str(tmp_path / "cli"))
    assert_same_tree(tmp_path / "py", tmp_path / "cli")
    assert e.to_dict() == printed


def test_experiment_tables_convert_to_pandas_and_polars(tmp_path):
    e = parley.builtin().experiment(out=tmp_path / "e", compare=True, **SMALL)
    reps = e.replicates
    assert isinstance(reps, pyarrow.Table)
    arms = len(e["arms"])
    assert reps.num_rows == SMALL["runs"] * arms
    df = reps.to_pandas()
    assert sorted(df["replicate"].unique()) == list(range(SMALL["runs"]))
    months = polars.from_arrow(e.months)
    assert months.height == reps.num_rows * SMALL["months"]
    # The Parquet file read by pyarrow itself holds the same table.
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "e" / "replicates.parquet").equals(reps)
    assert e.arms.num_rows == arms


def test_shards_merged_equal_one_run(cli, tmp_path):
    s = parley.builtin()
    dirs = [tmp_path / f"s{i}" for i in (1, 2, 3)]
    for i, d in enumerate(dirs, start=1):
        s.experiment(out=d, shard=(i, 3), **SMALL)
    merged = parley.merge(dirs, tmp_path / "merged", s)
    cli.run("experiment", *SMALL_ARGS, "--out", str(tmp_path / "cli"))
    assert_same_tree(tmp_path / "merged", tmp_path / "cli")
    assert merged["design"]["runs"] == SMALL["runs"]


def test_an_occupied_directory_is_refused_and_resumed(tmp_path):
    s = parley.builtin()
    s.experiment(out=tmp_path / "e", **SMALL)
    try:
        s.experiment(out=tmp_path / "e", **SMALL)
        raise AssertionError("expected ScenarioError")
    except parley.ScenarioError as e:
        assert "already holds an experiment" in str(e)
    again = s.experiment(out=tmp_path / "e", resume=True, **SMALL)
    assert again["design"]["runs"] == SMALL["runs"]


def test_ctrl_c_stops_a_long_experiment_and_it_resumes(cli, tmp_path):
    out = tmp_path / "long"
    script = textwrap.dedent(
        f"""
        import signal, sys, parley
        # A process started in the background may inherit SIGINT ignored; restore Python's
        # handler, as an interactive session has it.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            parley.builtin().experiment(out={str(out)!r}, runs=20000, months=24, seed=3, chunk=20, assimilation=False)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(3)
        print("finished", flush=True)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    chunks = out / "chunks"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(chunks.glob("*.replicates.csv"))) < 2:
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    sent = time.time()
    stdout, _ = child.communicate(timeout=60)
    assert child.returncode == 3, stdout
    assert "interrupted" in stdout
    assert time.time() - sent < 10  # stopped at the next chunk, not at the end
    done = len(list(chunks.glob("*.replicates.csv")))
    assert 2 <= done < 1000
    assert not (out / "summary.json").exists()
    # Resumed, it finishes with the bytes of an uninterrupted run.
    parley.builtin().experiment(out=out, runs=20000, months=24, seed=3, chunk=20, assimilation=False, resume=True)
    cli.run("experiment", "--runs", "20000", "--seed", "3", "--chunk", "20", "--no-assimilation", "--out", str(tmp_path / "cli"))
    assert_same_tree(out, tmp_path / "cli")


def test_ctrl_c_stops_a_sensitivity_study_inside_it():
    script = textwrap.dedent(
        """
        import signal, sys, parley
        signal.signal(signal.SIGINT, signal.default_int_handler)
        print("started", flush=True)
        try:
            parley.builtin().sensitivity(samples=200000, months=24, seed=1)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(3)
        print("finished", flush=True)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "started"
    # Past the filter (about a second) and well into the study's paths: 200,000 samples
    # are some 3 million paths, hours on two cores.
    time.sleep(6)
    child.send_signal(signal.SIGINT)
    sent = time.time()
    stdout, _ = child.communicate(timeout=60)
    assert child.returncode == 3, stdout
    assert "interrupted" in stdout
    assert time.time() - sent < 10  # at the next block of paths, not at the end


def test_the_gil_is_released_during_a_call(tmp_path):
    import threading

    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.01)

    t = threading.Thread(target=tick)
    t.start()
    start = time.perf_counter()
    parley.builtin().experiment(out=tmp_path / "e", runs=1000, months=24, seed=1, assimilation=False)
    elapsed = time.perf_counter() - start
    stop.set()
    t.join()
    during = [x for x in ticks if start <= x <= start + elapsed]
    # A thread blocked on the GIL would tick about once (or not at all) during the call.
    assert elapsed > 0.2 and len(during) > elapsed / 0.01 * 0.3, (elapsed, len(during))
