"""The worked example under examples/ runs and prints its comparison."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_the_example_runs(tmp_path):
    root = Path(__file__).resolve().parents[2]
    p = subprocess.run(
        [sys.executable, str(root / "examples" / "compare_levers.py"), "--runs", "40", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 0, p.stderr
    assert "us_aid_cut" in p.stdout and "baseline" in p.stdout and "settled within 12 months" in p.stdout


def test_the_readme_lines_run(tmp_path, monkeypatch):
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    section = readme[readme.index("## From Python") :]
    code = section[section.index("```python") + len("```python") : section.index("```", section.index("```python") + 9)]
    assert 3 <= len(code.strip().splitlines()) <= 6
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "exp" / "summary.json").exists()
