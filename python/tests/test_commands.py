"""Every command from Python returns the command line's JSON, as a dict, and its tables."""

from __future__ import annotations

import json
from pathlib import Path

import polars
import pyarrow

import parley

ROOT = Path(__file__).resolve().parents[2]
COALITION = ROOT / "scenarios" / "coalition-2025.toml"


def test_analyze_is_the_cli_json(cli):
    r = parley.builtin().with_levers("us_aid_cut").analyze()
    assert r.to_dict() == cli.json("analyze", "--lever", "us_aid_cut")
    frontier = r.table("frontier")
    assert isinstance(frontier, pyarrow.Table) and frontier.num_rows == len(r["frontier"])
    df = frontier.to_pandas()
    assert list(df["index"]) == [p["index"] for p in r["frontier"]]
    assert polars.from_arrow(frontier).height == frontier.num_rows


def test_analyze_compare_and_a_file(cli):
    r = parley.Scenario.load(COALITION).analyze(compare=True)
    assert r.to_dict() == cli.json("analyze", str(COALITION), "--compare")
    assert r.table("compare").num_rows == len(r.data)


def test_check_and_audit(cli):
    r = parley.Scenario.load(COALITION).check(audit=True)
    expected = cli.json("check", str(COALITION), "--audit", ok_codes=(0, 1))
    assert r.to_dict() == expected
    assert r.passed == (expected["failed"] == 0)
    assert r.table("checks").num_rows == len(expected["expectations"])


def test_negotiate(cli):
    r = parley.builtin().negotiate(protocol="mediated", rounds=30, seed=3)
    assert r.to_dict() == cli.json("negotiate", "--protocol", "mediated", "--rounds", "30", "--seed", "3")
    assert r.table("trace").num_rows == len(r["trace"])


def test_simulate(cli):
    r = parley.builtin().simulate(months=12, seed=5)
    assert r.to_dict() == cli.json("simulate", "--months", "12", "--seed", "5")
    months = r.table("months").to_pandas()
    assert len(months) == len(r["months"])


def test_sensitivity(cli):
    r = parley.builtin().sensitivity(samples=8, months=6, seed=2, no_assimilation=True)
    assert r.to_dict() == cli.json("sensitivity", "--samples", "8", "--months", "6", "--seed", "2", "--no-assimilation")
    assert r.table("parameters").num_rows == len(r["parameters"])


def test_forecast(cli):
    r = parley.builtin().forecast()
    assert r.to_dict() == cli.json("forecast")
    assert r.table("forecasts").column("issue").to_pylist() == [f["issue"] for f in r["forecasts"]]


def test_backtest(cli):
    r = parley.builtin().backtest(horizons=2, particles=50, seed=1)
    assert r.to_dict() == cli.json("backtest", "--horizons", "2", "--particles", "50", "--seed", "1")
    assert r.table("rows").num_rows == len(r["rows"]) > 0


def test_run_writes_the_cli_results(cli, tmp_path):
    args = ["--runs", "20", "--months", "6", "--seed", "4", "--samples", "4", "--particles", "50", "--no-backtest"]
    r = parley.builtin().run(tmp_path / "py", runs=20, months=6, seed=4, samples=4, particles=50, backtest=False)
    expected = cli.json("run", *args, "--out", str(tmp_path / "cli"))
    for key in ("zone", "settled_within_12_months", "checks_passed", "checks_failed", "seed", "runs"):
        assert r[key] == expected[key]
    assert (tmp_path / "py" / "report.html").exists()
    # The report's data is the same but for the command line it records.
    py, cl = (json.loads((tmp_path / d / "report.json").read_text()) for d in ("py", "cli"))
    assert py == cl
