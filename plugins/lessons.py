"""Built-in lessons on training dynamics: non-linearity, gradients, dying units, self-normalising.

Each lesson is a claim from the textbooks, an experiment and a check that decides
from the measured numbers; thresholds leave a margin around what the full budget
measures on a laptop CPU (see docs/lessons.md).
"""

from __future__ import annotations

import math

import numpy as np

from actviz import Lesson, hookimpl

# -- 1. stacked linear layers collapse -------------------------------------------------


def _measure_linear(ctx):
    deep = ctx.race("deep nets").summary()
    shallow = ctx.race("one linear layer", activations=["linear"], hidden=[1]).summary()
    m = ctx.measurements()
    depth = len(ctx.settings["hidden"])
    m.values[f"linear, {depth} layers"] = deep.values["linear"]
    m.values["linear, 1 layer"] = shallow.values["linear"]
    m.values[f"tanh, {depth} layers"] = deep.values["tanh"]
    m.plot = deep.plot
    m.plot.curves[0].label = f"linear, {depth} layers"
    m.plot.curves[1].label = f"tanh, {depth} layers"
    m.plot.curves.append(shallow.plot.curves[0])
    m.plot.curves[-1].label = "linear, 1 layer"
    return m


def _check_linear(m):
    deep, shallow, tanh = m.groups()
    deep_acc = m.number(deep, "final_train_metric")
    one_acc = m.number(shallow, "final_train_metric")
    deep_loss, one_loss = m.number(deep, "final_loss"), m.number(shallow, "final_loss")
    tanh_acc = m.number(tanh, "final_metric")
    deep_test = m.number(deep, "final_metric")
    no_better = deep_acc <= one_acc + 0.03 and deep_loss >= one_loss - 0.02
    solves = tanh_acc >= deep_test + 0.2
    return m.verdict(
        no_better and solves,
        f"deep linear fits the training set to {deep_acc:.0%} (loss {deep_loss:.3f}), one "
        f"linear layer to {one_acc:.0%} (loss {one_loss:.3f}); tanh reaches {tanh_acc:.0%} "
        f"test accuracy against {deep_test:.0%}",
        deep_linear_train_accuracy=deep_acc,
        one_layer_train_accuracy=one_acc,
        deep_linear_loss=deep_loss,
        one_layer_loss=one_loss,
        tanh_test_accuracy=tanh_acc,
        deep_linear_test_accuracy=deep_test,
    )


LINEAR = Lesson(
    name="linear_collapse",
    title="Stacked linear layers collapse",
    claim="A deep network of linear layers does no better on XOR than one linear layer; "
    "a tanh network of the same shape solves it.",
    explanation=(
        "Composing linear maps gives a linear map: W4 W3 W2 W1 x is just W x. Depth adds "
        "parameters but no new functions, so a 4-layer linear net draws the same straight "
        "decision line as logistic regression, and XOR's opposite corners cannot be split "
        "by one line. A non-linearity between the layers is what lets depth bend the boundary."
    ),
    preset={
        "task": "xor",
        "activations": ["linear", "tanh"],
        "hidden": [8, 8, 8, 8],
        "seeds": 3,
        "steps": 600,
        "optimizer": "adam",
        "lr": 0.02,
    },
    budgets={"quick": {"seeds": 1, "steps": 150}},
    measure=_measure_linear,
    check=_check_linear,
    references=["Minsky, Papert 1969, Perceptrons"],
)

# -- 2. the step neuron cannot learn by gradient descent -------------------------------


def _check_step(m):
    step = m.value("step", "peak_layer_grad_norms") or []
    sigmoid = m.value("sigmoid", "peak_layer_grad_norms") or []
    step_hidden = max((v for v in step[:-1] if v is not None), default=math.nan)
    step_output = step[-1] if step and step[-1] is not None else math.nan
    sig_hidden = min((v for v in sigmoid[:-1] if v is not None), default=math.nan)
    step_acc, sig_acc = m.number("step", "final_metric"), m.number("sigmoid", "final_metric")
    step_loss, sig_loss = m.number("step", "final_loss"), m.number("sigmoid", "final_loss")
    fits = sig_loss <= 0.5 * step_loss
    holds = step_hidden == 0.0 and step_output > 0 and sig_hidden > 0 and fits
    return m.verdict(
        holds,
        f"largest hidden-layer gradient of the step net: {step_hidden:.3g} "
        f"(output layer {step_output:.3g}); sigmoid's smallest hidden-layer peak "
        f"{sig_hidden:.3g}; training loss step {step_loss:.3f}, sigmoid {sig_loss:.3f} (test "
        f"accuracy {step_acc:.0%} and {sig_acc:.0%})",
        step_train_loss=step_loss,
        sigmoid_train_loss=sig_loss,
        step_hidden_grad_peak=step_hidden,
        step_output_grad_peak=step_output,
        sigmoid_hidden_grad_peak=sig_hidden,
        step_test_accuracy=step_acc,
        sigmoid_test_accuracy=sig_acc,
    )


STEP = Lesson(
    name="step_cannot_learn",
    title="The step neuron cannot learn by gradient descent",
    claim="A step-activation network gets exactly zero gradient in its hidden layers, so only "
    "the output layer learns, on frozen random features; sigmoid learns every layer and fits "
    "the training data far better (at most half the loss).",
    explanation=(
        "The Heaviside step is flat everywhere except at its jump, so its derivative is 0 and "
        "backpropagation multiplies every earlier layer's gradient by 0. The output layer still "
        "learns a linear read-out of random step features. Sigmoid is the smooth version of the "
        "step: its derivative is never zero, so every layer moves."
    ),
    preset={
        "task": "moons",
        "activations": ["step", "sigmoid"],
        "hidden": [16, 16],
        "seeds": 3,
        "steps": 600,
        "optimizer": "adam",
        "lr": 0.02,
    },
    budgets={"quick": {"seeds": 3, "steps": 300}},
    check=_check_step,
    references=["Rumelhart, Hinton, Williams 1986, Nature 323"],
)

# -- 3. sigmoid's gradient shrinks layer by layer --------------------------------------


def _layer_factor(norms):
    """Geometric-mean ratio of the gradient norm from one hidden layer to the one before."""
    hidden = [v for v in (norms or [])[:-1]]
    if len(hidden) < 2 or any(v is None or v <= 0 for v in (hidden[0], hidden[-1])):
        return math.nan
    return (hidden[0] / hidden[-1]) ** (1.0 / (len(hidden) - 1))


def _measure_vanishing(ctx):
    race = ctx.race()
    m = race.summary()
    plot = ctx.plot("Gradient norm per layer after the first step", "layer", "|grad|", True)
    for act in race.activations():
        norms = m.values[act]["first_grad_norms"] or []
        m.values[act]["layer_factor"] = _layer_factor(norms)
        first, last = (norms[0], norms[-2]) if len(norms) > 1 else (None, None)
        ratio = first / last if first is not None and last else math.nan
        m.values[act]["first_over_last_hidden"] = ratio
        plot.add(act, range(1, len(norms) + 1), norms)
    m.plot = plot
    return m


def _check_vanishing(m):
    sig = m.number("sigmoid", "layer_factor")
    others = {a: m.number(a, "layer_factor") for a in m.groups() if a != "sigmoid"}
    best_other = min(others.values(), default=math.nan)
    holds = sig <= 0.4 and sig <= 0.6 * best_other
    text = ", ".join(f"{a} x{v:.2f}" for a, v in others.items())
    return m.verdict(
        holds,
        f"from one layer back to the previous, the gradient shrinks by x{sig:.2f} with sigmoid "
        f"(at most 0.25 in theory) against {text}",
        sigmoid_factor_per_layer=sig,
        **{f"{a}_factor_per_layer": v for a, v in others.items()},
        sigmoid_first_over_last=m.number("sigmoid", "first_over_last_hidden"),
    )


VANISHING = Lesson(
    name="sigmoid_vanishing",
    title="Sigmoid gradients vanish layer by layer",
    claim="Sigmoid's derivative peaks at 0.25, so in a 10-layer net the gradient shrinks by "
    "about that factor per layer going back, while tanh and ReLU keep it far larger.",
    explanation=(
        "Backpropagation multiplies the gradient by W^T diag(f'(z)) at every layer. With "
        "Xavier-initialised weights the W part keeps its size, so what is left is f': at most "
        "0.25 for sigmoid, 1 for tanh at 0, exactly 1 for an active ReLU. Ten sigmoid layers "
        "make the first layer's gradient about 0.25^9 of the last one's, so early layers "
        "barely learn."
    ),
    preset={
        "task": "moons",
        "activations": ["sigmoid", "tanh", "relu"],
        "hidden": [16] * 10,
        "init": "xavier",
        "seeds": 5,
        "steps": 5,
        "eval_every": 1,
        "optimizer": "adam",
        "lr": 0.01,
    },
    budgets={"quick": {"seeds": 2, "steps": 2}},
    measure=_measure_vanishing,
    check=_check_vanishing,
    references=["Hochreiter 1991, diploma thesis", "Glorot, Bengio 2010, AISTATS"],
)

# -- 4. tanh learns faster than sigmoid ------------------------------------------------

LOSS_TARGET = 0.1


def _measure_tanh(ctx):
    race = ctx.race()
    m = race.summary()
    for act in race.activations():
        steps, loss = race.history(act, "train_loss")
        hit = [s for s, v in zip(steps, loss, strict=False) if v <= LOSS_TARGET]
        m.values[act]["steps_to_target"] = float(hit[0]) if hit else None
    m.notes.append(f"target: mean training loss <= {LOSS_TARGET}")
    return m


def _check_tanh(m):
    tanh_area, sig_area = m.number("tanh", "mean_loss"), m.number("sigmoid", "mean_loss")
    tanh_hit = m.number("tanh", "steps_to_target", math.inf)
    sig_hit = m.number("sigmoid", "steps_to_target", math.inf)
    holds = tanh_area <= 0.6 * sig_area and tanh_hit < sig_hit
    sig_text = "never" if math.isinf(sig_hit) else f"at step {sig_hit:.0f}"
    tanh_text = "never" if math.isinf(tanh_hit) else f"at step {tanh_hit:.0f}"
    return m.verdict(
        holds,
        f"loss reaches {LOSS_TARGET} {tanh_text} with tanh and {sig_text} with sigmoid; mean "
        f"loss over training {tanh_area:.3f} vs {sig_area:.3f}",
        tanh_steps_to_target=tanh_hit,
        sigmoid_steps_to_target=sig_hit,
        tanh_mean_loss=tanh_area,
        sigmoid_mean_loss=sig_area,
        tanh_final_accuracy=m.number("tanh", "final_metric"),
        sigmoid_final_accuracy=m.number("sigmoid", "final_metric"),
    )


TANH = Lesson(
    name="tanh_faster_than_sigmoid",
    title="tanh trains faster than sigmoid",
    claim="tanh is zero-centred and has slope 1 at 0 (sigmoid: 0.25), so with plain gradient "
    "descent it converges faster than sigmoid on the same task.",
    explanation=(
        "tanh(x) = 2 sigmoid(2x) - 1: the same shape, centred on 0 and four times steeper at the "
        "origin. Sigmoid's outputs are all positive, so the next layer's weight gradients share "
        "a sign and zig-zag; its small slope shrinks every step. Plain SGD (no Adam, which "
        "would rescale the gradients and hide the difference) shows it."
    ),
    preset={
        "task": "moons",
        "activations": ["sigmoid", "tanh"],
        "hidden": [16, 16],
        "seeds": 3,
        "steps": 1000,
        "optimizer": "sgd",
        "lr": 0.5,
    },
    budgets={"quick": {"seeds": 1, "steps": 300}},
    measure=_measure_tanh,
    check=_check_tanh,
    references=["LeCun, Bottou, Orr, Mueller 1998, Efficient BackProp"],
)

# -- 5. dying ReLU ---------------------------------------------------------------------

LEAKY = ("leaky_relu", "prelu", "elu")


def _measure_dying(ctx):
    ctx.part(0, 2)
    race = ctx.race("large learning rate")
    m = race.summary()
    small_lr = ctx.settings["control_lr"]
    ctx.part(1, 2)
    control = ctx.race("control", activations=["relu"], lr=small_lr)
    label = f"relu, lr {small_lr:g}"
    m.values[label] = control.summary().values["relu"]
    plot = ctx.plot("Dead hidden units (mean over layers and seeds)", "step", "dead fraction")
    for act in race.activations():
        plot.add(f"{act}, lr {ctx.settings['lr']:g}", *race.history(act, "dead_fraction"))
    plot.add(label, *control.history("relu", "dead_fraction"))
    for act in race.activations():
        m.values[act]["dead_at_start"] = float(race.history(act, "dead_fraction")[1][0])
    m.plot = plot
    return m


def _check_dying(m):
    relu_dead, relu_r2 = m.number("relu", "dead_fraction"), m.number("relu", "final_metric")
    control = next(g for g in m.groups() if g.startswith("relu, lr"))
    control_dead = m.number(control, "dead_fraction")
    others = [g for g in m.groups() if g in LEAKY]
    other_dead = max((m.number(g, "dead_fraction") for g in others), default=math.nan)
    other_r2 = [m.number(g, "final_metric") for g in others]
    typical = float(np.median(other_r2)) if other_r2 else math.nan
    # The fit is reported, not required: with 32 units a layer, the half that survives
    # often still fits the sine (ReLU R2 0.68-0.95 over fresh seeds), so "the fit
    # suffers" is not what reliably happens; the units dying is.
    holds = relu_dead >= 0.3 and relu_dead >= control_dead + 0.2 and other_dead <= 0.05
    return m.verdict(
        holds,
        f"with the large learning rate {relu_dead:.0%} of ReLU units end dead ({control_dead:.0%}"
        f" with the small one); Leaky ReLU, PReLU and ELU keep at most {other_dead:.0%} dead. "
        f"The fit (not claimed): ReLU R2 {relu_r2:.2f}, the others {typical:.2f} (median)",
        relu_dead_fraction=relu_dead,
        relu_dead_fraction_small_lr=control_dead,
        others_max_dead_fraction=other_dead,
        relu_r2=relu_r2,
        others_median_r2=typical,
        **{f"{g}_r2": v for g, v in zip(others, other_r2, strict=True)},
    )


DYING = Lesson(
    name="dying_relu",
    title="Dying ReLU",
    claim="With a large learning rate a large share of ReLU units die (zero output and zero "
    "gradient on every input), far more than at a small rate; Leaky ReLU, PReLU and ELU "
    "keep every unit alive.",
    explanation=(
        "One big update can push a ReLU unit's bias and weights so that its input is negative "
        "for every data point. Its output is then 0 and so is its gradient: nothing can revive "
        "it, and the network loses that capacity. Leaky ReLU and PReLU keep a small slope for "
        "x < 0 and ELU a smooth exponential one, so a unit pushed into the negative side still "
        "gets a gradient. A unit counts as dead when its slope is exactly 0 on every training "
        "input. (The race engine has no bias-init option, so the large learning rate is the "
        "cause shown here; a control race at a small rate shows it is the cause.) Whether "
        "the fit suffers depends on what is left: with 32 units a layer the surviving half "
        "often still fits a sine well, so the fit is shown, not claimed."
    ),
    preset={
        "task": "sine",
        "activations": ["relu", *LEAKY],
        "hidden": [32, 32],
        "init": "he",
        "seeds": 4,
        "steps": 500,
        "optimizer": "adam",
        "lr": 0.1,
        "control_lr": 0.003,
    },
    budgets={"quick": {"seeds": 4, "steps": 200}},
    measure=_measure_dying,
    check=_check_dying,
    references=["Lu, Shin, Su, Karniadakis 2019, arXiv:1903.06733", "Maas et al. 2013, ICML"],
)

# -- 6. SELU self-normalises -----------------------------------------------------------


def _drift(mean, var):
    """How far a layer's activations are from mean 0, variance 1: |mean| + |ln var|."""
    return float(np.max(np.abs(mean) + np.abs(np.log(np.maximum(var, 1e-300)))))


def _measure_selu(ctx):
    s = ctx.settings
    m = ctx.measurements()
    plot = ctx.plot(
        f"Activation variance through a {s['depth']}-layer random net (LeCun init)",
        "layer",
        "variance",
        log_y=True,
    )
    names = list(s["activations"])
    for i, name in enumerate(names):
        ctx.progress(i / len(names), name)
        sig = ctx.deep_signal(name, depth=s["depth"], width=s["width"])
        m.values[name] = {
            "last_mean": float(sig.act_mean[-1]),
            "last_variance": float(sig.act_var[-1]),
            "max_abs_mean": float(np.max(np.abs(sig.act_mean))),
            "drift": _drift(sig.act_mean, sig.act_var),
        }
        plot.add(name, sig.layers, sig.act_var)
    m.plot = plot
    m.notes.append("drift: largest |mean| + |ln variance| over the layers (0 means N(0, 1))")
    return m


def _check_selu(m):
    selu = m.number("selu", "drift")
    others = {a: m.number(a, "drift") for a in m.groups() if a != "selu"}
    least = min(others.values(), default=math.nan)
    holds = selu <= 0.3 and least >= 1.0
    return m.verdict(
        holds,
        f"SELU stays within drift {selu:.2f} of mean 0 / variance 1 over every layer (last "
        f"layer mean {m.number('selu', 'last_mean'):+.3f}, variance "
        f"{m.number('selu', 'last_variance'):.3f}); the others drift by at least {least:.2f}",
        selu_drift=selu,
        selu_last_variance=m.number("selu", "last_variance"),
        **{f"{a}_drift": v for a, v in others.items()},
    )


SELU = Lesson(
    name="selu_self_normalising",
    title="SELU self-normalises",
    claim="Through a 50-layer random net with LeCun-normal weights, SELU activations keep mean "
    "about 0 and variance about 1 at every layer, while tanh, ReLU, ELU and sigmoid drift.",
    explanation=(
        "SELU's two constants (lambda about 1.0507, alpha about 1.6733) are chosen so that "
        "mean 0, variance 1 is a stable fixed point of one layer when the weights have variance "
        "1/fan_in (LeCun init): deviations shrink layer by layer. ReLU halves the second "
        "moment each layer, tanh squeezes it, sigmoid shifts the mean to 0.5. Measured on the "
        "same fixed random weights for every activation (float64, standard normal inputs)."
    ),
    preset={
        "activations": ["selu", "tanh", "relu", "elu", "sigmoid"],
        "depth": 50,
        "width": 256,
    },
    budgets={"quick": {"width": 256}},  # cheap already: the same as the full run
    measure=_measure_selu,
    check=_check_selu,
    view="properties",
    references=["Klambauer, Unterthiner, Mayr, Hochreiter 2017, arXiv:1706.02515"],
)


@hookimpl
def actviz_lessons() -> list[Lesson]:
    return [LINEAR, STEP, VANISHING, TANH, DYING, SELU]
