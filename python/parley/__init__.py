"""parley in Python: multi-party peace negotiations and the war beside them.

The functions run the same code as the ``parley`` command line (the Rust library and the
CLI's own command modules, compiled into the native module ``parley._parley``), so every
result is exactly the CLI's: ``Result.data`` is the dict the CLI prints with
``--format json``, and an experiment's files are the bytes ``parley experiment`` writes.

Quick start::

    import parley
    s = parley.builtin()                       # the 2024-25 Russia-Ukraine talks
    print(s.analyze()["zopa"])                 # packages in the zone of possible agreement
    e = s.experiment(runs=1000, seed=7, compare=True, out="exp")
    df = e.replicates.to_pandas()              # one row per replicate and arm
    print(e.arms)                              # per-arm summary as a pyarrow table

Errors: a scenario that does not load, an unknown lever or a setting out of range raise
:class:`ScenarioError` (a ``ValueError``) whose message is the located diagnostic the
command line prints (file, line, column). Long calls release the GIL and stop cleanly on
Ctrl-C (``KeyboardInterrupt``); an interrupted experiment resumes with ``resume=True``.

Spreading an experiment or a sweep over a Ray cluster: :mod:`parley.ray`.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import pyarrow

from . import _parley
from ._parley import InternalError, ParleyIOError, ScenarioError

__all__ = [
    "Scenario",
    "Result",
    "Experiment",
    "ScenarioError",
    "ParleyIOError",
    "InternalError",
    "builtin",
    "load",
    "merge",
    "set_jobs",
    "__version__",
]

__version__: str = _parley.version()

set_jobs = _parley.set_jobs


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _argv(positional: Sequence[str], options: Mapping[str, Any]) -> list[str]:
    """Command-line flags from keyword arguments: ``foo_bar=3`` is ``--foo-bar 3``, ``True``
    a bare flag, ``False``/``None`` nothing, a list repeats the flag."""
    argv = [str(p) for p in positional]
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = _flag(key)
        if value is True:
            argv.append(flag)
        elif isinstance(value, (list, tuple)):
            for v in value:
                argv += [flag, str(v)]
        else:
            argv += [flag, str(value)]
    return argv


class Result:
    """What a command returns: ``data``, the dict the command line prints with
    ``--format json`` (also reachable as ``result[key]``), and ``tables``, its row lists as
    pyarrow tables (``result.table("months").to_pandas()``, ``polars.from_arrow(...)``)."""

    def __init__(self, data: Any, tables: Mapping[str, Sequence[Mapping[str, Any]]] = (), passed: bool = True):
        self.data = data
        self.passed = passed
        self._rows = dict(tables)
        self._tables: dict[str, pyarrow.Table] = {}

    def __getitem__(self, key: Any) -> Any:
        return self.data[key]

    def __contains__(self, key: Any) -> bool:
        return key in self.data

    def keys(self) -> Iterable[str]:
        return self.data.keys()

    def to_dict(self) -> Any:
        """The result as plain Python data, exactly the CLI's JSON."""
        return self.data

    @property
    def table_names(self) -> list[str]:
        """The tables this result holds."""
        return list(self._rows)

    def table(self, name: str) -> pyarrow.Table:
        """The rows of ``name`` as a pyarrow table (nested values flattened as structs)."""
        if name not in self._tables:
            if name not in self._rows:
                raise KeyError(f"no table {name!r}; the tables are {self.table_names}")
            self._tables[name] = pyarrow.Table.from_pylist(list(self._rows[name]))
        return self._tables[name]

    def __repr__(self) -> str:
        keys = list(self.data)[:8] if isinstance(self.data, dict) else type(self.data).__name__
        return f"Result(keys={keys}, tables={self.table_names})"


class Experiment(Result):
    """A finished experiment on disk: ``data`` is its summary (as ``summary.json`` and the
    CLI's JSON), ``out`` its directory, and the replicates and months as pyarrow tables read
    from its Parquet files (decoded in Rust, handed over through the Arrow C stream
    interface without copying)."""

    def __init__(self, data: Any, out: Path):
        arms = []
        for a in data.get("arms", []):
            row = {"arm": a.get("arm")}
            by_month = a.get("settled_by_month") or []
            for label, m in (("6", 6), ("12", 12), ("horizon", len(by_month))):
                if by_month:
                    p = by_month[min(m, len(by_month)) - 1]
                    row.update({f"settled_by_{label}_p": p["p"], f"settled_by_{label}_lo": p["lo"], f"settled_by_{label}_hi": p["hi"]})
            for k, v in a.items():
                if isinstance(v, (int, float, str)) or v is None:
                    row[k] = v
                elif isinstance(v, dict) and all(isinstance(x, (int, float)) or x is None for x in v.values()):
                    for kk, vv in v.items():
                        row[f"{k}_{kk}"] = vv
            arms.append(row)
        super().__init__(data, {"arms": arms, "differences": _flat_rows(data.get("differences", []))})
        self.out = Path(out)

    @property
    def replicates(self) -> pyarrow.Table:
        """One row per replicate and arm (``replicates.parquet``)."""
        return _parley.read_parquet(str(self.out / "replicates.parquet")).read_all()

    @property
    def months(self) -> pyarrow.Table:
        """One row per replicate, arm and month (``months.parquet``)."""
        return _parley.read_parquet(str(self.out / "months.parquet")).read_all()

    @property
    def arms(self) -> pyarrow.Table:
        """One row per arm: the settlement's probability by month 6, 12 and the horizon
        (``settled_by_12_p``, ``_lo``, ``_hi``: the 95% interval), and the summary's other
        scalar figures and intervals (``holding_at_horizon_p``, ``settlement_month_p50``, ...)."""
        return self.table("arms")

    def __repr__(self) -> str:
        d = self.data.get("design", {})
        return f"Experiment(runs={d.get('runs')}, months={d.get('months')}, seed={d.get('seed')}, out={str(self.out)!r})"


def _flat_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows with one level of nested dicts flattened to ``key_subkey`` columns."""
    out = []
    for r in rows:
        flat: dict[str, Any] = {}
        for k, v in r.items():
            if isinstance(v, dict):
                for kk, vv in v.items():
                    flat[f"{k}_{kk}"] = vv
            else:
                flat[k] = v
        out.append(flat)
    return out


class Scenario:
    """A validated scenario, with levers applied by id.

    Make one with :meth:`load`, :func:`builtin`, :meth:`from_toml` or :meth:`from_json`;
    :meth:`with_levers` and :meth:`with_value` return changed copies. Every method runs the
    command line's command of the same name on it, with the same defaults.
    """

    def __init__(self, native: Any, origin: tuple, name: str | None, levers: Sequence[str] = (), values: Sequence[tuple[str, float]] = ()):
        self._native = native
        self._origin = origin
        self._name = name
        self._levers = list(levers)
        self._values = list(values)

    # -- making one ----------------------------------------------------------------------

    @staticmethod
    def load(path: str | os.PathLike[str]) -> "Scenario":
        """The scenario in a file (``.toml`` or ``.json``) or a Genius folder.

        Raises :class:`ScenarioError` with the located diagnostic (file, line, column) the
        command line prints if the file does not load; warnings (e.g. weights rescaled) are
        issued as Python warnings.
        """
        p = Path(path)
        if p.is_file():
            text = p.read_text(encoding="utf-8") if p.suffix.lower() in (".toml", ".json") else None
        else:
            text = None
        native = _parley.NativeScenario.load(str(p))
        _warn(native)
        origin = ("text", text, str(p), p.suffix.lower().lstrip(".")) if text is not None else ("path", str(p))
        return Scenario(native, origin, str(p))

    @staticmethod
    def builtin() -> "Scenario":
        """The built-in scenario: the 2024-25 Russia-Ukraine talks as five articles describe them."""
        return Scenario(_parley.NativeScenario.load(None), ("builtin",), None)

    @staticmethod
    def from_toml(text: str, name: str = "<string>") -> "Scenario":
        """A scenario from TOML text; ``name`` names it in messages."""
        native = _parley.NativeScenario.parse(text, name, "toml")
        _warn(native)
        return Scenario(native, ("text", text, name, "toml"), name)

    @staticmethod
    def from_json(text: str, name: str = "<string>") -> "Scenario":
        """A scenario from JSON text (the TOML layout); ``name`` names it in messages."""
        native = _parley.NativeScenario.parse(text, name, "json")
        _warn(native)
        return Scenario(native, ("text", text, name, "json"), name)

    def with_levers(self, *ids: str) -> "Scenario":
        """The scenario with these levers pulled (by id, in order), on top of those already
        pulled. An unknown id raises :class:`ScenarioError` listing the scenario's levers."""
        levers = self._levers + [i for i in ids]
        self._native.check_levers(levers)
        return Scenario(self._native, self._origin, self._name, levers, self._values)

    def with_value(self, path: str, value: float) -> "Scenario":
        """The scenario with the number at ``path`` (any path ``parley sources`` lists, e.g.
        ``"preferences.ukr.reservation"``) set to ``value``."""
        native = self._native.with_value(path, float(value))
        return Scenario(native, self._origin, self._name, self._levers, self._values + [(path, float(value))])

    # -- what it is ----------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The scenario's id."""
        return self._native.id

    @property
    def title(self) -> str:
        """The scenario's title."""
        return self._native.title

    @property
    def levers(self) -> dict[str, str]:
        """The levers the scenario defines: id to name."""
        return dict(self._native.levers())

    @property
    def pulled(self) -> list[str]:
        """The levers pulled on this scenario, in order."""
        return list(self._levers)

    @property
    def hash(self) -> str:
        """The scenario's hash, as every output file records it."""
        return self._native.hash()

    def __repr__(self) -> str:
        extra = f", levers={self._levers}" if self._levers else ""
        extra += f", values={self._values}" if self._values else ""
        return f"Scenario({self.id!r}{extra})"

    def __reduce__(self):
        # Pickled as its source and changes (for Ray tasks): the same bytes, re-validated.
        return (_restore, (self._origin, self._name, self._levers, self._values))

    # -- commands ------------------------------------------------------------------------

    def _run(self, command: str, options: Mapping[str, Any], levers: bool = True) -> tuple[Any, bool]:
        positional = [command] + ([self._name] if self._name is not None else [])
        opts = dict(options)
        if not levers and self._levers:
            raise ScenarioError(f"`parley {command}` takes no levers: call it on the scenario without levers pulled")
        if levers:
            opts["lever"] = self._levers + list(opts.get("lever") or [])
        printed, passed = _parley.run_command(self._native, _argv(positional, opts))
        data = json.loads(printed[-1]) if printed else None
        return data, passed

    def analyze(self, *, compare: bool = False, top: int = 5, disagreement: str = "reservation", **options: Any) -> Result:
        """Which deals exist: the zone of possible agreement, the Pareto frontier, the
        bargaining solutions, the best deals, near misses and who blocks what
        (``parley analyze``). With ``compare=True``, the baseline and every lever side by side.

        ``data`` is the CLI's JSON; tables: ``frontier``, ``best_deals``, ``actors``
        (or ``compare`` with ``compare=True``). Further options as the CLI's flags
        (``max_outcomes=``, ``memory_limit=``).
        """
        data, _ = self._run("analyze", dict(compare=compare, top=top, disagreement=disagreement, **options))
        if compare:
            return Result(data, {"compare": _flat_rows(data)})
        tables = {
            "frontier": [_package_row(p) for p in data["frontier"]],
            "best_deals": [_package_row(p) for p in data["best_deals"]],
            "actors": data["actors"],
        }
        return Result(data, tables)

    def check(self, *, audit: bool = False) -> Result:
        """The sources' claims checked against the model (``parley check``); with
        ``audit=True`` each is classed as evidence, by input or structural. ``passed`` is
        False if a claim fails (the CLI exits 1). Table: ``checks``."""
        data, passed = self._run("check", dict(audit=audit), levers=False)
        rows = data["expectations"]
        return Result(data, {"checks": _flat_rows(rows)}, passed=passed)

    def negotiate(self, *, protocol: str = "saop", strategies: Mapping[str, str] | None = None, rounds: int = 100, seed: int = 0, **options: Any) -> Result:
        """How talks would go, round by round (``parley negotiate``): ``protocol`` is
        ``"saop"``, ``"mediated"`` or ``"sequenced"``; ``strategies`` maps an actor id to a
        strategy (``{"rus": "boulware"}``). Table: ``trace``."""
        strategy = [f"{a}={s}" for a, s in (strategies or {}).items()]
        data, _ = self._run("negotiate", dict(protocol=protocol, strategy=strategy, rounds=rounds, seed=seed, **options))
        return Result(data, {"trace": _flat_rows(data["trace"])})

    def simulate(self, *, months: int = 24, seed: int = 0, central: bool = False, **options: Any) -> Result:
        """The war beside the talks, month by month (``parley simulate``): front line,
        losses, aid, each side's BATNA, the best offer and the ending. Table: ``months``."""
        data, _ = self._run("simulate", dict(months=months, seed=seed, central=central, **options))
        return Result(data, {"months": _flat_rows(data["months"])})

    def experiment(
        self,
        *,
        runs: int = 1000,
        months: int = 24,
        seed: int = 0,
        compare: bool = False,
        out: str | os.PathLike[str] | None = None,
        resume: bool = False,
        shard: tuple[int, int] | None = None,
        chunk: int = 250,
        particles: int = 1000,
        assimilation: bool = True,
    ) -> Experiment:
        """Monte Carlo over the scenario's ``[[uncertain]]`` assumptions (``parley experiment``).

        Runs ``runs`` replicates of ``months`` months from the master ``seed`` (results do not
        depend on threads or shards), with the pulled levers in every arm and, with
        ``compare=True``, one more arm per other lever, paired on common random numbers.
        Writes ``replicates.csv``, ``months.csv``, their Parquet twins and ``summary.json`` to
        ``out`` (a new temporary directory if None) -- the same bytes as the CLI.

        ``resume=True`` continues an interrupted experiment in ``out`` (Ctrl-C keeps the
        finished chunks); ``shard=(i, n)`` runs the i-th of n shards (see :func:`merge` and
        :func:`parley.ray.experiment`). ``particles`` and ``assimilation`` choose where
        replicates start: the observed record filtered by four independent filters of that many
        particles each (pooled), or the prior.

        Returns an :class:`Experiment`: ``data`` is the summary (the CLI's JSON),
        ``replicates`` / ``months`` / ``arms`` are pyarrow tables.
        """
        out = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="parley-experiment-")) / "experiment"
        data, _ = self._run("experiment", self._experiment_options(runs, months, seed, compare, out, resume, shard, chunk, particles, assimilation))
        return Experiment(data, out)

    def _experiment_options(self, runs, months, seed, compare, out, resume, shard, chunk, particles, assimilation) -> dict[str, Any]:
        return dict(
            runs=runs,
            months=months,
            seed=seed,
            compare=compare,
            out=str(out),
            resume=resume,
            shard=f"{shard[0]}/{shard[1]}" if shard else None,
            chunk=chunk,
            particles=particles,
            no_assimilation=not assimilation,
        )

    def _experiment_chunks(self, *, out, shard, runs=1000, months=24, seed=0, compare=False, chunk=250, particles=1000, assimilation=True) -> int:
        """A shard's chunk files only, resumed if present (for :mod:`parley.ray`, whose merge
        writes the final files); returns the replicates computed."""
        options = self._experiment_options(runs, months, seed, compare, out, True, shard, chunk, particles, assimilation)
        options["lever"] = self._levers
        positional = [self._name] if self._name is not None else []
        return _parley.experiment_chunks(self._native, _argv(positional, options))

    def sensitivity(self, *, samples: int = 512, months: int = 24, seed: int = 0, **options: Any) -> Result:
        """Which uncertain assumptions move the results most (``parley sensitivity``):
        tornado and Sobol first-order and total indices (Ctrl-C stops it between blocks of
        64 paths). Tables: ``parameters``, ``measures``."""
        data, _ = self._run("sensitivity", dict(samples=samples, months=months, seed=seed, **options))
        tables = {k: _flat_rows(v) for k, v in data.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
        return Result(data, tables)

    def forecast(self, *, issue: str | None = None, rounds: int | None = None, runs: int = 0, seed: int = 0, **options: Any) -> Result:
        """Bueno de Mesquita's expected-utility forecast of one issue or every ordered issue
        (``parley forecast``), round by round; ``runs > 0`` adds its distribution over the
        uncertain inputs. Table: ``forecasts`` (one row per issue: its
        forecast median, mean and the option nearest to it)."""
        data, _ = self._run("forecast", dict(issue=issue, rounds=rounds, runs=runs, seed=seed, **options))
        rows = [{"issue": f["issue"], "title": f.get("title"), **{f"result_{k}": v for k, v in (f.get("result") or {}).items()}} for f in data["forecasts"]]
        return Result(data, {"forecasts": rows})

    def backtest(self, *, horizons: int = 6, particles: int = 1000, seed: int = 0, **options: Any) -> Result:
        """Rolling-origin evaluation of the war model's forecasts on the scenario's own record
        (``parley backtest``): CRPS, coverage and PIT against naive benchmarks. Tables:
        ``rows`` (one per origin, horizon and series), ``origins``, ``series``."""
        data, _ = self._run("backtest", dict(horizons=horizons, particles=particles, seed=seed, **options), levers=False)
        tables = {k: _flat_rows(v) for k, v in data.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
        return Result(data, tables)

    def run(self, out: str | os.PathLike[str], *, runs: int = 1000, months: int = 24, seed: int = 0, samples: int = 256, backtest: bool = True, output: str | os.PathLike[str] | None = None, **options: Any) -> Result:
        """The main job (``parley run``): analysis, checks, experiment with every lever
        compared, sensitivity study and backtest, written to ``out`` with the HTML report
        (``out/report.html`` unless ``output`` is given)."""
        data, _ = self._run(
            "run",
            dict(out=str(out), runs=runs, months=months, seed=seed, samples=samples, no_backtest=not backtest, output=str(output) if output else None, **options),
        )
        return Result(data, {})

    def sources(self) -> Result:
        """Every number with its citation, assumption or tuning (``parley sources``)."""
        data, _ = self._run("sources", {}, levers=False)
        return Result(data, {})


def _package_row(p: Mapping[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"index": p["index"]}
    row.update({f"{k}": v for k, v in p["terms"].items()})
    row.update({f"u_{k}": v for k, v in p["utilities"].items()})
    return row


def _warn(native: Any) -> None:
    for w in native.warnings:
        warnings.warn(w, stacklevel=3)


def _restore(origin: tuple, name: str | None, levers: list[str], values: list[tuple[str, float]]) -> Scenario:
    kind = origin[0]
    if kind == "builtin":
        s = Scenario.builtin()
    elif kind == "text":
        _, text, nm, fmt = origin
        s = Scenario(_parley.NativeScenario.parse(text, nm, fmt), origin, name)
    else:
        s = Scenario.load(origin[1])
    s = s.with_levers(*levers) if levers else s
    for path, value in values:
        s = s.with_value(path, value)
    return s


def builtin() -> Scenario:
    """The built-in scenario (see :meth:`Scenario.builtin`)."""
    return Scenario.builtin()


def load(path: str | os.PathLike[str]) -> Scenario:
    """A scenario from a file or a Genius folder (see :meth:`Scenario.load`)."""
    return Scenario.load(path)


def merge(dirs: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str], scenario: Scenario | None = None) -> Experiment:
    """Combines the shards of one experiment (directories written with ``shard=(i, n)``)
    into ``out``, exactly the result of one run (``parley merge``). ``scenario`` is the one
    they ran on (the built-in one if None)."""
    s = scenario if scenario is not None else Scenario.builtin()
    positional = ["merge"] + [str(d) for d in dirs]
    if s._name is not None:
        positional += ["--scenario", s._name]
    printed, _ = _parley.run_command(s._native, _argv(positional, {"out": str(out)}))
    return Experiment(json.loads(printed[-1]), Path(out))
