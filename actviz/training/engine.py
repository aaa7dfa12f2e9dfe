"""The race: train every activation x seed at once and report progress as events.

``race(...)`` returns a :class:`Race`, an iterator of events (see ``events.py``). A
front end pulls events (a GUI worker thread, the CLI's progress bar); not pulling
pauses the race, ``race.stop()`` or a ``should_stop`` callable ends it at the next
step boundary, and ``race.close()`` abandons it at the current event. Whatever was
computed is kept in ``race.result``.

The training step is tape-free where it can be (``tape_free.py``: the stacked MLP's
forward and backward written out, no autograd tape over the network; ``step_path``
says so, or why the race keeps the autograd step).

On a CUDA device the training step is captured once as a CUDA graph and replayed
(``graphs.py``): a toy network's step is hundreds of tiny kernels, and replaying
them costs a fraction of launching them one by one. ``result.strategy`` says whether
the graph was used, or why the race fell back to eager steps.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from itertools import product
from typing import Any

import numpy as np
import torch

from ..api import Activation
from . import tape_free
from .config import RaceConfig
from .device import (
    choose_strategy,
    choose_threads,
    keep_freed_memory,
    model_macs,
    pick_device,
)
from .events import (
    ActivationFailed,
    Diverged,
    Evaluation,
    Event,
    Finished,
    Held,
    Progress,
    RunInfo,
    Started,
)
from .features import network_inputs
from .graphs import CUDA_LOCK, GraphedStep, graphs_enabled
from .layered import LayeredActivation, resolve
from .learned_params import learned_values, record_row, segment_params, training_bounds
from .metrics import grid_values, per_model_loss, per_model_metric
from .model import ActivationError, ModelStack, ParamPack, Segment
from .optim import FlatOptimizer, make_optimizer
from .param_groups import param_groups
from .penalties import add_penalty_gradient, penalty_scales
from .replicate_data import ReplicateData, fed
from .replicates import init_seed_of
from .results import RaceResult, RunRecord
from .snapshot_grid import grid_points
from .snapshots import Snapshotter
from .stored_start import InitialStateError, InitialStates, load_initial, missing_members
from .task import Task, TaskData
from .unit_stats import hidden_stats
from .weight_init import initial_layers, siren_w0

PROGRESS_SECONDS = 0.1
#: How often a Progress event carries the runs' training losses (a light recorded row).
LOSS_SECONDS = 1.0
#: ... or less often, so that computing that row takes at most this share of the race
#: (a CNN's forward over the whole training set costs more than many of its steps).
LOSS_SHARE = 0.1
#: Decision-boundary grids cost more than the metrics (thousands of points): compute
#: them at most this often while training, and always at the first and last evaluation.
GRID_SECONDS = 0.25
CHECK_EVERY = 10

#: How a race checks and builds a network other than its own stacked MLP: registered by
#: :mod:`actviz.architectures` when it loads (an architecture object cannot exist before
#: that), so the engine imports no architecture code.
_architectures: Any = None


def use_architectures(seam: Any) -> None:
    """Register the module whose ``check``, ``native`` and ``stacks`` the engine calls
    for an ``architecture=`` race (:mod:`actviz.architectures.race`)."""
    global _architectures
    _architectures = seam


def _mlp_only(config: RaceConfig) -> list[str]:
    """Without an architecture object the race trains its MLP: a config naming another
    network, or sizes for one, is refused."""
    name = getattr(config, "arch", "mlp") or "mlp"
    if name == "mlp" and not getattr(config, "arch_options", None):
        return []
    return [f"arch: no architecture {name!r} was given to the race (is its plugin loaded?)"]


class Race:
    """One race, consumed as an iterator of events; see the module docstring."""

    def __init__(
        self,
        config: RaceConfig,
        activations: Mapping[str, Activation],
        task: Task,
        should_stop: Callable[[], bool] | None = None,
        snapshots: bool = False,
        initial: InitialStates | None = None,
        architecture: Any = None,
    ) -> None:
        problems = config.validate(activations, {config.task: task})  # features need its dim
        if architecture is None:
            problems += _mlp_only(config)
        else:
            problems += _architectures.check(config, architecture, task, activations, initial)
            if _architectures.native(architecture):
                architecture = None
        #: ``None``: the engine's stacked MLP; else an architecture of actviz.architectures
        self.architecture = architecture
        if config.task != task.name:
            problems.append(f"task: the config names {config.task!r} but the task is {task.name!r}")
        if problems:
            raise ValueError("invalid race configuration:\n  " + "\n  ".join(problems))
        self.config = config
        self.task = task
        self.activations = resolve(config.activations, activations)
        self.should_stop = should_stop
        #: with ``snapshots``, every Evaluation carries the networks at its step
        self.snapshots = snapshots
        self._snapshotter: Snapshotter | None = None
        self.device = pick_device(config.device)
        seeds = config.seed_list()
        self.runs = [
            RunInfo(i, act, seed)
            for i, (act, seed) in enumerate(product(config.activations, seeds))
        ]
        #: with ``initial``, every run starts from these networks (see ``initial.py``)
        self.initial = initial
        missing = missing_members(self.runs, initial) if initial is not None else []
        if missing:
            raise InitialStateError(f"no initial networks stored for {', '.join(missing)}")
        self.result = RaceResult(
            config=config.to_dict(),
            task=task.name,
            metric=task.metric,
            device=str(self.device),
            strategy="",
            runs=[RunRecord(r.index, r.activation, r.seed, task.metric) for r in self.runs],
        )
        self.data: TaskData | None = None
        self.stacks: list[ModelStack] = []
        self._graphed: GraphedStep | None = None
        self._tape_free: list[tape_free.StackStep] | None = None
        #: "tape-free" (``tape_free.py``), or why the race keeps the autograd step
        self.step_path = ""
        self._stop_requested = False
        self._clock: float | None = None
        self._last_grid: dict[int, np.ndarray] = {}
        self._finalized = False
        self._hold_lock = threading.Lock()
        self._hold: int | None = None
        self._gen = self._events()

    # -- iterator protocol ------------------------------------------------------------

    def __iter__(self) -> Race:
        return self

    def __next__(self) -> Event:
        if self.device.type != "cuda":
            return next(self._gen)
        with CUDA_LOCK:  # see graphs.CUDA_LOCK: never while the consumer holds an event
            return next(self._gen)

    def close(self) -> None:
        """Abandon the race now; ``result`` keeps what was computed (status ``stopped``)."""
        if self.device.type == "cuda":
            with CUDA_LOCK:
                self._gen.close()
        else:
            self._gen.close()
        self._finish("stopped")

    def stop(self) -> None:
        """Ask the race to end after the current step (thread-safe: it only sets a flag)."""
        self._stop_requested = True

    def hold_at(self, step: int | None) -> None:
        """Hold the race once it has completed ``step`` (thread-safe; ``None`` cancels).

        At the first completed step at or beyond ``step`` the race evaluates (with its
        grid and snapshot, unless that step was just evaluated with them) and yields
        :class:`Held`; the consumer decides what next. A later call replaces the
        pending hold."""
        with self._hold_lock:
            self._hold = None if step is None else int(step)

    def _take_hold(self, step: int) -> bool:
        """Whether the race holds after ``step`` (the pending hold is then used up)."""
        with self._hold_lock:
            if self._hold is None or step < self._hold:
                return False
            self._hold = None
            return True

    # -- the race ---------------------------------------------------------------------

    def _events(self) -> Iterator[Event]:
        previous_threads = torch.get_num_threads()
        try:
            self._setup()
            yield from self._emit(self._started())
            self._clock = time.perf_counter()
            yield from self._evaluate(0, final=True)
            yield from self._train()
            self._pause_clock()
            self._finish("stopped" if self.result.status == "stopped" else "finished")
            yield Finished(self.result)
        except GeneratorExit:
            self._finish("stopped")
            raise
        except Exception:
            self._finish("failed")  # not a plugin's fault (those stop one activation)
            raise
        finally:
            self._pause_clock()
            self._graphed = None  # frees the graph's private GPU memory
            torch.set_num_threads(previous_threads)

    def _train(self) -> Iterator[Event]:
        cfg = self.config
        last_progress = last_losses = time.perf_counter()
        loss_cost = getattr(self, "_first_eval_s", 0.0)
        step = 0
        while step < cfg.steps:
            if self._stop_requested or (self.should_stop is not None and self.should_stop()):
                self.result.status = "stopped"
                break
            if not self._any_live():
                break
            try:
                self._step()
            except ActivationError as err:
                yield from self._fail(err, step + 1)
                continue  # the same step again, without that activation
            step += 1
            self.result.steps_done = step
            hold = self._take_hold(step)
            evaluate = cfg.is_eval_step(step) or hold
            if step % CHECK_EVERY == 0 or evaluate:
                yield from self._check_divergence()
            if evaluate:
                # a held step always carries its grid: the views redraw from it
                yield from self._evaluate(step, final=step == cfg.steps or hold)
                last_progress = time.perf_counter()
            if hold:
                yield from self._emit(Held(step))
            now = time.perf_counter()
            # a light loss row on a wall-clock cadence, however often evaluations come,
            # so a killed process loses at most about that much of the record
            if now - last_losses >= max(LOSS_SECONDS, loss_cost / LOSS_SHARE):
                losses = self._train_losses()
                last_losses = last_progress = time.perf_counter()
                loss_cost = last_losses - now
                yield from self._emit(Progress(step, cfg.steps, self._elapsed(), losses))
            elif not evaluate and now - last_progress > PROGRESS_SECONDS:
                last_progress = now
                yield from self._emit(Progress(step, cfg.steps, self._elapsed(), None))
        if step < cfg.steps and step > self._last_eval_step:
            yield from self._check_divergence()
            yield from self._evaluate(step, final=True)  # keep the state reached when stopped

    @torch.no_grad()
    def _train_losses(self) -> list[float | None] | None:
        """Each running model's loss on the training set (one forward, no diagnostics)."""
        losses: list[float | None] = [None] * len(self.runs)
        try:
            for stack, picks in zip(self.stacks, self._picks, strict=True):
                out, _ = stack.forward(fed(self._x_train, picks), train=False)
                y = fed(self._y_train, picks)
                values = per_model_loss(self.task.loss, out, y).tolist()
                for local, run in enumerate(stack.run_ids):
                    if self.result.runs[run].status == "running" and math.isfinite(values[local]):
                        losses[run] = values[local]
        except ActivationError:
            return None  # the next training step reports it
        return losses

    def _any_live(self) -> bool:
        return any(r.status == "running" for r in self.result.runs)

    # -- set-up -----------------------------------------------------------------------

    def _setup(self) -> None:
        cfg, task = self.config, self.task
        # stochastic activations (rrelu while training) draw from torch's global
        # generator: seeded per race, a race gives the same result whatever ran before
        torch.manual_seed(_race_seed(cfg))
        dev = self.device
        extra = list(getattr(cfg, "features", []) or [])  # every input the network sees
        feed = ReplicateData(task, cfg, extra, dev)  # shared data, or one draw per seed
        self._draws = feed.draws
        data = feed.shown
        self.data = data
        self._x_train, self._y_train = feed.x_train, feed.y_train
        self._x_test, self._y_test = feed.x_test, feed.y_test
        self._grid_axes, grid_points = self._grid(data)
        grid_points = network_inputs(grid_points, extra)
        self._x_metrics = torch.cat([self._x_train, self._x_test], dim=-1)
        self._x_eval = feed.with_points(self._x_metrics, grid_points.to(dev))
        self._last_grid_time = -math.inf
        widths = [task.input_dim + len(extra), *cfg.hidden, task.output_dim]
        batch = min(cfg.batch_size or data.n_train, data.n_train)
        self._batch = batch if batch < data.n_train else None
        self._batch_gen = torch.Generator().manual_seed(int(cfg.data_seed) + 1)
        self._perm: torch.Tensor | None = None
        self._pos = 0
        strategy = choose_strategy(cfg.strategy, widths, batch, dev)
        self._strategy = strategy
        total = model_macs(widths, batch) * len(self.runs)
        threads = choose_threads(cfg.threads, total, dev)
        if self.architecture is not None and cfg.threads is None and dev.type == "cpu":
            threads = 1  # measured: on 2 busy cores 1 thread ran a CNN step 5x faster than 2
        if threads is not None:
            torch.set_num_threads(threads)
        if dev.type == "cpu":
            keep_freed_memory()
        if self.architecture is None:
            self.stacks = self._build_stacks(widths, strategy)
        else:
            args = (cfg, self.architecture, self.activations, task, dev, data.n_train)
            self.stacks = _architectures.stacks(*args, per_seed=feed.per_seed)
        self._picks = [feed.rows(stack, self.runs) for stack in self.stacks]
        if self.initial is not None:
            load_initial(self.stacks, self.runs, self.initial)
        self.pack = ParamPack(self.stacks)
        self._penalties = penalty_scales(cfg, self.pack, self.stacks)
        self._graphed = None
        self._xb, self._yb = self._x_train, self._y_train  # the step's input buffers
        self._tape_free, self.step_path = tape_free.plan(self.stacks, task.loss)
        if self._tape_free is not None and dev.type == "cpu":
            # the fused update on one flat tensor, without torch.optim's per-step overhead
            self.optimizer = FlatOptimizer(cfg.optimizer, self.pack.flat, cfg.lr)
            self.result.strategy = strategy
        elif graphs_enabled(dev):
            # fixed tensors throughout: the optimiser's state and the minibatch buffers
            self.optimizer = FlatOptimizer(cfg.optimizer, self.pack.flat, cfg.lr)
            if self._batch is not None:
                self._xb = self._x_train[..., : self._batch].clone()
                self._yb = self._y_train[..., : self._batch].clone()
            self._graphed = GraphedStep(self._step_body)
            self.result.strategy = f"{strategy}, cuda graph"
        else:
            self.optimizer = make_optimizer(cfg.optimizer, [self.pack.flat], cfg.lr, dev)
            self.result.strategy = strategy
        self.pack.attach(self.optimizer)
        self._clamps = training_bounds(self.stacks)
        self._groups = param_groups(cfg.lr, self.pack, self.stacks)
        self._last_eval_step = -1
        if self.snapshots:  # an architecture's stack rebuilds its own one-model stacks
            self._snapshotter = Snapshotter(self.stacks)

    def _grid(self, data: TaskData) -> tuple[list[np.ndarray], torch.Tensor]:
        res = self.config.boundary_grid
        dim = self.task.input_dim
        if res <= 0 or dim not in (1, 2):
            return [], torch.zeros(dim, 0, dtype=torch.float32)
        if dim == 1:
            (low, high) = data.domain[0]
            axes = [torch.linspace(low, high, 4 * res, dtype=torch.float32).numpy()]
        else:
            axes = [
                torch.linspace(*data.domain[k], res, dtype=torch.float32).numpy() for k in (0, 1)
            ]
        return axes, grid_points(axes)

    def _build_stacks(self, widths: list[int], strategy: str) -> list[ModelStack]:
        cfg = self.config
        seeds = cfg.seed_list()
        per_act = len(seeds)
        groups: list[list[tuple[str, list[int], list[int]]]] = []
        if strategy == "loop":
            for run in self.runs:
                groups.append([(run.activation, [run.seed], [run.index])])
        else:
            plain: list[tuple[str, list[int], list[int]]] = []
            gated: list[tuple[str, list[int], list[int]]] = []
            for k, name in enumerate(cfg.activations):
                ids = list(range(k * per_act, (k + 1) * per_act))
                target = gated if self.activations[name].kind == "gated" else plain
                target.append((name, seeds, ids))
            groups = [g for g in (plain, gated) if g]
        return [self._stack(group, widths) for group in groups]

    def _stack(
        self, group: list[tuple[str, list[int], list[int]]], widths: list[int]
    ) -> ModelStack:
        cfg = self.config
        layers_per_model: list[list[tuple[torch.Tensor, torch.Tensor]]] = []
        segments: list[Segment] = []
        start = 0
        for name, seeds, ids in group:
            act = self.activations[name]
            layers = isinstance(act, LayeredActivation)
            chosen = cfg.params if layers else cfg.params_for(name)  # per part, see layered
            first = act.part(0) if layers else act
            first_chosen = cfg.params_for(first.name)
            values = {p.name: first_chosen.get(p.name, p.default) for p in first.params}
            w0 = siren_w0(first, {k: v for k, v in values.items() if isinstance(v, (int, float))})
            for seed in seeds:
                layers_per_model.append(
                    initial_layers(
                        init_seed_of(cfg.vary, seed),
                        widths,
                        cfg.init,
                        gated=act.kind == "gated",
                        w0=w0,
                    )
                )
            fixed, constants, learnable = segment_params(
                act, seeds, widths[1:-1], chosen, self.device
            )
            stop = start + len(seeds)
            segments.append(Segment(act, start, stop, list(ids), fixed, learnable, constants))
            start = stop
        weights, biases = [], []
        for layer in range(len(widths) - 1):
            w = torch.stack([m[layer][0] for m in layers_per_model])
            b = torch.stack([m[layer][1] for m in layers_per_model]).unsqueeze(-1)
            weights.append(w.to(self.device).requires_grad_())
            biases.append(b.to(self.device).requires_grad_())
        return ModelStack(segments, weights, biases)

    def _started(self) -> Started:
        assert self.data is not None
        data = {
            "x_train": self.data.x_train.numpy(),
            "y_train": self.data.y_train.numpy(),
            "x_test": self.data.x_test.numpy(),
            "y_test": self.data.y_test.numpy(),
        }
        if self._draws:  # each seed its own data: the views look at a run on its own draw
            data["x_train_by_seed"] = {s: d.x_train.numpy() for s, d in self._draws.items()}
        return Started(
            config=self.config.to_dict(),
            task=self.task.name,
            metric=self.task.metric,
            device=str(self.device),
            strategy=self.result.strategy,
            runs=list(self.runs),
            data=data,
            domain=self.data.domain,
            grid_axes=self._grid_axes,
        )

    # -- one optimiser step -----------------------------------------------------------

    def _load_batch(self) -> None:
        """Put the next minibatch in the step's input buffers (full batch: already there)."""
        if self._batch is None:
            return
        n = self._x_train.shape[-1]
        if self._perm is None or self._pos + self._batch > n:
            self._perm = torch.randperm(n, generator=self._batch_gen).to(self.device)
            self._pos = 0
        idx = self._perm[self._pos : self._pos + self._batch]
        self._pos += self._batch
        y_dim = self._y_train.ndim - 1
        x_dim = self._x_train.ndim - 1
        if self._graphed is None:
            self._xb = self._x_train.index_select(x_dim, idx)
            self._yb = self._y_train.index_select(y_dim, idx)
        else:  # a captured step reads fixed buffers
            torch.index_select(self._x_train, x_dim, idx, out=self._xb)
            torch.index_select(self._y_train, y_dim, idx, out=self._yb)

    def _step(self) -> None:
        with torch.enable_grad():  # a race never depends on the caller's grad mode
            self._step_grad()

    def _step_grad(self) -> None:
        self._load_batch()
        if self._graphed is None:
            self._step_body()
            return
        self._graphed()
        if self._graphed.failure is not None:
            self.result.strategy = (
                f"{self._strategy}, eager (cuda graph failed: {self._graphed.failure})"
            )
            self._graphed = None  # the buffers stay; the step runs eagerly from now on

    def _step_body(self) -> None:
        """Forward, backward and update of every stack: fixed tensors only, no host sync.

        Each stack is differentiated on its own, so the autograd graph of one stack is
        freed before the next is built: a loop of big models then needs the memory of
        one model, as a plain per-model loop does, not of all of them at once.
        """
        if self._tape_free is not None:
            for fast, picks in zip(self._tape_free, self._picks, strict=True):
                # writes every gradient: nothing to zero first
                fast.run(fed(self._xb, picks), fed(self._yb, picks))
            self._update()
            return
        self.pack.zero_grad()
        loss = self.task.loss
        for stack, picks in zip(self.stacks, self._picks, strict=True):
            x, y = fed(self._xb, picks), fed(self._yb, picks)
            out, _ = stack.forward(x, train=True)
            per_model = per_model_loss(loss, out, y)
            stack.ok.logical_and_(torch.isfinite(per_model))
            stack.finite_steps.add_(stack.ok)
            part = per_model.sum() if stack.all_live else (per_model * stack.live).sum()
            part.backward()
        self._update()

    def _update(self) -> None:
        """Penalties, the optimiser's step and explicit parameter bounds."""
        if self._penalties is not None:  # trained on, never recorded: rows keep the data loss
            add_penalty_gradient(self.pack.flat, *self._penalties)
        if self._groups is not None:  # activation parameters with their own lr / decay
            self._groups.before_step(self.pack.flat)
        self.optimizer.step()
        if self._groups is not None:
            self._groups.after_step(self.pack.flat)
        if self._clamps:
            with torch.no_grad():
                for values, low, high in self._clamps:
                    values.clamp_(low, high)  # an explicit Param.bounds, never min/max

    def _restructured(self) -> None:
        """A model was frozen or an activation failed: the captured step is out of date."""
        if self._graphed is not None:
            self._graphed.reset()

    # -- failures ---------------------------------------------------------------------

    def _check_divergence(self) -> Iterator[Event]:
        for stack in self.stacks:
            if bool(stack.ok.all()):
                continue
            bad = (~stack.ok).nonzero().flatten().tolist()
            counts = stack.finite_steps.tolist()
            yield from self._diverge(stack, [(i, counts[i] + 1) for i in bad])

    def _diverge(self, stack: ModelStack, bad: list[tuple[int, int]]) -> Iterator[Event]:
        fresh = [(i, step) for i, step in bad if i not in stack.frozen]
        if not fresh:
            return
        stack.freeze([i for i, _ in fresh], self.pack)
        self._restructured()
        for local, step in fresh:
            record = self.result.runs[stack.run_ids[local]]
            if record.status != "running":
                continue
            record.status = "diverged"
            record.diverged_at = step
            yield from self._emit(Diverged(record.index, record.activation, record.seed, step))

    def _fail(self, err: ActivationError, step: int) -> Iterator[Event]:
        runs: list[int] = []
        for stack in self.stacks:
            for seg in stack.segments:
                if seg.name == err.activation and not seg.failed:
                    seg.failed = True
                    stack.freeze(list(range(seg.start, seg.stop)), self.pack)
                    runs.extend(seg.run_ids)
        if not runs:  # not a known segment: a bug in the engine, not a plugin
            raise err
        self._restructured()
        for r in runs:
            record = self.result.runs[r]
            if record.status == "running":
                record.status = "failed"
            record.error = err.message
        event = ActivationFailed(err.activation, err.message, err.traceback, step, runs)
        yield from self._emit(event)

    # -- evaluation -------------------------------------------------------------------

    def _evaluate(self, step: int, final: bool = False) -> Iterator[Event]:
        now = time.perf_counter()
        with_grid = bool(self._grid_axes) and (final or now - self._last_grid_time >= GRID_SECONDS)
        if with_grid:
            self._last_grid_time = now
        while True:
            try:
                rows, grids, bad = self._measure(step, with_grid)
                if step == 0:
                    # a loss row is a forward over the training set, as this was: the
                    # first row's cost is known before it (a CNN's took many steps' time)
                    self._first_eval_s = time.perf_counter() - now
                break
            except ActivationError as err:
                yield from self._fail(err, step)
        for stack, items in bad:
            yield from self._diverge(stack, items)
        for r, row in enumerate(rows):
            if row is not None:
                self.result.runs[r].history.append(row)
        self._last_eval_step = step
        snapshot = self._snapshotter.take(step) if self._snapshotter is not None else None
        yield from self._emit(Evaluation(step, self._elapsed(), rows, grids, snapshot))

    @torch.no_grad()
    def _measure(
        self, step: int, with_grid: bool = True
    ) -> tuple[list[dict[str, Any] | None], np.ndarray | None, list[tuple[ModelStack, list]]]:
        task = self.task
        n_train, n_test = self._x_train.shape[-1], self._x_test.shape[-1]
        rows: list[dict[str, Any] | None] = [None] * len(self.runs)
        grid_rows: dict[int, np.ndarray] = {}
        seconds = self._elapsed()
        diverged: list[tuple[ModelStack, list]] = []
        for stack, picks in zip(self.stacks, self._picks, strict=True):
            x = fed(self._x_eval if with_grid else self._x_metrics, picks)
            out, layers = stack.forward(x, train=False, record=True)
            o_train = out[:, :, :n_train]
            o_test = out[:, :, n_train : n_train + n_test]
            y_train, y_test = fed(self._y_train, picks), fed(self._y_test, picks)
            stats = [
                per_model_loss(task.loss, o_train, y_train),
                per_model_metric(task.metric, task.loss, o_train, y_train),
            ]
            if n_test:
                stats.append(per_model_loss(task.loss, o_test, y_test))
                stats.append(per_model_metric(task.metric, task.loss, o_test, y_test))
            train_part = [(z[:, :, :n_train], h[:, :, :n_train]) for z, h in layers]
            stats.extend(hidden_stats(stack, train_part))
            has_grads = step > 0  # the gradients of the last training step
            if has_grads:
                stats.extend(stack.grad_norms())
            table = torch.stack(stats).cpu().numpy().astype(float)
            learned = {seg.start: learned_values(seg) for seg in stack.segments if seg.learnable}
            grid = None
            if with_grid:
                g = grid_values(task.loss, out[:, :, n_train + n_test :]).cpu().numpy()
                shape = tuple(len(a) for a in reversed(self._grid_axes))
                grid = g.reshape(stack.size, *shape)
            bad = []
            for local, run in enumerate(stack.run_ids):
                record = self.result.runs[run]
                if record.status != "running":
                    continue
                col = table[:, local]
                if not math.isfinite(col[0]):
                    bad.append((local, step))
                    continue
                rows[run] = self._row(step, seconds, col, n_test, stack, local, learned, has_grads)
                if grid is not None:
                    grid_rows[run] = grid[local]
            if bad:
                diverged.append((stack, bad))
        self._last_grid.update(grid_rows)
        grids = None
        if grid_rows:
            shape = next(iter(grid_rows.values())).shape
            grids = np.full((len(self.runs), *shape), np.nan, dtype=np.float32)
            for run, values in grid_rows.items():
                grids[run] = values
        return rows, grids, diverged

    def _row(
        self,
        step: int,
        seconds: float,
        col: np.ndarray,
        n_test: int,
        stack: ModelStack,
        local: int,
        learned: dict[int, dict[str, np.ndarray]],
        has_grads: bool,
    ) -> dict[str, Any]:
        n_hidden = stack.n_hidden
        values = [_num(v) for v in col]
        train_loss, train_metric = values[0], values[1]
        pos = 2
        test_loss = test_metric = None
        if n_test:
            test_loss, test_metric = values[2], values[3]
            pos = 4
        dead = values[pos : pos + 3 * n_hidden : 3]
        means = values[pos + 1 : pos + 3 * n_hidden : 3]
        stds = values[pos + 2 : pos + 3 * n_hidden : 3]
        pos += 3 * n_hidden
        grads = values[pos : pos + n_hidden + 1] if has_grads else None
        row: dict[str, Any] = {
            "step": step,
            "seconds": round(seconds, 6),
            "train_loss": train_loss,
            "test_loss": test_loss,
            "train_metric": train_metric,
            "test_metric": test_metric,
            "grad_norms": grads,
            "dead_fraction": dead,
            "act_mean": means,
            "act_std": stds,
        }
        if self.task.loss == "mse" and test_loss is not None:
            row["test_rmse"] = math.sqrt(test_loss) if test_loss >= 0 else None
        seg = stack.segment_of(local)
        if seg.start in learned:
            row.update(record_row(seg.activation, learned[seg.start], local - seg.start))
        return row

    # -- time and the end -------------------------------------------------------------

    def _emit(self, event: Event) -> Iterator[Event]:
        """Yield an event with the clock stopped, so a paused consumer costs no race time."""
        self._pause_clock()
        yield event
        self._clock = time.perf_counter()

    def _pause_clock(self) -> None:
        if self._clock is not None:
            self.result.train_seconds += time.perf_counter() - self._clock
            self._clock = None

    def _elapsed(self) -> float:
        running = time.perf_counter() - self._clock if self._clock is not None else 0.0
        return self.result.train_seconds + running

    def _finish(self, status: str) -> None:
        """Settle the race and every run still running (once; later calls do nothing)."""
        if self._finalized:
            return
        self._finalized = True
        self.result.status = status
        run_status = {"finished": "finished", "failed": "failed"}.get(status, "stopped")
        for record in self.result.runs:
            if record.status == "running":
                record.status = run_status
            grid = self._last_grid.get(record.index)
            if grid is not None and record.status in ("finished", "stopped"):
                record.final_grid = np.round(grid.astype(float), 4).tolist()


def _race_seed(config: RaceConfig) -> int:
    """A seed for the global generator from what a race trains on: task, data, seeds and
    activations (a change of learning rate or steps keeps the same random stream)."""
    what = [config.task, config.data_seed, config.seed_list(), list(config.activations)]
    if config.vary != "init":  # races stored before the choice keep their stream
        what.append(config.vary)
    return int(hashlib.sha256(json.dumps(what).encode()).hexdigest()[:12], 16)


def _num(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def race(
    config: RaceConfig,
    activations: Mapping[str, Activation],
    task: Task,
    should_stop: Callable[[], bool] | None = None,
    snapshots: bool = False,
    initial: InitialStates | None = None,
    architecture: Any = None,
) -> Race:
    """Set up a race; iterate the returned :class:`Race` to run it. With ``snapshots``
    every Evaluation event carries the networks at its step (``snapshots.Snapshot``);
    ``initial`` (``{(activation, seed): RunParams}``) replaces the drawn initial networks;
    ``architecture`` is the :class:`actviz.Architecture` that ``config.arch`` names
    (``None``: the MLP)."""
    return Race(
        config,
        activations,
        task,
        should_stop=should_stop,
        snapshots=snapshots,
        initial=initial,
        architecture=architecture,
    )


def run_race(
    config: RaceConfig,
    activations: Mapping[str, Activation],
    task: Task,
    on_event: Callable[[Event], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    architecture: Any = None,
) -> RaceResult:
    """Run a race to the end (or until ``should_stop()``) and return its result."""
    current = race(config, activations, task, should_stop=should_stop, architecture=architecture)
    for event in current:
        if on_event is not None:
            on_event(event)
    return current.result
