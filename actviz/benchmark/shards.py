"""Benchmark shards: one batched race each, named by what it trains, runnable anywhere.

A shard is (task, a set of activations, a batch of seeds) under one race configuration.
Its identity is a content hash of that configuration, of the source of every plugin
that provides its activations and task, and of the actviz and torch versions: equal
keys train exactly the same thing, so a stored result can stand in for a re-run.

A shard carries the text of its non-built-in plugin files, so a worker on another
machine (a process pool, a Ray cluster) trains with the same code as the machine that
asked, without sharing a file system. Nothing here imports Qt.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..host.sources import builtin_dir


@dataclass(frozen=True)
class Shard:
    """One unit of benchmark work; plain data, so it pickles to any worker."""

    config: dict[str, Any]
    key: str
    #: ``{file name: source text}`` of the plugin files outside the built-ins it needs.
    plugin_files: dict[str, str] = field(default_factory=dict)

    @property
    def task(self) -> str:
        return str(self.config["task"])

    @property
    def seeds(self) -> list[int]:
        return [int(s) for s in self.config["seeds"]]

    def describe(self) -> str:
        seeds = self.seeds
        return f"{self.task}, seeds {seeds[0]}-{seeds[-1]}"


def versions() -> dict[str, str]:
    """The versions a shard's result depends on besides its own configuration."""
    import torch

    from .. import __version__

    return {"actviz": __version__, "torch": torch.__version__}


def plugin_sources(catalogue: Any, activations: Sequence[str], task: str) -> dict[str, str]:
    """``{path: source text}`` of each plugin file providing ``activations`` or ``task``."""
    from ..training.layered import plugin_names  # relu>tanh is provided by relu and tanh

    paths: set[str] = set()
    for name in plugin_names(activations):
        try:
            location = catalogue.entry(name).location
        except KeyError:
            continue
        paths.add(location)
    for plugin in catalogue.plugins:
        if task in getattr(plugin, "tasks", ()):
            paths.add(plugin.location)
    sources: dict[str, str] = {}
    for location in sorted(paths):
        path = Path(location)
        if path.is_file() and path.suffix == ".py":
            sources[str(path)] = path.read_text(encoding="utf-8")
    return sources


def make_shard(config: Mapping[str, Any], catalogue: Any) -> Shard:
    """The shard for one race configuration, keyed by content (see the module docstring)."""
    config = dict(config)
    sources = plugin_sources(catalogue, config["activations"], config["task"])
    digest = hashlib.sha256()
    identity = {
        "config": config,
        "plugins": {
            Path(p).name: hashlib.sha256(t.encode()).hexdigest() for p, t in sources.items()
        },
        "versions": versions(),
    }
    digest.update(json.dumps(identity, sort_keys=True, separators=(",", ":")).encode())
    builtins = builtin_dir().resolve()
    shipped = {
        Path(path).name: text
        for path, text in sources.items()
        if Path(path).resolve().parent != builtins
    }
    return Shard(config=config, key=digest.hexdigest()[:32], plugin_files=shipped)


@lru_cache(maxsize=8)
def _worker_catalogue(files: tuple[tuple[str, str], ...]) -> Any:
    """The catalogue a worker trains with: built-ins, installed entry points, shipped files."""
    from ..host import load_catalogue

    folder = Path(tempfile.mkdtemp(prefix="actviz-shard-plugins-"))
    for name, text in files:
        (folder / name).write_text(text, encoding="utf-8")
    return load_catalogue([folder] if files else [], use_user_dir=False, use_env=False)


def train_shard(shard: Shard) -> dict[str, Any]:
    """Train one shard and return its race as a dict (no per-step histories).

    This is what every executor runs, in this process or in a worker; it raises
    :class:`RuntimeError` with a one-line reason when the race cannot finish.
    """
    from ..training import engine
    from ..training.config import RaceConfig
    from ..training.layered import plugin_names

    catalogue = _worker_catalogue(tuple(sorted(shard.plugin_files.items())))
    config = RaceConfig.from_dict(shard.config)
    if config.task not in catalogue.tasks:
        raise RuntimeError(f"{shard.describe()}: the worker has no task {config.task!r}")
    missing = [a for a in plugin_names(config.activations) if a not in catalogue.activations]
    if missing:
        raise RuntimeError(f"{shard.describe()}: the worker cannot load {', '.join(missing)}")
    import torch

    # stochastic activations (rrelu) draw from torch's global generator: seed it from the
    # shard, so a shard gives the same result whatever ran before it in this process
    torch.manual_seed(int(shard.key[:12], 16))
    from ..architectures.race import lookup

    architecture = lookup(config.arch, catalogue)
    result = engine.run_race(
        config, catalogue.activations, catalogue.tasks[config.task], architecture=architecture
    )
    if result.status != "finished":
        raise RuntimeError(f"{shard.describe()}: the race ended {result.status}")
    data = result.to_dict()
    data["runs"] = [
        {k: v for k, v in run.items() if k not in ("history", "final_grid")} for run in data["runs"]
    ]
    return data
