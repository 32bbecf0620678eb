"""Scenarios from Python: loaded, parsed, levers by id, and the errors of a bad file."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import parley

ROOT = Path(__file__).resolve().parents[2]
COALITION = ROOT / "scenarios" / "coalition-2025.toml"


def test_builtin_and_file_and_text_load_the_same_scenario():
    built = parley.builtin()
    assert built.id == "ukraine-2025"
    from_file = parley.Scenario.load(ROOT / "scenarios" / "ukraine-2025.toml")
    from_text = parley.Scenario.from_toml((ROOT / "scenarios" / "ukraine-2025.toml").read_text())
    assert built.hash == from_file.hash == from_text.hash
    assert "us_aid_cut" in built.levers


def test_levers_apply_by_id_and_an_unknown_lever_is_a_scenario_error():
    s = parley.builtin().with_levers("us_aid_cut")
    assert s.pulled == ["us_aid_cut"]
    with pytest.raises(parley.ScenarioError) as e:
        parley.builtin().with_levers("no_such_lever")
    assert 'unknown lever "no_such_lever"' in str(e.value)
    assert "us_aid_cut" in str(e.value)  # the help lists the levers
    assert isinstance(e.value, ValueError)


def test_a_malformed_file_raises_the_located_diagnostic_the_cli_prints(tmp_path, cli):
    text = COALITION.read_text()
    # A type error deep in the file: a reservation value that is a string.
    lines = text.splitlines(keepends=True)
    k = next(i for i, l in enumerate(lines) if l.startswith("reservation = {"))
    lines[k] = 'reservation = "high"\n'
    bad = "".join(lines)
    path = tmp_path / "bad.toml"
    path.write_text(bad)
    with pytest.raises(parley.ScenarioError) as e:
        parley.Scenario.load(path)
    message = str(e.value)
    printed = cli.run("analyze", str(path), check=False)
    assert printed.returncode == 2
    assert message.strip() == printed.stderr.strip()
    assert f"{path}:" in message  # file, line and column
    assert f"{path}:{k + 1}:" in message  # the line of the bad value
    assert "high" in message and "invalid type" in message


def test_a_syntax_error_in_text_names_the_given_name():
    with pytest.raises(parley.ScenarioError) as e:
        parley.Scenario.from_toml("[scenario\nid = 1", name="mine.toml")
    assert "mine.toml:1:" in str(e.value)


def test_with_value_changes_the_number_and_the_hash():
    s = parley.builtin()
    changed = s.with_value("preferences.ukr.reservation", 0.5)
    assert changed.hash != s.hash
    with pytest.raises(parley.ScenarioError, match="no number at path"):
        s.with_value("preferences.nobody.reservation", 0.5)


def test_a_scenario_pickles_to_the_same_scenario():
    for s in (
        parley.builtin().with_levers("us_aid_cut"),
        parley.Scenario.load(COALITION).with_value(_first_path(COALITION), 0.25),
    ):
        back = pickle.loads(pickle.dumps(s))
        assert back.hash == s.hash and back.pulled == s.pulled


def _first_path(path: Path) -> str:
    return next(n["path"] for n in parley.Scenario.load(path).sources()["numbers"] if n["path"].endswith("reservation"))


def test_help_is_useful():
    import pydoc

    import parley.ray

    text = pydoc.render_doc(parley.Scenario.experiment, renderer=pydoc.plaintext)
    for word in ("runs", "seed", "resume", "shard", "pyarrow", "Ctrl-C"):
        assert word in text, word
    assert "byte for byte" in pydoc.render_doc(parley.ray.experiment, renderer=pydoc.plaintext)
    assert "ScenarioError" in pydoc.render_doc(parley, renderer=pydoc.plaintext)
