"""Start-up: a one-step ``train`` and a ``check`` import nothing they do not use.

Each command runs in a fresh interpreter, which then lists the heavy modules it holds:
torch._dynamo (the first ``torch.optim`` step), torch's symbolic shapes and sympy (the
first ``autograd.grad`` with explicit output gradients), matplotlib (the ``plot``
command's figures) and scipy (confidence intervals). Each costs about half a second or
more on this machine (``bench/bench_startup.py`` measures the commands against a bare
``import torch``); the test itself only looks at which modules got imported, not at time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HEAVY = (
    "torch._dynamo",
    "torch.fx.experimental.symbolic_shapes",
    "sympy",
    "matplotlib",
    "scipy",
)
LEARNABLE_PLUGIN = """
import torch
from actviz import hookimpl, Activation, Param

@hookimpl
def actviz_activations():
    return [Activation(
        name="bent_slope",
        fn=lambda x, a: torch.where(x > 0, x, a * x) + 0.1 * torch.tanh(x),
        params=[Param("a", default=0.2, min=0.0, max=1.0, learnable=True)],
    )]
"""


def _heavy_after(args: list[str], tmp_path: Path) -> list[str]:
    """The heavy modules an ``actviz`` command leaves imported in its process."""
    code = (
        "import json, sys\n"
        "from actviz.cli import main\n"
        f"code = main({args!r})\n"
        f"print(json.dumps([code, [m for m in {HEAVY!r} if m in sys.modules]]))\n"
    )
    path = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path)
    env.pop("MPLBACKEND", None)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    code_seen, heavy = json.loads(done.stdout.strip().splitlines()[-1])
    assert code_seen == 0, done.stdout + done.stderr
    return heavy


def test_one_step_train_imports_no_heavy_module(tmp_path):
    args = ["train", "--activations", "relu", "--steps", "1", "--seeds", "1", "--no-store", "-q"]
    assert _heavy_after(args, tmp_path) == []


def test_one_step_train_of_a_learnable_plugin_imports_no_heavy_module(tmp_path):
    """A learnable activation without a torch twin is differentiated by autograd on the
    activation alone, with the layer's output gradients as seeds."""
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "bent_slope.py").write_text(LEARNABLE_PLUGIN)
    args = ["--plugins", str(folder), "train", "--activations", "bent_slope", "--steps", "2",
            "--seeds", "1", "--no-store", "-q"]  # fmt: skip
    assert _heavy_after(args, tmp_path) == []


@pytest.mark.parametrize("cached", [False, True], ids=["first", "cached"])
def test_check_imports_no_heavy_module(tmp_path, cached):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "bent_slope.py").write_text(LEARNABLE_PLUGIN)
    args = ["check", "-q", str(folder / "bent_slope.py")]
    if cached:
        _heavy_after(args, tmp_path)
    assert _heavy_after(args, tmp_path) == []


def test_seeded_grad_gives_autograds_gradients():
    """The engine call that skips the symbolic-shapes check returns what
    ``torch.autograd.grad`` returns, bit for bit, with ``None`` for an unused input."""
    import torch

    from actviz.training.seeded_grad import grad

    gen = torch.Generator().manual_seed(3)
    z1 = torch.randn(4, 8, 32, generator=gen)
    z2 = torch.randn(2, 8, 32, generator=gen)
    a = torch.nn.Parameter(torch.full((4, 1, 1), 0.25))
    unused = torch.zeros(3, requires_grad=True)
    seeds = [torch.randn(4, 8, 32, generator=gen), torch.randn(2, 8, 32, generator=gen)]

    def graph():
        x1, x2 = z1.clone().requires_grad_(), z2.clone().requires_grad_()
        outs = [torch.where(x1 > 0, x1, a * x1).sin(), torch.tanh(x2) * x2]
        return outs, [x1, x2, a, unused]

    outs, ins = graph()
    ours = grad(outs, ins, seeds)
    outs, ins = graph()
    torch_s = torch.autograd.grad(outs, ins, seeds, allow_unused=True)
    assert ours[3] is None and torch_s[3] is None
    for mine, theirs in zip(ours[:3], torch_s[:3], strict=True):
        assert torch.equal(mine, theirs)


def test_seeded_grad_leaves_a_wrong_seed_to_torchs_own_message():
    import torch

    from actviz.training.seeded_grad import grad

    x = torch.randn(3, 4, requires_grad=True)
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        grad([x * 2], [x], [torch.ones(4, 3)])
