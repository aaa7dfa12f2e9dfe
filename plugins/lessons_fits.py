"""Built-in lessons on what a network can fit and what it costs.

Bounded vs unbounded under outliers, smooth and kinked targets, sine networks with
SIREN initialisation, and the price per element of an activation. The tasks they
need (``outliers``, ``potential``, ``value_kink``) come from ``lessons_tasks.py``.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from actviz import Lesson, hookimpl


def _truth(ctx, task, key, x):
    """A task's noise-free function (kept in its extras) evaluated on ``x``."""
    fn = ctx.tasks[task].extras[key]
    with torch.no_grad():
        return fn(torch.as_tensor(np.asarray(x, float)[:, None], dtype=torch.float64)).numpy()[:, 0]


def _rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


# -- 7. bounded vs unbounded under outliers --------------------------------------------

BOUNDED = ("tanh", "hardtanh")
#: A run "blows up" when it diverges or its gradient norm gets this many times the largest
#: any bounded net reached on the same data.
BLOW_UP = 100.0


def _measure_outliers(ctx):
    """The same race on several draws of the heavy-tailed data: whether an unbounded net
    blows up depends on how far out the largest outliers of a draw happen to lie."""
    seeds = ctx.data_seeds(ctx.settings["draws"])
    per_draw = []
    for i, seed in enumerate(seeds):
        ctx.part(i, len(seeds))
        per_draw.append(ctx.race(f"draw {i + 1}/{len(seeds)}", data_seed=seed).summary())
    m = ctx.measurements()
    for act in per_draw[0].groups():
        draws = [d.values[act] for d in per_draw]
        m.values[act] = {
            "runs": sum(v["runs"] for v in draws),
            "diverged": sum(v["diverged"] for v in draws),
            "peak_grad_norm": _max_known([v["peak_grad_norm"] for v in draws]),
            "draw_peaks": [v["peak_grad_norm"] for v in draws],
            "draw_diverged": [v["diverged"] for v in draws],
        }
    m.plot = per_draw[0].plot
    m.plot.title = f"Training loss on the first of {len(seeds)} draws (mean over seeds)"
    m.notes.append(
        f"{len(seeds)} draws of the data (data seeds {', '.join(map(str, seeds))}); a draw "
        f"blows up a net when a run diverges or its gradient norm reaches {BLOW_UP:g}x the "
        "bounded nets' largest on that draw"
    )
    return m


def _max_known(values):
    known = [v for v in values if v is not None]
    return max(known) if known else None


def _blown_draws(m, act, tame_peaks):
    """Draws on which ``act`` diverged or its gradient reached BLOW_UP x the bounded peak."""
    peaks = m.value(act, "draw_peaks")
    diverged = m.value(act, "draw_diverged")
    return sum(
        d > 0 or (p is not None and t is not None and p >= BLOW_UP * t)
        for p, d, t in zip(peaks, diverged, tame_peaks, strict=True)
    )


def _check_outliers(m):
    bounded = [g for g in m.groups() if g in BOUNDED]
    unbounded = [g for g in m.groups() if g not in BOUNDED]
    draws = len(m.value(bounded[0], "draw_peaks")) if bounded else 0
    tame_peaks = [_max_known([m.value(g, "draw_peaks")[k] for g in bounded]) for k in range(draws)]
    tame_peak = _max_known(tame_peaks)
    lost = sum(m.number(g, "diverged") for g in bounded)
    tame = lost == 0 and tame_peak is not None and math.isfinite(tame_peak)
    blown = {g: _blown_draws(m, g, tame_peaks) for g in unbounded}
    exploded = bool(blown) and all(v >= 1 for v in blown.values())
    parts = ", ".join(
        f"{g} on {blown[g]} of {draws} ({m.number(g, 'diverged'):.0f}/"
        f"{m.number(g, 'runs'):.0f} runs diverged)"
        for g in unbounded
    )
    return m.verdict(
        tame and exploded,
        f"over {draws} draws of the data the bounded nets' largest gradient norm is "
        f"{tame_peak if tame_peak is not None else math.nan:.3g} and {lost:.0f} runs "
        f"diverged; the unbounded nets blow up {parts}",
        bounded_peak_grad_norm=tame_peak,
        bounded_diverged_runs=lost,
        **{f"{g}_draws_blown_up": v for g, v in blown.items()},
        **{f"{g}_peak_grad_norm": m.number(g, "peak_grad_norm", math.inf) for g in unbounded},
        **{f"{g}_diverged_runs": m.number(g, "diverged") for g in unbounded},
        draws=draws,
    )


OUTLIERS = Lesson(
    name="bounded_vs_outliers",
    title="Bounded activations stay tame under outliers",
    claim="On a regression with heavy-tailed (Cauchy) inputs and noise and squared error, "
    "bounded tanh and hardtanh keep the gradients tame on every draw of the data, while "
    "ReLU and ELU blow up on some draws (gradients a hundredfold larger, or divergence).",
    explanation=(
        "A ReLU network is piecewise linear and unbounded: an input 500 units out gives an "
        "output hundreds of units off, its squared error is huge and so is the gradient, and "
        "one SGD step throws the weights far away. Bounded hidden units saturate: the output "
        "of a tanh network is at most the sum of the output weights, whatever the input, so "
        "an outlier costs a bounded error. hardtanh is kinked but bounded and behaves like "
        "tanh: boundedness, not smoothness, is what matters here. How far out the largest "
        "outliers lie changes from one draw of the data to the next, so the experiment "
        "trains on several draws: an unbounded net blows up on the draws with the wildest "
        "outliers, a bounded one on none."
    ),
    preset={
        "task": "outliers",
        "activations": [*BOUNDED, "relu", "elu"],
        "hidden": [16, 16],
        "seeds": 4,
        "steps": 500,
        "points": 2000,
        "optimizer": "sgd",
        "lr": 0.03,
        "draws": 3,
    },
    budgets={"quick": {"seeds": 2, "steps": 150}},
    measure=_measure_outliers,
    check=_check_outliers,
    references=["Huber 1964, Annals of Mathematical Statistics 35(1)"],
)

# -- 8. smooth targets want smooth activations -----------------------------------------


#: The force is compared on the middle of the data: at the ends every fit is loose.
INTERIOR = 0.8


def _fitted_forces(ctx, race, act):
    """Per seed, minus the finite-difference slope of the fitted energy on the grid."""
    x = np.asarray(race.grid_axes[0], float)
    return [
        -np.gradient(np.asarray(run.final_grid, float), x)
        for run in race.runs(act)
        if run.final_grid
    ]


def _measure_smooth(ctx):
    race = ctx.race()
    m = race.summary()
    plot = ctx.plot("Force -dE/dx of the fitted energy (mean over seeds)", "x", "force")
    x = np.asarray(race.grid_axes[0], float)
    true = _truth(ctx, "potential", "force", x)
    centre, half = (x[0] + x[-1]) / 2, (x[-1] - x[0]) / 2
    inner = np.abs(x - centre) <= INTERIOR * half
    scale = float(np.std(true[inner]))
    true_jump = float(np.max(np.abs(np.diff(true[inner]))))
    for act in race.activations():
        forces = _fitted_forces(ctx, race, act)
        errors = [_rmse(f[inner], true[inner]) / scale for f in forces]
        jumps = [float(np.max(np.abs(np.diff(f[inner])))) / true_jump for f in forces]
        m.values[act]["force_error"] = float(np.mean(errors)) if errors else None
        m.values[act]["force_jump"] = float(np.mean(jumps)) if jumps else None
        if forces:
            plot.add(act, x, np.mean(forces, axis=0))
    plot.add("true force", x, true)
    m.plot = plot
    m.notes.append(
        f"force_error: RMSE of -dE/dx against the true force over the middle {INTERIOR:.0%} of "
        "the data, divided by the force's spread there"
    )
    m.notes.append(
        "force_jump: largest change of -dE/dx between neighbouring grid points, over the true "
        "force's (a piecewise-constant force jumps)"
    )
    return m


def _check_smooth(m):
    relu = m.number("relu", "force_error")
    smooth = [g for g in m.groups() if g != "relu"]
    worst = max((m.number(g, "force_error") for g in smooth), default=math.nan)
    jumps = {g: m.number(g, "force_jump") for g in m.groups()}
    worst_jump = max((jumps[g] for g in smooth), default=math.nan)
    holds = relu >= 2.0 * worst and jumps["relu"] >= 3.0 * worst_jump
    fits = ", ".join(f"{g} {m.number(g, 'final_metric'):.4f}" for g in m.groups())
    return m.verdict(
        holds,
        f"relative force error {relu:.3f} with ReLU against at most {worst:.3f} with "
        f"{' and '.join(smooth)}; its force jumps {jumps['relu']:.1f}x as much as the true "
        f"force between grid points (smooth nets at most {worst_jump:.1f}x), while the "
        f"energies fit alike (R2 {fits})",
        relu_force_error=relu,
        smooth_worst_force_error=worst,
        **{f"{g}_force_error": m.number(g, "force_error") for g in smooth},
        **{f"{g}_force_jump": v for g, v in jumps.items()},
        **{f"{g}_energy_r2": m.number(g, "final_metric") for g in m.groups()},
    )


SMOOTH = Lesson(
    name="smooth_target_force",
    title="Smooth targets want smooth activations",
    claim="Fitting a smooth potential energy, tanh and GELU networks also get its derivative, "
    "the force -dE/dx, right; a ReLU network's force is piecewise constant and far off.",
    explanation=(
        "A ReLU network is piecewise linear, so its derivative is a staircase: it can match "
        "the energy closely and still get the force, the quantity a simulation uses, wrong "
        "everywhere. tanh and GELU networks are smooth functions whose derivatives are "
        "smooth too, so fitting E well brings -dE/dx along. This is why machine-learned "
        "potentials use smooth activations. The force here is the finite-difference slope of "
        "each network's fitted curve on a fine grid."
    ),
    preset={
        "task": "potential",
        "activations": ["tanh", "gelu", "relu"],
        "hidden": [16, 16],
        "seeds": 3,
        "steps": 1000,
        "optimizer": "adam",
        "lr": 0.01,
        "boundary_grid": 64,
    },
    budgets={"quick": {"seeds": 1, "steps": 600, "lr": 0.02}},
    measure=_measure_smooth,
    check=_check_smooth,
    references=["Behler, Parrinello 2007, PRL 98", "Schuett et al. 2017, arXiv:1706.08566"],
)

# -- 9. kinked targets want kinks ------------------------------------------------------

KINK_WINDOW = 0.25


def _measure_kink(ctx):
    race = ctx.race()
    m = race.summary()
    kink = float(ctx.tasks["value_kink"].extras["kink"])
    plot = ctx.plot("Fitted value near the kink (mean over seeds)", "wealth x", "value V(x)")
    x = np.asarray(race.grid_axes[0], float)
    true = _truth(ctx, "value_kink", "target", x)
    near = np.abs(x - kink) < KINK_WINDOW
    zoom = np.abs(x - kink) < 3 * KINK_WINDOW
    for act in race.activations():
        grids = [np.asarray(r.final_grid, float) for r in race.runs(act) if r.final_grid]
        errs = [_rmse(g[near], true[near]) for g in grids]
        m.values[act]["kink_error"] = float(np.mean(errs)) if errs else None
        whole = [_rmse(g, true) for g in grids]
        m.values[act]["curve_error"] = float(np.mean(whole)) if whole else None
        if grids:
            plot.add(act, x[zoom], np.mean(grids, axis=0)[zoom])
    plot.add("true value", x[zoom], true[zoom])
    m.plot = plot
    m.notes.append(f"kink_error: RMSE within {KINK_WINDOW} of the kink at x = {kink:g}")
    return m


def _check_kink(m):
    relu = m.number("relu", "kink_error")
    smooth = [g for g in m.groups() if g != "relu"]
    best = min((m.number(g, "kink_error") for g in smooth), default=math.nan)
    holds = relu <= 0.5 * best
    return m.verdict(
        holds,
        f"error near the kink {relu:.4f} with ReLU against at least {best:.4f} with "
        f"{' and '.join(smooth)}",
        relu_kink_error=relu,
        smooth_best_kink_error=best,
        **{f"{g}_kink_error": m.number(g, "kink_error") for g in smooth},
        **{f"{g}_r2": m.number(g, "final_metric") for g in m.groups()},
    )


KINK = Lesson(
    name="kinked_target",
    title="Kinked targets want kinks",
    claim="Fitting a value function with a kink where a borrowing constraint starts to bind, "
    "ReLU gets the corner that tanh and GELU round off.",
    explanation=(
        "In a consumption-savings problem the value of wealth has a kink where the borrowing "
        "constraint binds: below it every extra unit is consumed at once (slope 1), above it "
        "consumption is smoothed (a smaller, falling slope). A ReLU network is piecewise "
        "linear, so one unit can put a corner exactly there. A smooth network can only bend "
        "over some width, so it rounds the corner off and misses the constrained region's "
        "behaviour right where policy changes."
    ),
    preset={
        "task": "value_kink",
        "activations": ["relu", "tanh", "gelu"],
        "hidden": [16, 16],
        "seeds": 3,
        "steps": 1000,
        "optimizer": "adam",
        "lr": 0.01,
        "boundary_grid": 64,
    },
    budgets={"quick": {"seeds": 2, "steps": 400}},
    measure=_measure_kink,
    check=_check_kink,
    references=["Deaton 1991, Econometrica 59(5)", "Maliar, Maliar, Winant 2021, JME 122"],
)

# -- 10. sine networks with SIREN init fit detail --------------------------------------


def _signal_truth(race):
    """The clean signal on the fitted grid (the task samples the same grid, noise-free)."""
    x = np.asarray(race.grid_axes[0], float)
    xs = np.concatenate([race.data["x_train"][:, 0], race.data["x_test"][:, 0]])
    ys = np.concatenate([race.data["y_train"][:, 0], race.data["y_test"][:, 0]])
    order = np.argsort(xs)
    return x, np.interp(x, xs[order], ys[order])


def _r2(fit, true):
    return 1.0 - float(np.sum((fit - true) ** 2) / max(np.sum((true - true.mean()) ** 2), 1e-12))


def _measure_siren(ctx):
    s = ctx.settings
    runs = [
        ("sine, SIREN init", {"activations": ["sine"], "init": "siren", "lr": s["sine_lr"]}),
        ("relu, He init", {"activations": ["relu"], "init": "he", "lr": s["relu_lr"]}),
        ("sine, default init", {"activations": ["sine"], "init": "default", "lr": s["sine_lr"]}),
    ]
    m = ctx.measurements()
    plot = ctx.plot("Fitted chirp, fast end (mean over seeds)", "x", "signal")
    grid = s["points"] // 4  # the curve is drawn on 4 x grid points: the sample grid itself
    x = true = None
    for i, (label, overrides) in enumerate(runs):
        ctx.part(i, len(runs))
        race = ctx.race(label, boundary_grid=grid, **overrides)
        act = overrides["activations"][0]
        m.values[label] = race.summary().values[act]
        x, true = _signal_truth(race)
        fit = race.fitted(act)
        fast = x >= 0.5
        m.values[label]["fast_end_r2"] = _r2(fit[1][fast], true[fast]) if fit else None
        if fit:
            plot.add(label, x[fast], fit[1][fast])
    if x is not None:
        plot.add("signal", x[x >= 0.5], true[x >= 0.5])
    m.plot = plot
    m.notes.append("fast_end_r2: R2 of the fitted curve on x >= 0.5, where the chirp is fastest")
    return m


def _check_siren(m):
    siren, relu, plain = m.groups()
    s_r2, r_r2, p_r2 = (m.number(g, "final_metric") for g in (siren, relu, plain))
    s_fast, r_fast = m.number(siren, "fast_end_r2"), m.number(relu, "fast_end_r2")
    holds = s_r2 >= 0.9 and r_r2 <= s_r2 - 0.3 and r_fast <= s_fast - 0.3 and p_r2 <= s_r2 - 0.1
    return m.verdict(
        holds,
        f"held-out R2: {siren} {s_r2:.3f}, {relu} {r_r2:.3f}, {plain} {p_r2:.3f}; on the fast "
        f"end {s_fast:.3f} vs ReLU {r_fast:.3f}",
        siren_test_r2=s_r2,
        relu_test_r2=r_r2,
        sine_default_init_test_r2=p_r2,
        siren_fast_end_r2=s_fast,
        relu_fast_end_r2=r_fast,
    )


SIREN = Lesson(
    name="siren_fits_detail",
    title="Sine networks (SIREN) fit detail that ReLU blurs",
    claim="A sine network with SIREN initialisation fits a chirp up to its fastest wiggles; a "
    "ReLU network of the same size blurs them, and the sine net without its initialisation "
    "fits the samples but not between them.",
    explanation=(
        "ReLU networks learn low frequencies first (spectral bias) and need many pieces for "
        "each wiggle. sin(w0 x) with w0 = 30 gives every unit a high frequency to start from; "
        "the SIREN initialisation (first layer U(-1/n, 1/n), later U(-sqrt(6/n)/w0, ...)) keeps "
        "the activations' distribution the same through depth. Without it the sine net "
        "memorises the training points and rings in between. Each net gets the learning rate "
        "that suits it (ReLU 0.01, sine 0.001), same steps and width."
    ),
    preset={
        "task": "signal",
        "hidden": [64, 64],
        "seeds": 2,
        "steps": 1000,
        "points": 400,
        "optimizer": "adam",
        "sine_lr": 0.001,
        "relu_lr": 0.01,
    },
    budgets={"quick": {"seeds": 1, "steps": 250, "hidden": [32, 32]}},
    measure=_measure_siren,
    check=_check_siren,
    references=["Sitzmann et al. 2020, arXiv:2006.09661", "Rahaman et al. 2019, arXiv:1806.08734"],
)

# -- 11. cost per element --------------------------------------------------------------


def _measure_cost(ctx):
    s = ctx.settings
    names = list(s["activations"])
    m = ctx.measurements()
    ctx.part(0, 2)
    per_element = {}
    for i, name in enumerate(names):
        ctx.progress(i / len(names), f"{name}: per element")
        per_element[name] = ctx.relative_cost(name, elements=s["elements"], repeats=s["repeats"])
    ctx.part(1, 2)
    ctx.progress(0.0, "toy network")
    toy = ctx.toy_net_seconds(["relu", *names], rounds=s["rounds"])
    for name in names:
        elem, net = per_element[name], toy[name] / toy["relu"]
        m.values[name] = {
            "per_element": elem,
            "toy_net": net,
            "hidden_share": 1.0 - (net - 1.0) / (elem - 1.0) if elem > 1 else None,
        }
    m.values["relu"] = {"per_element": 1.0, "toy_net": 1.0, "toy_net_us": toy["relu"] * 1e6}
    plot = ctx.plot("Time relative to ReLU", "activation", "x ReLU", log_y=True)
    plot.x_ticks = names
    plot.add("per element (large tensor)", range(len(names)), [per_element[n] for n in names])
    plot.add("toy network step", range(len(names)), [toy[n] / toy["relu"] for n in names])
    m.plot = plot
    m.notes.append(
        f"per element: forward on {s['elements']} float32 values, best of {s['repeats']}; toy "
        f"network: forward+backward of a 2-16-16-1 MLP on 256 points, best of {s['rounds']} "
        "interleaved rounds; timed on one CPU thread"
    )
    return m


def _check_cost(m):
    names = [g for g in m.groups() if g != "relu"]
    elem = {g: m.number(g, "per_element") for g in names}
    net = {g: m.number(g, "toy_net") for g in names}
    dearer = all(v >= 1.2 for v in elem.values())
    hidden = all(net[g] - 1.0 <= 0.5 * (elem[g] - 1.0) for g in names)
    text = ", ".join(f"{g} x{elem[g]:.1f} -> x{net[g]:.2f}" for g in names)
    return m.verdict(
        dearer and hidden and bool(names),
        f"per element vs in a toy network step: {text}",
        **{f"{g}_per_element": elem[g] for g in names},
        **{f"{g}_toy_net": net[g] for g in names},
    )


COST = Lesson(
    name="activation_cost",
    title="What an activation costs",
    claim="tanh, sigmoid, GELU and Mish cost more per element than ReLU on this machine, and in "
    "a toy network per-op overhead hides most of that difference.",
    explanation=(
        "ReLU is one comparison per element; tanh and sigmoid need an exponential, GELU an "
        "error function, Mish a softplus and a tanh (several passes over memory as written). "
        "On a big tensor that shows. In a 2-16-16-1 network the activation touches a few "
        "thousand numbers, while every operation (matrix products, the loss, autograd's "
        "bookkeeping) costs microseconds of fixed overhead, so the choice of activation "
        "barely changes the step time. Batching many small models (as the race engine "
        "does) is what pays."
    ),
    preset={
        "activations": ["tanh", "sigmoid", "gelu", "mish"],
        "elements": 1 << 18,
        "repeats": 7,
        "rounds": 7,
    },
    budgets={"quick": {"elements": 1 << 16, "repeats": 3, "rounds": 2}},
    measure=_measure_cost,
    check=_check_cost,
    view="properties",
)


@hookimpl
def actviz_lessons() -> list[Lesson]:
    return [OUTLIERS, SMOOTH, KINK, SIREN, COST]
