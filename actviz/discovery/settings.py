"""What a search does: tasks, strategy, budget, fidelity, seeds and where races run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

STRATEGIES = ("random", "halving", "evolution")


@dataclass
class SearchSettings:
    """Plain data (JSON round-trip) so a search can be stored, resumed and reported.

    ``steps`` x ``seeds`` is the full fidelity every reported score is measured at;
    ``batch`` candidates race together. ``max_races`` (candidate x task races) stops a
    search deterministically, for tests and comparisons; ``budget_s`` stops it by time.
    Verification re-races the best ``verify_top`` on ``verify_seeds`` fresh seeds and
    fresh data against ``baselines``.
    """

    tasks: list[str] = field(default_factory=lambda: ["teacher:x*sigmoid(x)"])
    strategy: str = "evolution"
    budget_s: float = 480.0
    seed: int = 0
    steps: int = 400
    seeds: int = 2
    batch: int = 32
    #: candidates per race shard (shards go to workers; see Search.evaluate)
    shard_size: int = 16
    hidden: tuple[int, ...] = (8, 8)
    #: the student's architecture (``actviz.architectures``); ``hidden`` is the mlp's
    arch: str = "mlp"
    arch_options: dict[str, Any] = field(default_factory=dict)
    lr: float = 0.01
    max_races: int | None = None
    verify_top: int = 3
    verify_seeds: int = 8
    baselines: tuple[str, ...] = ("relu", "gelu", "silu")
    executor: str = "in-process"
    workers: int | None = None
    cluster: str | None = None
    sandboxed: bool = True

    def __post_init__(self) -> None:
        self.tasks = list(self.tasks)
        self.hidden = tuple(int(w) for w in self.hidden)
        self.arch = self.arch or "mlp"
        self.arch_options = dict(self.arch_options or {})
        self.baselines = tuple(self.baselines)

    def problems(self) -> list[str]:
        out = []
        if not self.tasks:
            out.append("tasks: name at least one task")
        if self.strategy not in STRATEGIES:
            out.append(f"strategy: must be one of {', '.join(STRATEGIES)}, not {self.strategy!r}")
        if not self.budget_s > 0:
            out.append(f"budget: must be a positive number of minutes, not {self.budget_s / 60:g}")
        for name in ("steps", "seeds", "batch", "shard_size", "verify_seeds"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                out.append(f"{name}: must be a positive integer, not {value!r}")
        if self.batch < 4:
            out.append("batch: must be at least 4 (strategies keep a fraction of a batch)")
        if self.max_races is not None and self.max_races < 1:
            out.append(f"max_races: must be a positive integer, not {self.max_races!r}")
        if not self.hidden or any(w < 1 for w in self.hidden):
            out.append("arch: hidden widths must be positive")
        if not isinstance(self.arch, str) or not self.arch.strip():
            out.append(f"arch: name an architecture (mlp, resmlp, cnn1d, ...), not {self.arch!r}")
        return out

    def race_options(self) -> dict[str, Any]:
        """What every race of the search sets: the student network and learning rate."""
        options: dict[str, Any] = {"hidden": self.hidden, "lr": self.lr}
        if self.arch != "mlp" or self.arch_options:
            options.update(arch=self.arch, arch_options=dict(self.arch_options))
        return options

    def identity(self) -> dict[str, Any]:
        """What decides the search's results (not its budget or where races run)."""
        data = self.to_dict()
        for name in ("budget_s", "executor", "workers", "cluster", "max_races", "sandboxed"):
            # (shard_size stays: it decides each candidate's race mates)
            data.pop(name)
        if data["arch"] == "mlp" and not data["arch_options"]:
            # searches stored before architectures keep their identity (and resume)
            del data["arch"], data["arch_options"]
        return data

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["hidden"] = list(self.hidden)
        data["baselines"] = list(self.baselines)
        return data
