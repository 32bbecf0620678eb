"""Shared fixtures: the `parley` binary the Python results are compared with, scratch
directories, and a local Ray cluster."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _binary() -> Path:
    explicit = os.environ.get("PARLEY_BIN")
    if explicit:
        return Path(explicit)
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "parley"
        if p.exists():
            return p
    raise FileNotFoundError("build the command line first (cargo build --release -p parley-cli) or set PARLEY_BIN")


class Cli:
    """The `parley` command line, run as a subprocess."""

    def __init__(self, path: Path):
        self.path = path

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = dict(os.environ, NO_COLOR="1")
        p = subprocess.run([str(self.path), *args], capture_output=True, text=True, env=env)
        if check and p.returncode != 0:
            raise AssertionError(f"parley {' '.join(args)} exited {p.returncode}:\n{p.stderr}")
        return p

    def json(self, *args: str, ok_codes=(0,)):
        p = self.run("--format", "json", *args, check=False)
        assert p.returncode in ok_codes, p.stderr
        return json.loads(p.stdout)


@pytest.fixture(scope="session")
def cli() -> Cli:
    path = _binary()
    assert path.exists(), f"no parley binary at {path}"
    return Cli(path)


@pytest.fixture(scope="session")
def ray_cluster():
    import ray
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def tree(d: Path) -> dict[str, bytes]:
    """Every file under ``d``, by relative path, with its bytes."""
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def assert_same_tree(a: Path, b: Path) -> None:
    ta, tb = tree(a), tree(b)
    assert sorted(ta) == sorted(tb), f"files differ: {sorted(set(ta) ^ set(tb))}"
    differ = [k for k in ta if ta[k] != tb[k]]
    assert not differ, f"files with other bytes: {differ}"
