"""Each architecture's batched race against the loop a user would write: one torch.nn
model at a time, same sizes, data, batches, optimiser and steps.

    python bench/bench_architectures.py                 # 8 activations x 4 seeds, 20 steps
    python bench/bench_architectures.py --archs cnn1d,gru --steps 50
    python bench/bench_architectures.py --race --repeats 3    # and the whole race, medians

Both sides train every activation x seed for --steps Adam steps on minibatches of 100 and
evaluate the test set at the end; both run with one CPU thread, in this process, one
after the other, so machine load affects both. Prints seconds and the ratio. With
--race, also the whole actviz race of the same steps, which does more than the loop:
train and test metrics on all 5,000 points at the first and last step, per-site
dead units and gradient norms, and a training-loss row (at most a tenth of its time).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from statistics import median

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actviz.host import load_catalogue  # noqa: E402
from actviz.training.config import RaceConfig  # noqa: E402
from actviz.training.engine import run_race  # noqa: E402

ACTS = "relu,gelu,silu,tanh,elu,sigmoid,softplus,leaky_relu"
TASK = {"cnn2d": "digits8x8"}


class Act(nn.Module):
    """A catalogue activation as a torch.nn module (its default parameters)."""

    def __init__(self, activation) -> None:
        super().__init__()
        self.fn, self.kw = activation.fn, activation.defaults()

    def forward(self, x):
        return self.fn(x, **self.kw)


class GRUNet(nn.Module):
    """A bidirectional GRU with the activation in the candidate state, written plainly."""

    def __init__(self, act, hidden=6, steps=40):
        super().__init__()
        self.act, self.h = act, hidden
        self.cells = nn.ModuleList(
            nn.ModuleDict({"i": nn.Linear(1, 3 * hidden), "h": nn.Linear(hidden, 3 * hidden)})
            for _ in range(2)
        )
        self.out = nn.Linear(2 * hidden * steps, 10)

    def forward(self, x):
        outs = []
        for d, cell in enumerate(self.cells):
            h = x.new_zeros(x.shape[0], self.h)
            gi = cell["i"](x.unsqueeze(-1))  # [n, t, 3h]
            states = [None] * x.shape[1]
            order = range(x.shape[1] - 1, -1, -1) if d else range(x.shape[1])
            for t in order:
                i_r, i_z, i_n = gi[:, t].chunk(3, dim=1)
                h_r, h_z, h_n = cell["h"](h).chunk(3, dim=1)
                r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
                n = self.act(i_n + r * h_n)
                h = (1 - z) * n + z * h
                states[t] = h
            outs.append(torch.stack(states, dim=1))
        return self.out(torch.cat(outs, dim=2).reshape(x.shape[0], -1))


class Patches(nn.Module):
    def forward(self, x):
        return x.reshape(x.shape[0], 10, 4)


class TransformerNet(nn.Module):
    def __init__(self, act, d=32, blocks=2, heads=2):
        super().__init__()
        self.embed, self.pos = nn.Linear(4, d), nn.Parameter(0.02 * torch.randn(10, d))
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(
                d, heads, 2 * d, dropout=0.0, activation=act, batch_first=True, norm_first=True
            )
            for _ in range(blocks)
        )
        self.norm, self.out = nn.LayerNorm(d), nn.Linear(d, 10)

    def forward(self, x):
        h = self.embed(x.reshape(x.shape[0], 10, 4)) + self.pos
        for block in self.blocks:
            h = block(h)
        return self.out(self.norm(h).mean(dim=1))


class ResNet(nn.Module):
    def __init__(self, act, width=100):
        super().__init__()
        self.act, self.l1, self.l2 = act, nn.Linear(40, width), nn.Linear(width, width)
        self.out = nn.Linear(width, 10)

    def forward(self, x):
        h = self.act(self.l1(x))
        return self.out(h + self.act(self.l2(h)))


def torch_model(arch: str, act: nn.Module) -> nn.Module:
    if arch == "cnn1d":
        return nn.Sequential(
            nn.Unflatten(1, (1, 40)),
            nn.Conv1d(1, 25, 5, 2, 1), act, nn.Conv1d(25, 25, 3, 2, 1), act,
            nn.Conv1d(25, 25, 3, 2, 1), act, nn.Flatten(), nn.Linear(125, 10),
        )  # fmt: skip
    if arch == "cnn2d":
        return nn.Sequential(
            nn.Unflatten(1, (1, 8, 8)),
            nn.Conv2d(1, 16, 3, 2, 1), act, nn.Conv2d(16, 16, 3, 2, 1), act,
            nn.Flatten(), nn.Linear(64, 10),
        )  # fmt: skip
    if arch == "gru":
        return GRUNet(act)
    if arch == "transformer":
        return TransformerNet(act)
    if arch == "resmlp":
        return ResNet(act)
    raise ValueError(arch)


def loop(arch, task, cat, acts, seeds, steps) -> float:
    data = task.generate()
    x, y = data.x_train, data.y_train
    t0 = time.perf_counter()
    for name in acts:
        for seed in range(seeds):
            torch.manual_seed(seed)
            model = torch_model(arch, Act(cat.activations[name]))
            opt = torch.optim.Adam(model.parameters(), lr=1e-2)
            gen = torch.Generator().manual_seed(1)
            for _ in range(steps):
                idx = torch.randint(0, len(x), (100,), generator=gen)
                loss = F.cross_entropy(model(x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
            with torch.no_grad():
                (model(data.x_test).argmax(1) == data.y_test).float().mean()
    return time.perf_counter() - t0


def batched(arch, task, cat, acts, seeds, steps) -> float:
    """The race's batched network (every model in one ArchStack), trained like the loop."""
    from actviz.architectures.race import stacks

    data = task.generate()
    x, y = data.x_train, data.y_train
    t0 = time.perf_counter()
    cfg = RaceConfig(task=task.name, activations=acts, seeds=seeds, arch=arch)
    (stack,) = stacks(cfg, cat.architectures[arch], cat.activations, task, torch.device("cpu"), 1)
    opt = torch.optim.Adam(stack.parameters(), lr=1e-2)
    gen = torch.Generator().manual_seed(1)
    for _ in range(steps):
        idx = torch.randint(0, len(x), (100,), generator=gen)
        out, _ = stack.forward(x[idx].t(), train=True)  # [models, 10, 100]
        target = y[idx].expand(stack.size, -1)
        loss = F.cross_entropy(out, target, reduction="none").mean(dim=1).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        out, _ = stack.forward(data.x_test.t(), train=False)
        (out.argmax(1) == data.y_test).float().mean(dim=1)
    return time.perf_counter() - t0


def whole_race(arch, task, cat, acts, seeds, steps) -> float:
    cfg = RaceConfig(
        task=task.name, activations=acts, seeds=seeds, steps=steps, batch_size=100,
        eval_every=steps, boundary_grid=0, arch=arch, threads=1,
        vary="init",  # one shared draw, as the loop it is compared with trains on
    )  # fmt: skip
    t0 = time.perf_counter()
    result = run_race(cfg, cat.activations, task, architecture=cat.architectures[arch])
    assert result.status == "finished", result.status
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", default="resmlp,cnn1d,cnn2d,gru,transformer")
    parser.add_argument("--activations", default=ACTS)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--race", action="store_true", help="also time the whole race")
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="run loop, batched (and race) this many times, alternating; print medians and "
        "the median of the per-repeat ratios (load on a shared machine drifts over minutes)",
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    cat = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    acts = args.activations.split(",")
    n = len(acts) * args.seeds
    print(f"{len(acts)} activations x {args.seeds} seeds = {n} models, {args.steps} steps, "
          f"batch 100, 1 thread, median of {args.repeats} alternated repeat(s)")  # fmt: skip
    head = f"{'arch':12} {'torch.nn loop s':>16} {'actviz batched s':>17} {'ratio':>7}"
    print(head + (f" {'whole race s':>13} {'ratio':>7}" if args.race else ""))
    for arch in args.archs.split(","):
        task = cat.tasks[TASK.get(arch, "mnist1d")]
        task.generate()  # data generation is not timed
        torch.optim.Adam([torch.zeros(1, requires_grad=True)])  # its first-use import either
        runs: dict[str, list[float]] = {"loop": [], "batched": [], "race": []}
        for _ in range(max(1, args.repeats)):
            runs["loop"].append(loop(arch, task, cat, acts, args.seeds, args.steps))
            runs["batched"].append(batched(arch, task, cat, acts, args.seeds, args.steps))
            if args.race:
                runs["race"].append(whole_race(arch, task, cat, acts, args.seeds, args.steps))
        slow, fast = median(runs["loop"]), median(runs["batched"])
        ratio = median([a / b for a, b in zip(runs["loop"], runs["batched"], strict=True)])
        line = f"{arch:12} {slow:16.2f} {fast:17.2f} {ratio:6.2f}x"
        if args.race:
            full = median(runs["race"])
            ratio = median([a / b for a, b in zip(runs["loop"], runs["race"], strict=True)])
            line += f" {full:13.2f} {ratio:6.2f}x"
        print(line, flush=True)


if __name__ == "__main__":
    main()
