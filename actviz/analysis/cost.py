"""What an activation costs relative to ReLU, measured so that the number holds still.

A single best-of-few timing moved by a third between races (ReLU against itself read
0.75, 1.09, 0.78). Here the cost is a property of the function, its parameters and this
machine, so it is measured once and kept:

- ReLU is the reference: its cost is 1.00 by definition, never timed against itself.
- Each round times a few calls of the activation and of ``torch.relu`` on the same
  seeded input, in turns (alternating which goes first), so machine load hits both, and
  takes the ratio of their fastest calls; the cost is the median of the rounds' ratios
  and the spread half their interquartile range (how far a typical round falls from
  the median).
- The result is cached in memory and on disk (``user_cache_dir()/cost.json``), keyed by
  the name, parameters, input size, forward or forward+backward, the function's code and
  the torch version: later races and later sessions read the same number.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import statistics
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from ..api import Activation
from ..paths import user_cache_dir

REFERENCE = "relu"
#: Calls of each function per round.
CALLS = 5

_MEMORY: dict[str, Cost] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Cost:
    """``ratio``: median time relative to ReLU; ``spread``: half the interquartile range
    of the rounds' ratios; ``rounds``: how many (0: ReLU, defined rather than timed)."""

    ratio: float
    spread: float
    rounds: int


def cost_input(act: Activation, elements: int) -> torch.Tensor:
    """The seeded input both functions are timed on (rows of 8 for vector activations)."""
    gen = torch.Generator().manual_seed(0)
    if act.kind in ("vector", "gated"):
        return torch.randn(elements // 8, 8, generator=gen)
    return torch.randn(elements, generator=gen)


def measure_cost(
    act: Activation,
    params: Mapping[str, float] | None = None,
    *,
    elements: int = 1 << 16,
    rounds: int = 31,
    backward: bool = True,
    cache: bool = True,
) -> Cost:
    """The cost of ``act`` (see the module docstring); forward+backward on one CPU thread."""
    if act.name == REFERENCE:
        return Cost(1.0, 0.0, 0)
    values = {**act.defaults(), **(params or {})}
    key = _key(act, values, elements, rounds, backward)
    with _LOCK:
        if cache and key in _MEMORY:
            return _MEMORY[key]
        stored = _read_disk().get(key) if cache else None
    if isinstance(stored, dict):
        with contextlib.suppress(TypeError, ValueError):
            found = Cost(float(stored["ratio"]), float(stored["spread"]), int(stored["rounds"]))
            with _LOCK:
                _MEMORY[key] = found
            return found
    found = _time(act, values, elements, rounds, backward)
    if cache:
        with _LOCK:
            _MEMORY[key] = found
            _write_disk(key, found)
    return found


def forget() -> None:
    """Drop the in-memory cache (tests; the disk cache stays)."""
    with _LOCK:
        _MEMORY.clear()


def _time(act: Activation, values: dict, elements: int, rounds: int, backward: bool) -> Cost:
    x = cost_input(act, elements)
    if backward:
        x.requires_grad_(True)

    def call(fn: Callable[[torch.Tensor], torch.Tensor]) -> Callable[[], None]:
        if not backward:
            return lambda: fn(x)

        def both() -> None:
            x.grad = None
            fn(x).sum().backward()

        return both

    ours = call(lambda t: act.fn(t, **values))
    relu = call(torch.relu)
    # One thread, as training a small network uses: only the training cost changes the
    # process-wide setting (its callers run it alone); the forward-only cost is measured
    # in worker threads, where changing it under other threads' torch calls can crash.
    previous = torch.get_num_threads()
    if backward:
        torch.set_num_threads(1)
    try:
        with torch.set_grad_enabled(backward):
            ours()  # warm up (first-call allocation, lazy imports)
            relu()
            ratios = [_round(ours, relu, flip=r % 2 == 1) for r in range(max(3, rounds))]
    finally:
        if backward:
            torch.set_num_threads(previous)
    q1, _q2, q3 = statistics.quantiles(ratios, n=4)
    return Cost(statistics.median(ratios), (q3 - q1) / 2, len(ratios))


def _round(ours: Callable[[], None], relu: Callable[[], None], flip: bool) -> float:
    """One round: ``CALLS`` calls of each in turns; the ratio of each one's fastest call
    (a call that another process interrupted is slower, never faster)."""
    best = {ours: math.inf, relu: math.inf}
    pair = (relu, ours) if flip else (ours, relu)
    for _ in range(CALLS):
        for fn in pair:
            start = time.perf_counter()
            fn()
            best[fn] = min(best[fn], time.perf_counter() - start)
    return best[ours] / max(best[relu], 1e-9)


def _key(act: Activation, values: dict, elements: int, rounds: int, backward: bool) -> str:
    params = ",".join(f"{k}={_value(v)}" for k, v in sorted(values.items()))
    mode = "fwd+bwd" if backward else "fwd"
    return (
        f"{act.name}|{params}|{elements}|{rounds}|{mode}|{_code(act.fn)}|torch {torch.__version__}"
    )


def _value(v: object) -> str:
    """A parameter as text for the key (a tensor of coefficients by its values)."""
    if isinstance(v, torch.Tensor):
        return repr(v.detach().cpu().flatten().tolist())
    try:
        return repr(float(v))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return repr(v)


def _code(fn: object) -> str:
    """A fingerprint of a function's code: an edited plugin is measured again."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return getattr(fn, "__qualname__", type(fn).__qualname__)
    parts = [code.co_code, repr(code.co_consts).encode(), repr(code.co_names).encode()]
    return hashlib.sha1(b"|".join(parts)).hexdigest()[:12]


def _path() -> Path:
    return user_cache_dir() / "cost.json"


def _read_disk() -> dict:
    try:
        data = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_disk(key: str, cost: Cost) -> None:
    """Best effort: a cache that cannot be written only costs a new measurement later."""
    data = _read_disk()
    data[key] = asdict(cost)
    path = _path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(data, indent=0, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass
