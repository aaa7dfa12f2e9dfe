"""From a learned shape back to a formula: fit grammar formulas to a curve.

As pykan's auto-symbolic does for its splines, every lone unary and every core unit
``b(u1(x), u2(x))`` of the grammar is fitted to the curve as ``a*f(b*x + c) + d``
(least squares, see :mod:`.affine`); the best few are returned with their error and can
be written as formula plugins. :func:`fit_learnable` first trains a learnable activation
(B-spline, Padé, ...) to imitate a known curve, so the fit can be checked against it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch

from .affine import GRID, CurveIndex, _linear_best, fit_affine
from .grammar import Grammar, all_small_formulas

#: formulas refined by the full four-parameter fit after the quick (b, c)-grid pass
REFINE = 40


def fit_curve(
    x: torch.Tensor, y: torch.Tensor, top: int = 5, grammar: Grammar | None = None
) -> list[dict[str, Any]]:
    """The ``top`` grammar formulas closest to ``y(x)`` after an affine fit, best first:
    ``{formula, base, error, a, b, c, d}`` (error: RMS residual / std(y))."""
    from ..formula import FormulaError, compile_formula

    x = x.to(torch.float64)
    y = y.to(torch.float64)
    trees = dictionary(grammar or Grammar())
    quick = []
    b = torch.tensor([s * v for v in (0.25, 0.5, 1.0, 2.0) for s in (1, -1)], dtype=torch.float64)
    c = torch.tensor([-1.0, 0.0, 1.0], dtype=torch.float64)
    for tree in trees:
        with torch.no_grad():
            g = tree.torch(b[:, None, None] * x + c[None, :, None]).expand(len(b), len(c), len(x))
        best = _linear_best(g.reshape(-1, len(x)), y)
        if best is not None:
            quick.append((best[3], tree))
    quick.sort(key=lambda item: item[0])
    fits = []
    for _, tree in quick[:REFINE]:
        fit = fit_affine(tree.torch, y, x)
        fits.append((fit.error, tree, fit))
    fits.sort(key=lambda item: item[0])
    out = []
    for _, tree, fit in fits:
        text = _affine_text(tree, fit)
        try:
            compiled = compile_formula(text)
        except FormulaError:
            continue
        with torch.no_grad():
            values = compiled.fn(x).to(torch.float64)
        error = float((values - y).pow(2).mean().sqrt() / y.std())
        out.append({"formula": text, "base": tree.text(), "error": error, **fit.to_dict()})
        out[-1]["error"] = error
        if len(out) == top:
            break
    return out


@lru_cache(maxsize=4)
def dictionary(grammar: Grammar) -> tuple:
    """The grammar's small formulas with behavioural duplicates left out (built once)."""
    trees = []
    index = CurveIndex()
    for tree in all_small_formulas(grammar):
        verdict, _ = index.check(tree.torch)
        if verdict == "ok":
            index.add(tree.torch, len(trees))
            trees.append(tree)
    return tuple(trees)


def _affine_text(tree, fit) -> str:
    def num(v: float) -> str:
        return f"{v:.4g}"

    scale = "x" if abs(fit.b - 1) < 1e-3 else f"{num(fit.b)}*x"
    inner = f"({scale} + {num(fit.c)})" if abs(fit.c) > 1e-3 else scale
    if inner != "x" and inner[0] != "(":
        inner = f"({inner})"
    body = tree.text(inner)
    text = body if abs(fit.a - 1) < 1e-3 else f"{num(fit.a)}*({body})"
    if abs(fit.d) > 1e-3:
        text += f" + {num(fit.d)}" if fit.d > 0 else f" - {num(-fit.d)}"
    return text.replace("+ -", "- ")


def imitate(
    fn: Callable[..., torch.Tensor],
    values: dict[str, Any],
    learnable: Sequence[str],
    target: torch.Tensor,
    x: torch.Tensor,
    steps: int = 2000,
    lr: float = 0.03,
) -> dict[str, Any]:
    """Train the ``learnable`` parameters of ``fn`` so ``fn(x)`` matches ``target``."""
    params = {
        k: torch.as_tensor(v, dtype=torch.float32).clone().requires_grad_(k in learnable)
        if k in learnable
        else v
        for k, v in values.items()
    }
    trained = [params[k] for k in learnable]
    opt = torch.optim.Adam(trained, lr=lr)
    xf, tf = x.float(), target.float()
    for _ in range(steps):
        opt.zero_grad()
        loss = (fn(xf, **params) - tf).pow(2).mean()
        loss.backward()
        opt.step()
    return {k: (v.detach() if isinstance(v, torch.Tensor) else v) for k, v in params.items()}


def fit_learnable(
    name: str, target_formula: str, plugin_dirs: Sequence[str] = (), top: int = 5
) -> dict[str, Any]:
    """Train the learnable activation ``name`` to imitate ``target_formula`` on [-4, 4],
    then fit grammar formulas to the learned curve; says how close each is to the target."""
    from ..formula import FormulaError, compile_formula
    from ..host import load_catalogue
    from .affine import curve_error

    catalogue = load_catalogue(list(plugin_dirs))
    act = catalogue.activations.get(name)
    if act is None:
        raise ValueError(f"unknown activation {name!r}")
    learnable = [p.name for p in act.params if p.learnable]
    if not learnable:
        raise ValueError(f"{name!r} has no learnable parameters: nothing to learn a shape with")
    try:
        target_fn = compile_formula(target_formula).fn
    except FormulaError as exc:
        raise ValueError(f"--imitate: {exc.message}") from None
    x = GRID.float()
    with torch.no_grad():
        target = target_fn(x)
    values = imitate(act.fn, act.defaults(), learnable, target, x)
    with torch.no_grad():
        learned = act.fn(x, **values).to(torch.float64)
    imitation = float((learned - target.double()).pow(2).mean().sqrt() / target.double().std())
    fits = fit_curve(x.double(), learned, top)
    for fit in fits:
        fit["error_to_target"] = curve_error(compile_formula(fit["base"]).fn, target_fn)
    return {
        "activation": name,
        "imitate": target_formula,
        "imitation_error": imitation,
        "learned_curve": {"x": x.tolist(), "y": learned.tolist()},
        "fits": fits,
    }


def save_fits(fits: Sequence[dict[str, Any]], folder: str | Path) -> list[Path]:
    """Write each fit as a formula plugin ``fitted_N.py`` in ``folder``."""
    from ..formula import write_formula_plugin

    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"--save-plugin: the folder {folder} does not exist")
    paths = []
    for i, fit in enumerate(fits, 1):
        name = f"fitted_{i}"
        description = f"Fitted to a learned curve (relative error {fit['error']:.4f})."
        paths.append(write_formula_plugin(folder, name, fit["formula"], description=description))
    return paths
