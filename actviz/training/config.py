"""What a race trains: task, activations, network, optimiser, budget and device.

A :class:`RaceConfig` is plain data (JSON round-trip with :meth:`to_dict` /
:meth:`from_dict`) so runs can be stored, reopened and re-run exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ..paths import PLUGIN_HINT
from .features import problems as feature_problems
from .layered import canonical, is_layered, plugin_names
from .layered import problems as layer_problems
from .replicates import LEGACY_VARY, VARY
from .schedule import grid_interval, on_grid

INITS = ("default", "he", "xavier", "lecun", "siren")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adagrad", "adam")
DEVICES = ("auto", "cpu", "cuda", "mps")
STRATEGIES = ("auto", "batched", "loop")


@dataclass
class RaceConfig:
    """One race. ``seeds`` is a count (seeds ``0..n-1``) or an explicit list.

    ``params`` holds the user's chosen values, ``{activation: {param: value}}``;
    parameters not named there take their defaults. ``batch_size=None`` trains on the
    full batch; ``eval_every=None`` evaluates on a fixed step grid that does not depend on
    the race's length (see :mod:`actviz.training.schedule`). ``points``,
    ``noise`` and ``test_fraction`` default to the task's own values.
    ``boundary_grid`` is the side of the decision-boundary grid of 2-D tasks (1-D tasks
    get a fitted curve of ``4 * boundary_grid`` points; 0 turns both off).
    ``strategy`` ``"auto"`` stacks small models and trains big ones one by one;
    ``threads=None`` uses one CPU thread for small races and torch's setting otherwise.

    ``l1`` and ``l2`` penalise the weight matrices (not the biases): each model trains on
    its data loss plus ``l1 * sum|W| + l2 * sum W^2``, while the recorded train and test
    losses stay the data loss, comparable with unpenalised races. ``features`` are extra
    inputs for 2-D tasks (ids of :mod:`actviz.training.features`). An activation name
    such as ``relu>tanh`` applies one activation per hidden layer
    (:mod:`actviz.training.layered`); ``params`` then holds its parts' values by part.
    ``vary`` says what a seed resamples (:mod:`actviz.training.replicates`): ``"all"``
    (its own data draw and initial weights), ``"init"`` or ``"data"``; a stored dict
    without it reads as ``"init"``, what races varied before the choice existed.
    ``inits_per_draw`` (> 1, with ``vary="all"``) nests the replicates: consecutive groups
    of that many seeds share one data draw and differ in their initial weights, so the
    spread splits into its data and initialisation parts (:mod:`actviz.stats.nested`).
    ``arch`` names the network (:mod:`actviz.architectures`; ``"mlp"``, the default,
    is the stack of ``hidden`` layers) and ``arch_options`` its sizes (``{"depth": 4}``).
    Runs stored before architectures existed read as ``"mlp"``.
    """

    task: str = "moons"
    activations: list[str] = field(default_factory=lambda: ["relu", "tanh"])
    params: dict[str, dict[str, float]] = field(default_factory=dict)
    seeds: int | list[int] = 3
    steps: int = 1000
    hidden: tuple[int, ...] = (8, 8)
    init: str = "default"
    optimizer: str = "adam"
    lr: float = 0.01
    batch_size: int | None = None
    eval_every: int | None = None
    points: int | None = None
    noise: float | None = None
    test_fraction: float | None = None
    data_seed: int = 0
    device: str = "auto"
    boundary_grid: int = 48
    strategy: str = "auto"
    threads: int | None = None
    l1: float = 0.0
    l2: float = 0.0
    features: list[str] = field(default_factory=list)
    vary: str = "all"
    inits_per_draw: int = 1
    arch: str = "mlp"
    arch_options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.activations = [  # "relu > tanh" and "relu>tanh" are one name
            canonical(a) if isinstance(a, str) and is_layered(a) else a for a in self.activations
        ]
        self.features = list(self.features or [])
        self.arch = self.arch or "mlp"
        self.arch_options = dict(self.arch_options or {})
        self.hidden = tuple(self.hidden)
        if not isinstance(self.seeds, int):
            self.seeds = list(self.seeds)

    def seed_list(self) -> list[int]:
        """The seeds to train, in order."""
        if isinstance(self.seeds, int):
            return list(range(self.seeds))
        return [int(s) for s in self.seeds]

    def eval_interval(self) -> int:
        """Steps between evaluations: ``eval_every``, else the fixed grid's spacing at the
        end of the race (the grid is finer early on; see :meth:`is_eval_step`)."""
        if self.eval_every:
            return max(1, int(self.eval_every))
        return grid_interval(int(self.steps))

    def is_eval_step(self, step: int) -> bool:
        """Whether the race evaluates after ``step`` (the last step always does)."""
        if step == self.steps:
            return True
        if self.eval_every:
            return step % max(1, int(self.eval_every)) == 0
        return on_grid(step)

    def params_for(self, activation: str) -> dict[str, float]:
        return dict(self.params.get(activation, {}))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["hidden"] = list(self.hidden)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RaceConfig:
        """Build from :meth:`to_dict` output; unknown keys are ignored (newer files)."""
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs.setdefault("vary", LEGACY_VARY)  # stored before the choice: init only varied
        if "hidden" in kwargs:
            kwargs["hidden"] = tuple(int(w) for w in kwargs["hidden"])
        if "params" in kwargs:
            kwargs["params"] = {a: dict(p) for a, p in kwargs["params"].items()}
        return cls(**kwargs)

    def validate(
        self,
        activations: Mapping[str, Any] | None = None,
        tasks: Mapping[str, Any] | None = None,
    ) -> list[str]:
        """Every problem with this configuration, each as ``"field: what is wrong"``.

        Pass the loaded ``activations`` and ``tasks`` to also check names and
        parameter names; an empty list means the race can start.
        """
        problems: list[str] = []
        add = problems.append
        if tasks is not None and self.task not in tasks:
            add(f"task: unknown task {self.task!r}; known: {', '.join(sorted(tasks))}")
        task = tasks.get(self.task) if tasks is not None else None
        problems += feature_problems(self.features, getattr(task, "input_dim", None))
        for name in ("l1", "l2"):
            value = getattr(self, name)
            if not _finite(value) or value < 0:
                add(f"{name}: must be a number >= 0, got {value!r}")
        if not isinstance(self.arch, str) or not self.arch.strip():
            add(f"arch: name an architecture (mlp, cnn1d, ...), got {self.arch!r}")
        if not self.activations:
            add("activations: choose at least one activation")
        if len(set(self.activations)) != len(self.activations):
            add("activations: an activation is listed twice")
        n_hidden = len(self.hidden) if self.hidden else None
        for name in self.activations:
            if isinstance(name, str) and is_layered(name):
                problems += layer_problems(name, activations, n_hidden)
            elif activations is not None and name not in activations:
                add(f"activations: unknown activation {name!r} ({PLUGIN_HINT})")
        raced = set(plugin_names(n for n in self.activations if isinstance(n, str)))
        for act, values in self.params.items():
            if act not in raced:
                add(f"params: {act!r} is not one of the raced activations")
                continue
            known = activations.get(act) if activations is not None else None
            for pname, value in values.items():
                option = _choices(known, pname)
                if option and value not in option:
                    add(f"params: {act}.{pname} must be one of {', '.join(option)}, got {value!r}")
                elif isinstance(value, (list, tuple)):
                    problem = _vector_problem(known, pname, value)
                    if problem:
                        add(f"params: {act}.{pname} {problem}")
                elif not option and not _finite(value):
                    add(f"params: {act}.{pname} must be a finite number, got {value!r}")
                if known is not None and pname not in {p.name for p in known.params}:
                    add(f"params: {act} has no parameter {pname!r}")
        seeds = self.seed_list() if _seeds_ok(self.seeds) else None
        if seeds is None or not seeds:
            add("seeds: give a positive count or a non-empty list of integers")
        elif len(set(seeds)) != len(seeds):
            add("seeds: a seed is listed twice")
        if not _positive_int(self.steps):
            add(f"steps: must be a positive integer, got {self.steps!r}")
        if not self.hidden or not all(_positive_int(w) for w in self.hidden):
            add(f"hidden: give one or more positive layer widths, got {list(self.hidden)!r}")
        if self.init not in INITS:
            add(f"init: must be one of {', '.join(INITS)}, got {self.init!r}")
        if self.optimizer not in OPTIMIZERS:
            add(f"optimizer: must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        if not _finite(self.lr) or self.lr <= 0:
            add(f"lr: must be a positive number, got {self.lr!r}")
        if self.batch_size is not None and not _positive_int(self.batch_size):
            add(f"batch_size: must be a positive integer or empty, got {self.batch_size!r}")
        if self.eval_every is not None and not _positive_int(self.eval_every):
            add(f"eval_every: must be a positive integer or empty, got {self.eval_every!r}")
        if self.points is not None and (not _positive_int(self.points) or self.points < 4):
            add(f"points: must be an integer >= 4, got {self.points!r}")
        if self.noise is not None and (not _finite(self.noise) or self.noise < 0):
            add(f"noise: must be a number >= 0, got {self.noise!r}")
        if self.test_fraction is not None and not (
            _finite(self.test_fraction) and 0 < self.test_fraction < 1
        ):
            add(f"test_fraction: must be between 0 and 1, got {self.test_fraction!r}")
        if not isinstance(self.data_seed, int):
            add(f"data_seed: must be an integer, got {self.data_seed!r}")
        if self.device not in DEVICES:
            add(f"device: must be one of {', '.join(DEVICES)}, got {self.device!r}")
        if not isinstance(self.boundary_grid, int) or not 0 <= self.boundary_grid <= 512:
            add(f"boundary_grid: must be an integer in [0, 512], got {self.boundary_grid!r}")
        if self.strategy not in STRATEGIES:
            add(f"strategy: must be one of {', '.join(STRATEGIES)}, got {self.strategy!r}")
        if self.vary not in VARY:
            add(f"vary: must be one of {', '.join(VARY)}, got {self.vary!r}")
        if not _positive_int(self.inits_per_draw):
            add(f"inits_per_draw: must be a positive integer, got {self.inits_per_draw!r}")
        elif self.inits_per_draw > 1:
            if self.vary != "all":
                add(
                    "inits_per_draw: nesting initialisations in data draws needs vary='all' "
                    f"(both vary), got vary={self.vary!r}"
                )
            n = len(self.seed_list()) if _seeds_ok(self.seeds) else 0
            if n and (n % self.inits_per_draw or n < 2 * self.inits_per_draw):
                add(
                    f"inits_per_draw: {n} seeds do not split into data draws of "
                    f"{self.inits_per_draw} (use a multiple of {self.inits_per_draw}, "
                    "at least two draws)"
                )
        if self.threads is not None and not _positive_int(self.threads):
            add(f"threads: must be a positive integer or empty, got {self.threads!r}")
        return problems


def _choices(activation: Any, pname: str) -> tuple[str, ...]:
    """The choices of a choice option (empty for numbers and unknown names)."""
    for p in getattr(activation, "params", ()):
        if p.name == pname:
            return tuple(getattr(p, "choices", ()))
    return ()


def _seeds_ok(seeds: Any) -> bool:
    if isinstance(seeds, int):
        return not isinstance(seeds, bool) and seeds > 0
    return isinstance(seeds, list) and all(isinstance(s, int) for s in seeds)


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _vector_problem(act: Any, name: str, value: list | tuple) -> str | None:
    """Why a list of values cannot fill parameter ``name`` of ``act``, or ``None``."""
    if not all(_finite(v) for v in value):
        return f"must be finite numbers, got {list(value)!r}"
    param = next((p for p in getattr(act, "params", ()) if p.name == name), None)
    if param is None:
        return None  # reported as an unknown parameter
    vector = tuple(param.vector)
    if not vector:
        return f"is a single number, not a list of {len(value)}"
    if len(value) != vector[0]:
        return f"takes {vector[0]} values, got {len(value)}"
    return None


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _seeds_ok(seeds: Any) -> bool:
    if isinstance(seeds, bool):
        return False
    if isinstance(seeds, int):
        return seeds > 0
    try:
        return all(isinstance(s, int) and not isinstance(s, bool) for s in seeds)
    except TypeError:
        return False
