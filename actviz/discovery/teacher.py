"""Teacher tasks: regression on the outputs of a random network with a chosen activation.

``teacher:SPEC`` names one, where SPEC is a loaded activation (``teacher:silu``) or a
formula (``teacher:x*sigmoid(x)``). Its data are inputs x ~ N(0, I) pushed through a
teacher network drawn from the task's generator, so each data seed draws a fresh
teacher. A student with the teacher's activation (up to an affine change) can fit the
data exactly: a search whose answer is known.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch

from ..training.task import Task

PREFIX = "teacher:"
#: the teacher's shape: inputs -> hidden widths -> one output (the default student's)
INPUTS = 4
HIDDEN = (8, 8)
#: each hidden unit's pre-activation is scaled to this spread over the sample, so
#: every activation is exercised well beyond its linear part
PRE_STD = 1.5


def is_teacher(name: str) -> bool:
    return isinstance(name, str) and name.startswith(PREFIX)


def teacher_function(spec: str, activations: Mapping[str, Any] | None = None) -> Callable:
    """The teacher's activation: a loaded activation's ``fn`` at its defaults, or a
    compiled formula. Raises ``ValueError`` with the reason when it is neither."""
    from ..formula import FormulaError, compile_formula

    spec = spec.strip()
    if not spec:
        raise ValueError("teacher: name an activation or a formula after 'teacher:'")
    act = (activations or {}).get(spec)
    if act is not None:
        values = act.defaults()
        return lambda t: act.fn(t, **values)
    try:
        formula = compile_formula(spec)
    except FormulaError as exc:
        raise ValueError(
            f"teacher:{spec}: not a loaded activation, and not a formula ({exc.message})"
        ) from None
    return formula.fn


def teacher_task(
    name: str, activations: Mapping[str, Any] | None = None, *, lazy: bool = False
) -> Task:
    """The task ``teacher:SPEC`` (see the module docstring). ``lazy`` compiles the
    teacher's formula when the first data are drawn instead of now (a registered task:
    loading the catalogue then compiles nothing and imports no sympy)."""
    if not is_teacher(name):
        raise ValueError(f"{name!r} is not a teacher task (teacher:ACTIVATION or teacher:FORMULA)")
    spec = name[len(PREFIX) :]
    made: list[Callable] = [] if lazy else [teacher_function(spec, activations)]

    def fn(z: torch.Tensor) -> torch.Tensor:
        if not made:
            made.append(teacher_function(spec, activations))
        return made[0](z)

    def sample(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.randn(n, INPUTS, generator=gen)
        h = x
        widths = [INPUTS, *HIDDEN]
        for fan_in, fan_out in zip(widths[:-1], widths[1:], strict=True):
            w = torch.randn(fan_in, fan_out, generator=gen) / fan_in**0.5
            shift = 0.5 * torch.randn(fan_out, generator=gen)
            z = h @ w
            z = (z - z.mean(0)) / z.std(0).clamp_min(1e-6) * PRE_STD + shift
            with torch.no_grad():
                h = torch.as_tensor(fn(z), dtype=torch.float32)
        w_out = torch.randn(widths[-1], 1, generator=gen) / widths[-1] ** 0.5
        y = h @ w_out
        if not bool(torch.isfinite(y).all()):
            raise ValueError(f"{name}: the teacher's outputs are not finite")
        y = (y - y.mean()) / y.std().clamp_min(1e-6)
        return x, y + noise * torch.randn(y.shape, generator=gen)

    return Task(
        name=name,
        sample=sample,
        description=f"Regression on a random {INPUTS}-8-8-1 network with activation {spec}.",
        kind="regression",
        input_dim=INPUTS,
        loss="mse",
        metric="r2",
        default_points=512,
        default_noise=0.0,
        test_fraction=0.3,
        noise_help="standard deviation of noise added to the standardised targets",
    )


def resolve_task(name: str, tasks: Mapping[str, Task], activations: Mapping[str, Any]) -> Task:
    """A loaded task, or a teacher task built from its name; ``ValueError`` otherwise."""
    if name in tasks:
        return tasks[name]
    if is_teacher(name):
        return teacher_task(name, activations)
    raise ValueError(
        f"unknown task {name!r}; known: {', '.join(sorted(tasks))}, or teacher:ACTIVATION"
    )
