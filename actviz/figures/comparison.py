""" "Export comparison": a folder anyone can read without actviz.

A bundle holds the figures (written by the caller, e.g. the GUI's plot exporter), the
metrics of every compared run as CSV (one row per run x activation, and every
evaluation), the configurations as JSON, and ``reproduce.py``: a plain PyTorch + NumPy
script (no actviz import) that trains one member of one run again from ``data.npz``
and prints what actviz recorded next to what it got.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ..api import Activation
from ..stats import mean_std
from ..training.config import RaceConfig
from ..training.replicates import init_seed_of, race_data_seed
from ..training.schedule import steps_to_threshold
from ..training.task import Task
from ..training.weight_init import siren_w0

#: Plain-torch bodies of ``activation(x, ...)`` for the built-in activations, copied
#: from their plugins (tests check each against the plugin). Units are on the last axis.
TORCH_FORMS: dict[str, str] = {
    "linear": "return c * x",
    "sigmoid": "return torch.sigmoid(x)",
    "tanh": "return torch.tanh(x)",
    "step": "return (x > 0).to(x.dtype)",
    "elu": "return torch.where(x > 0, x, alpha * torch.expm1(x.clamp(max=0)))",
    "celu": "return torch.where(x > 0, x, alpha * torch.expm1(x.clamp(max=0) / alpha))",
    "selu": (
        "alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946\n"
        "return scale * torch.where(x > 0, x, alpha * torch.expm1(x.clamp(max=0)))"
    ),
    "hardtanh": (
        "inside = (x > min_val) & (x < max_val)\n"
        "clipped = torch.where(x <= min_val, torch.zeros_like(x) + min_val,"
        " torch.zeros_like(x) + max_val)\n"
        "return torch.where(inside, x, clipped)"
    ),
    "hardsigmoid": (
        "inside = (x > -3) & (x < 3)\nreturn torch.where(inside, x / 6 + 0.5, (x >= 3).to(x.dtype))"
    ),
    "hardswish": (
        "middle = torch.where(x <= 3, x * (x + 3) / 6, x)\n"
        "return torch.where(x < -3, torch.zeros_like(x), middle)"
    ),
    "sine": "return torch.sin(w0 * x)",
    "gaussian": "z = x / sigma\nreturn torch.exp(-0.5 * z * z)",
    "relu": "return torch.relu(x)",
    "leaky_relu": "return torch.where(x > 0, x, x * negative_slope)",
    "prelu": "return torch.where(x > 0, x, x * a)",
    "relu6": (
        "inside = (x > 0) & (x < 6)\nreturn torch.where(inside, x, (x >= 6).to(x.dtype) * 6)"
    ),
    "threshold": "return torch.where(x > threshold, x, torch.zeros_like(x) + value)",
    "softshrink": (
        "shrunk = torch.where(x > lambd, x - lambd, x + lambd)\n"
        "return torch.where((x > lambd) | (x < -lambd), shrunk, torch.zeros_like(x))"
    ),
    "hardshrink": "return torch.where((x > lambd) | (x < -lambd), x, torch.zeros_like(x))",
    "tanhshrink": "return x - torch.tanh(x)",
    "softsign": "return x / (1 + x.abs())",
    "logsigmoid": "return -torch.logaddexp(-x, torch.zeros_like(x))",
    "gelu": "return x * 0.5 * torch.erfc(-x / math.sqrt(2))",
    "gelu_tanh": (
        "u = math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)\nreturn x * torch.sigmoid(2 * u)"
    ),
    "silu": "return x * torch.sigmoid(beta * x)",
    "mish": "return x * torch.tanh(torch.logaddexp(x, torch.zeros_like(x)))",
    "softplus": (
        "bx = beta * x\n"
        "return torch.where(bx > threshold, x, torch.logaddexp(bx, torch.zeros_like(x)) / beta)"
    ),
    "softmax": "return torch.softmax(x, dim=-1)",
    "softmin": "return torch.softmax(-x, dim=-1)",
    "log_softmax": "return torch.log_softmax(x, dim=-1)",
    "glu": "a, b = x.chunk(2, dim=-1)\nreturn a * torch.sigmoid(b)",
}


@dataclass(frozen=True)
class Member:
    """One member (activation x seed) of one run, named for ``reproduce.py``."""

    run: int  # index into the bundle's runs
    index: int  # the member's index inside the run


# -- summaries -------------------------------------------------------------------------


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def summarise(
    run: Mapping[str, Any],
    threshold: float = 0.9,
    costs: Mapping[str, float] | None = None,
) -> list[dict[str, Any]]:
    """One row per activation of a run (stored or ``RaceResult.to_dict()``): final and
    best test metric over seeds (mean, std), steps to reach ``threshold`` (interpolated
    per seed on the fixed evaluation grid, mean over the seeds that did; ``reached``
    counts them), diverged and failed counts, and ``cost``: the activation's own
    forward+backward time relative to ReLU when ``costs`` has it.
    """
    metric = run.get("metric", "accuracy")
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for member in run.get("runs", []):
        groups.setdefault(member["activation"], []).append(member)
    rows = []
    for name, members in groups.items():
        finals = [m.get(f"test_{metric}") for m in members]
        bests = [m.get(f"best_test_{metric}") for m in members]
        final_mean, final_std = mean_std([v for v in finals if v is not None])
        best_mean, best_std = mean_std([v for v in bests if v is not None])
        hits = [steps_to_threshold(m.get("history", []), threshold) for m in members]
        reached = [h for h in hits if h is not None]
        rows.append(
            {
                "activation": name,
                "seeds": len(members),
                "final_mean": final_mean,
                "final_std": final_std,
                "best_mean": best_mean,
                "best_std": best_std,
                "reached": len(reached),
                "steps_to_threshold": sum(reached) / len(reached) if reached else None,
                "seed_steps_to_threshold": hits,
                "cost": (costs or {}).get(name),
                "diverged": sum(m.get("status") == "diverged" for m in members),
                "failed": sum(m.get("status") == "failed" for m in members),
                "train_seconds": float(run.get("train_seconds") or 0.0),
            }
        )
    return rows


# -- the bundle ------------------------------------------------------------------------


def write_bundle(
    folder: str | Path,
    runs: Sequence[Mapping[str, Any]],
    *,
    activations: Mapping[str, Activation],
    tasks: Mapping[str, Task],
    reproduce: Member | None = None,
    figures: Callable[[Path], list[Path]] | None = None,
    threshold: float = 0.9,
) -> list[Path]:
    """Write a comparison of ``runs`` (``RunStore.load_run`` dicts) into ``folder``.

    ``figures(folder / "figures")`` writes the plots; ``reproduce`` picks the member
    ``reproduce.py`` trains again (default: the best final metric whose activation has
    a plain-torch form). Returns every file written.
    """
    if not runs:
        raise ValueError("choose at least one run to export")
    out = Path(folder).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if figures is not None:
        fig_dir = out / "figures"
        fig_dir.mkdir(exist_ok=True)
        written += figures(fig_dir)
    written.append(_write_metrics(out / "metrics.csv", runs, threshold))
    written.append(_write_history(out / "history.csv", runs))
    written.append(_write_config(out / "config.json", runs, threshold))
    member = reproduce if reproduce is not None else best_member(runs, activations)
    note = ""
    if member is None:
        note = (
            "No member can be written in plain torch (its activation, weight penalties or "
            "extra inputs), so there is no reproduce.py."
        )
    else:
        run = runs[member.run]
        task = tasks.get(run["task"])
        if task is None:
            note = f"The task {run['task']!r} is not loaded, so there is no reproduce.py."
        else:
            written += write_reproduction(out, run, member.index, activations, task)
    written.append(_write_readme(out / "README.md", runs, member, note, figures is not None))
    return written


def best_member(
    runs: Sequence[Mapping[str, Any]], activations: Mapping[str, Activation]
) -> Member | None:
    """The member with the best final test metric among those ``reproduce.py`` can train."""
    best: tuple[float, Member] | None = None
    for r, run in enumerate(runs):
        if not plain_network(run.get("config") or {}):
            continue
        metric = run.get("metric", "accuracy")
        for i, m in enumerate(run.get("runs", [])):
            act = activations.get(m["activation"])
            if act is None or torch_form(act) is None:
                continue
            value = m.get(f"test_{metric}")
            score = float(value) if _finite(value) else -math.inf
            if best is None or score > best[0]:
                best = (score, Member(r, i))
    return best[1] if best else None


def plain_network(config: Mapping[str, Any]) -> bool:
    """Whether reproduce.py can write the race's network and loss: no weight penalties
    and no extra input features (it writes neither)."""
    return not (config.get("l1") or config.get("l2") or config.get("features"))


def torch_form(activation: Activation) -> str | None:
    """The plain-torch body for ``activation`` (also under a sweep's derived name)."""
    if activation.train_fn is not None:
        return None  # a random training form cannot be replayed exactly
    if any(not p.is_scalar for p in activation.params):
        return None  # vector, per-unit and per-seed values are not written out
    if activation.name in TORCH_FORMS:
        return TORCH_FORMS[activation.name]
    base = activation.extra.get("torch_form") if isinstance(activation.extra, dict) else None
    if isinstance(base, str):
        return base
    for name, body in TORCH_FORMS.items():  # a sweep copy: name_param_value
        if activation.name.startswith(name + "_") and _same_params(activation, name):
            return body
    return None


def _same_params(activation: Activation, base: str) -> bool:
    rest = activation.name[len(base) + 1 :]
    return any(rest.startswith(p.name.lower() + "_") for p in activation.params)


def _write_metrics(path: Path, runs: Sequence[Mapping[str, Any]], threshold: float) -> Path:
    rows = []
    for run in runs:
        for row in summarise(run, threshold):
            rows.append(
                {
                    "run_id": run.get("id"),
                    "run_name": run.get("name", ""),
                    "task": run.get("task"),
                    "metric": run.get("metric"),
                    **{k: v for k, v in row.items() if not isinstance(v, list)},
                }
            )
    return _write_csv(path, rows)


def _write_history(path: Path, runs: Sequence[Mapping[str, Any]]) -> Path:
    rows = []
    for run in runs:
        for member in run.get("runs", []):
            for h in member.get("history", []):
                row = {
                    "run_id": run.get("id"),
                    "activation": member["activation"],
                    "seed": member["seed"],
                }
                for key in ("step", "seconds", "train_loss", "test_loss"):
                    row[key] = h.get(key)
                row["train_metric"] = h.get("train_metric")
                row["test_metric"] = h.get("test_metric")
                for i, g in enumerate(h.get("grad_norms") or [], start=1):
                    row[f"grad_norm_{i}"] = g
                for i, d in enumerate(h.get("dead_fraction") or [], start=1):
                    row[f"dead_fraction_{i}"] = d
                rows.append(row)
    return _write_csv(path, rows)


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns or ["run_id"])
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
    return path


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    return value


def _write_config(path: Path, runs: Sequence[Mapping[str, Any]], threshold: float) -> Path:
    keep = ("id", "name", "note", "created", "task", "metric", "status", "device", "strategy")
    data = {
        "exported": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "threshold": threshold,
        "runs": [
            {
                **{k: run.get(k) for k in keep},
                "steps_done": run.get("steps_done"),
                "train_seconds": run.get("train_seconds"),
                "config": run.get("config", {}),
                "versions": run.get("versions", {}),
            }
            for run in runs
        ],
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def _write_readme(
    path: Path,
    runs: Sequence[Mapping[str, Any]],
    member: Member | None,
    note: str,
    with_figures: bool,
) -> Path:
    lines = [
        "# actviz comparison",
        "",
        "Runs: " + ", ".join(f"#{r.get('id')} {r.get('name', '')}" for r in runs),
        "",
    ]
    if with_figures:
        lines.append("- `figures/`: the plots as PNG, SVG and CSV")
    lines += [
        "- `metrics.csv`: one row per run and activation (final and best test metric, mean and",
        "  standard deviation over seeds, steps to the threshold, diverged and failed counts)",
        "- `history.csv`: every evaluation of every member",
        "- `config.json`: each run's configuration and the versions it ran with",
    ]
    if member is not None and not note:
        run = runs[member.run]
        m = run["runs"][member.index]
        lines += [
            f"- `reproduce.py` + `data.npz`: trains {m['activation']} seed {m['seed']} of run "
            f"#{run.get('id')} again with plain PyTorch: `python reproduce.py` "
            "(`--steps N` for fewer steps)",
        ]
    if note:
        lines += ["", note]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- reproduce.py ----------------------------------------------------------------------


def write_reproduction(
    folder: Path,
    run: Mapping[str, Any],
    index: int,
    activations: Mapping[str, Activation],
    task: Task,
) -> list[Path]:
    """Write ``reproduce.py`` and ``data.npz`` for member ``index`` of ``run``."""
    if not plain_network(run["config"]):
        raise ValueError("reproduce.py does not write weight penalties or extra input features")
    config = RaceConfig.from_dict(run["config"])
    member = run["runs"][index]
    act = activations.get(member["activation"])
    if act is None:
        raise ValueError(f"activation {member['activation']!r} is not loaded")
    body = torch_form(act)
    if body is None:
        raise ValueError(f"activation {act.name!r} has no plain-torch form for reproduce.py")
    # the member's own replicate: its seed's data draw when the race varied the data
    draw = race_data_seed(config, int(member["seed"]))
    data = task.generate(config.points, config.noise, draw, config.test_fraction)
    npz = folder / "data.npz"
    np.savez(
        npz,
        x_train=data.x_train.numpy(),
        y_train=data.y_train.numpy(),
        x_test=data.x_test.numpy(),
        y_test=data.y_test.numpy(),
    )
    script = folder / "reproduce.py"
    script.write_text(reproduce_source(run, index, act, task), encoding="utf-8")
    return [script, npz]


def reproduce_source(run: Mapping[str, Any], index: int, activation: Activation, task: Task) -> str:
    """The text of ``reproduce.py`` for member ``index`` of ``run``."""
    config = RaceConfig.from_dict(run["config"])
    member = run["runs"][index]
    body = torch_form(activation)
    if body is None:
        raise ValueError(f"activation {activation.name!r} has no plain-torch form")
    chosen = config.params_for(activation.name)
    values = {p.name: float(chosen.get(p.name, p.default)) for p in activation.params}
    fixed = {p.name: values[p.name] for p in activation.params if not p.learnable}
    learnable = {  # clamped to explicit bounds only, as the engine does
        p.name: [values[p.name], *(p.bounds or (None, None))]
        for p in activation.params
        if p.learnable
    }
    history = member.get("history", [])
    recorded = {
        int(h["step"]): {
            "train_loss": h.get("train_loss"),
            "test_loss": h.get("test_loss"),
            "test_metric": h.get("test_metric"),
        }
        for h in history
    }
    settings = {
        "run_id": run.get("id"),
        "task": task.name,
        "loss": task.loss,
        "metric": task.metric,
        "activation": activation.name,
        "kind": activation.kind,
        "seed": int(member["seed"]),
        "init_seed": init_seed_of(config.vary, int(member["seed"])),
        "hidden": list(config.hidden),
        "init": config.init,
        "w0": siren_w0(activation, values),
        "optimizer": config.optimizer,
        "lr": config.lr,
        "steps": config.steps,
        "batch_size": config.batch_size,
        "data_seed": config.data_seed,
        "eval_every": config.eval_interval(),
        "input_dim": task.input_dim,
        "output_dim": task.output_dim,
    }
    signature = "".join(f", {name}" for name in [*fixed, *learnable])
    body_lines = "\n".join("    " + line for line in body.splitlines())
    header = (
        '"""Train one member of an actviz race again, with plain PyTorch and NumPy.\n\n'
        f"Run #{run.get('id')} ({run.get('name', '')}): {activation.name} seed "
        f"{member['seed']} on {task.name}.\n"
        "The data are in data.npz next to this file; the network, initial weights,\n"
        "minibatch order and optimiser follow actviz's race engine, so the numbers match\n"
        "actviz's up to float rounding (actviz trains many models stacked in one tensor).\n\n"
        "    python reproduce.py [--steps N] [--device cpu|cuda]\n"
        '"""\n\n'
        "import argparse\nimport json\nimport math\nfrom pathlib import Path\n\n"
        "import numpy as np\nimport torch\nimport torch.nn.functional as F\n\n"
        f"SETTINGS = json.loads({json.dumps(json.dumps(settings))})\n"
        f"FIXED = json.loads({json.dumps(json.dumps(fixed))})\n"
        f"LEARNABLE = json.loads({json.dumps(json.dumps(learnable))})  # name: [start, bounds]\n"
        f"RECORDED = json.loads({json.dumps(json.dumps(recorded))})  # step: what actviz saw\n\n\n"
        f"def activation(x{signature}):\n"
        f"    # {activation.name}: units on the last axis\n"
        f"{body_lines}\n"
    )
    return header + _SCRIPT_BODY


_SCRIPT_BODY = '''

def initial_layers(seed, widths, scheme, gated=False, w0=1.0):
    """[(W, b), ...] per layer, drawn exactly as actviz draws them for this seed."""
    gen = torch.Generator().manual_seed(int(seed))
    pairs = list(zip(widths[:-1], widths[1:]))

    def draw(layer, fan_in, fan_out):
        if scheme == "default":
            kind, scale = "u", 1.0 / math.sqrt(fan_in)
        elif scheme == "he":
            kind, scale = "n", math.sqrt(2.0 / fan_in)
        elif scheme == "xavier":
            kind, scale = "u", math.sqrt(6.0 / (fan_in + fan_out))
        elif scheme == "lecun":
            kind, scale = "n", math.sqrt(1.0 / fan_in)
        elif layer == 0:  # siren
            kind, scale = "u", 1.0 / fan_in
        else:
            kind, scale = "u", math.sqrt(6.0 / fan_in) / w0
        if kind == "u":
            w = (torch.rand(fan_out, fan_in, generator=gen) * 2 - 1) * scale
        else:
            w = torch.randn(fan_out, fan_in, generator=gen) * scale
        b = (torch.rand(fan_out, generator=gen) * 2 - 1) / math.sqrt(fan_in)
        if scheme in ("he", "xavier", "lecun"):
            b = torch.zeros(fan_out)
        return w, b

    draws = [draw(i, a, b) for i, (a, b) in enumerate(pairs)]
    if not gated:
        return draws
    layers = []
    for i, (a, b) in enumerate(pairs):
        w, bias = draws[i]
        if i < len(pairs) - 1:
            gw, gb = draw(i, a, b)
            w, bias = torch.cat([w, gw]), torch.cat([bias, gb])
        layers.append((w, bias))
    return layers


def make_optimizer(name, params, lr):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr)
    return torch.optim.Adam(params, lr=lr)


def loss_and_metric(out, y):
    loss_kind, metric = SETTINGS["loss"], SETTINGS["metric"]
    if loss_kind == "bce":
        loss = F.binary_cross_entropy_with_logits(out, y)
    elif loss_kind == "ce":
        loss = F.cross_entropy(out, y)
    else:
        loss = (out - y).square().mean()
    if metric == "accuracy":
        hit = out.argmax(dim=1) == y if loss_kind == "ce" else (out > 0) == (y > 0.5)
        value = hit.float().mean()
    else:
        sse = (out - y).square().sum()
        value = 1 - sse / (y - y.mean(dim=0)).square().sum().clamp_min(1e-12)
    return loss, value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=SETTINGS["steps"])
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(1)
    dev = torch.device(args.device)
    data = np.load(Path(__file__).with_name("data.npz"))
    x_train = torch.from_numpy(data["x_train"]).to(dev)
    x_test = torch.from_numpy(data["x_test"]).to(dev)
    y_train, y_test = torch.from_numpy(data["y_train"]), torch.from_numpy(data["y_test"])
    if SETTINGS["loss"] == "ce":
        y_train, y_test = y_train.long().reshape(-1), y_test.long().reshape(-1)
    y_train, y_test = y_train.to(dev), y_test.to(dev)

    gated = SETTINGS["kind"] == "gated"
    widths = [SETTINGS["input_dim"], *SETTINGS["hidden"], SETTINGS["output_dim"]]
    layers = initial_layers(
        SETTINGS["init_seed"], widths, SETTINGS["init"], gated, SETTINGS["w0"]
    )
    weights = [w.to(dev).requires_grad_() for w, _ in layers]
    biases = [b.to(dev).requires_grad_() for _, b in layers]
    n_hidden = len(SETTINGS["hidden"])
    learn = {
        name: torch.full((n_hidden,), float(start), device=dev).requires_grad_()
        for name, (start, _lo, _hi) in LEARNABLE.items()
    }

    def forward(x):
        h = x
        for layer in range(n_hidden):
            z = h @ weights[layer].t() + biases[layer]
            h = activation(z, **FIXED, **{k: v[layer] for k, v in learn.items()})
        return h @ weights[-1].t() + biases[-1]

    params = [*weights, *biases, *learn.values()]
    optimizer = make_optimizer(SETTINGS["optimizer"], params, SETTINGS["lr"])
    n = x_train.shape[0]
    batch = min(SETTINGS["batch_size"] or n, n)
    order = torch.Generator().manual_seed(int(SETTINGS["data_seed"]) + 1)
    perm, pos = None, 0

    def report(step):
        with torch.no_grad():
            train_loss, _ = loss_and_metric(forward(x_train), y_train)
            test_loss, test_metric = loss_and_metric(forward(x_test), y_test)
        line = (
            f"step {step:6d}  train loss {train_loss.item():.6f}  test loss "
            f"{test_loss.item():.6f}  test {SETTINGS['metric']} {test_metric.item():.4f}"
        )
        seen = RECORDED.get(str(step))
        if seen and seen["test_metric"] is not None and seen["train_loss"] is not None:
            line += (
                f"   (actviz: train loss {seen['train_loss']:.6f}, test "
                f"{SETTINGS['metric']} {seen['test_metric']:.4f})"
            )
        print(line, flush=True)
        return {
            "step": step,
            "train_loss": train_loss.item(),
            "test_loss": test_loss.item(),
            "test_metric": test_metric.item(),
        }

    report(0)
    last = None
    for step in range(1, args.steps + 1):
        if batch < n:
            if perm is None or pos + batch > n:
                perm, pos = torch.randperm(n, generator=order).to(dev), 0
            idx = perm[pos : pos + batch]
            pos += batch
            xb, yb = x_train[idx], y_train[idx]
        else:
            xb, yb = x_train, y_train
        optimizer.zero_grad()
        loss, _ = loss_and_metric(forward(xb), yb)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            for name, (_start, lo, hi) in LEARNABLE.items():
                if lo is not None or hi is not None:
                    learn[name].clamp_(lo, hi)
        if not math.isfinite(loss.item()):
            print(f"step {step}: the loss is not finite; the run diverged")
            return 1
        if step % SETTINGS["eval_every"] == 0 or step == args.steps:
            last = report(step)
    print("RESULT " + json.dumps(last))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
'''
