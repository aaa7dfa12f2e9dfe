"""Where a race step's time goes: operations per step, time per step, compute vs overhead.

For the reference (autograd) step and the tape-free step of the reference race (8
activations x 4 seeds, 2-8-8-1, 200 moons points, Adam), in one process:

* ``aten/step``: operator calls per training step counted by ``torch.profiler`` (every
  ``aten::`` event, nested ones included), and ``top``: the
  calls Python made (top-level events only);
* ``ms/step``: this thread's CPU time per step (median of blocks), and wall time;
* the split of that time: ``compute`` is what the same step costs beyond the same step on
  4 points (where the arithmetic is nil, so what remains there is overhead); of the
  overhead, ``dispatch`` is the time inside aten calls on 4 points (profiler-measured,
  scaled to the unprofiled time) and ``python`` the rest (the interpreter, autograd's
  engine outside operators, actviz's own loop).

On a CUDA machine (``--device cuda``) the same is printed for the GPU step with and
without CUDA graphs (the split is then of host time; the device runs asynchronously).

    python bench/bench_engine_profile.py
    python bench/bench_engine_profile.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actviz.host import load_catalogue  # noqa: E402
from actviz.training import RaceConfig, race  # noqa: E402

ACTIVATIONS = ["relu", "tanh", "gelu", "sigmoid", "silu", "elu", "softplus", "mish"]
SMALL_POINTS = 4


def _race(catalogue, points: int, device: str, tape_free: bool, graphs: bool = True):
    os.environ["ACTVIZ_TAPE_FREE"] = "1" if tape_free else "0"
    os.environ["ACTVIZ_CUDA_GRAPHS"] = "1" if graphs else "0"
    cfg = RaceConfig(
        vary="init",  # one shared draw, as the loop it is compared with trains on
        task="moons",
        activations=ACTIVATIONS,
        seeds=4,
        steps=10**9,
        hidden=(8, 8),
        points=points,
        optimizer="adam",
        lr=0.01,
        eval_every=10**9,
        device=device,
        threads=1 if device == "cpu" else None,
    )
    current = race(cfg, catalogue.activations, catalogue.tasks["moons"])
    events = iter(current)
    next(events)  # Started
    next(events)  # the step-0 evaluation
    for _ in range(20):  # warm: first kernels, CUDA graph capture
        current._step()
    return current


def _sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def step_times(current, device: str, steps: int, blocks: int) -> tuple[float, float]:
    """Median CPU and wall milliseconds per step over ``blocks`` blocks of ``steps``."""
    cpu, wall = [], []
    for _ in range(blocks):
        _sync(device)
        c, w = time.thread_time(), time.perf_counter()
        for _ in range(steps):
            current._step()
        _sync(device)
        cpu.append((time.thread_time() - c) / steps * 1e3)
        wall.append((time.perf_counter() - w) / steps * 1e3)
    return statistics.median(cpu), statistics.median(wall)


def op_counts(current, steps: int) -> tuple[float, float, float]:
    """(aten calls, top-level aten calls, ms inside top-level aten calls) per step."""
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            current._step()
    events = [e for e in prof.events() if e.name.startswith("aten::")]
    top = [e for e in events if e.cpu_parent is None or not _under_aten(e)]
    inside = sum(e.cpu_time_total for e in top) / 1e3  # us -> ms
    return len(events) / steps, len(top) / steps, inside / steps


def _under_aten(event) -> bool:
    parent = event.cpu_parent
    while parent is not None:
        if parent.name.startswith("aten::"):
            return True
        parent = parent.cpu_parent
    return False


def measure(catalogue, device: str, tape_free: bool, graphs: bool, args) -> dict:
    big = _race(catalogue, args.points, device, tape_free, graphs)
    small = _race(catalogue, SMALL_POINTS, device, tape_free, graphs)
    cpu, wall = step_times(big, device, args.steps, args.blocks)
    small_cpu, _ = step_times(small, device, args.steps, args.blocks)
    ops, top, _ = op_counts(big, args.profile_steps)
    _, _, small_inside = op_counts(small, args.profile_steps)
    # the profiler slows every call: take the share of its (wall) time spent inside aten
    # calls, and apply it to the unprofiled step
    profiled = _profiled_time(small, args.profile_steps)
    dispatch = small_cpu * min(1.0, small_inside / profiled) if profiled else 0.0
    compute = max(0.0, cpu - small_cpu)
    return {
        "path": "tape-free" if tape_free else "reference (autograd)",
        "device": device,
        "cuda_graphs": bool(graphs and device == "cuda"),
        "step_path": big.step_path,
        "aten_per_step": round(ops, 1),
        "top_level_per_step": round(top, 1),
        "cpu_ms_per_step": round(cpu, 4),
        "wall_ms_per_step": round(wall, 4),
        "compute_share": round(compute / cpu, 3),
        "dispatch_share": round(min(dispatch, small_cpu) / cpu, 3),
        "python_share": round(max(0.0, small_cpu - dispatch) / cpu, 3),
    }


def _profiled_time(current, steps: int) -> float:
    """Wall milliseconds per step under the profiler (its event times are wall times)."""
    with profile(activities=[ProfilerActivity.CPU]):
        w = time.perf_counter()
        for _ in range(steps):
            current._step()
        return (time.perf_counter() - w) / steps * 1e3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--steps", type=int, default=200, help="steps per timed block")
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument("--profile-steps", type=int, default=50)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    catalogue = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    saved = {k: os.environ.get(k) for k in ("ACTVIZ_TAPE_FREE", "ACTVIZ_CUDA_GRAPHS")}
    rows = []
    try:
        variants = [(False, True), (True, True)]
        if args.device == "cuda":
            variants += [(False, False), (True, False)]
        for tape_free, graphs in variants:
            rows.append(measure(catalogue, args.device, tape_free, graphs, args))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    print(
        f"torch {torch.__version__}, {args.device}, 8 activations x 4 seeds, 2-8-8-1, "
        f"{args.points} moons points, Adam"
    )
    print(
        f"{'step':22} {'graphs':>6} {'aten/step':>9} {'top':>5} {'cpu ms':>7} {'wall ms':>8} "
        f"{'compute':>8} {'dispatch':>9} {'python':>7}"
    )
    for row in rows:
        print(
            f"{row['path']:22} {'yes' if row['cuda_graphs'] else 'no':>6} "
            f"{row['aten_per_step']:9.0f} {row['top_level_per_step']:5.0f} "
            f"{row['cpu_ms_per_step']:7.3f} {row['wall_ms_per_step']:8.3f} "
            f"{row['compute_share']:8.0%} {row['dispatch_share']:9.0%} {row['python_share']:7.0%}"
        )
    ref = next(r for r in rows if not r["path"].startswith("tape"))
    new = next(r for r in rows if r["path"].startswith("tape"))
    print(
        f"tape-free vs reference: {ref['aten_per_step'] / new['aten_per_step']:.1f}x fewer aten "
        f"calls, {ref['cpu_ms_per_step'] / new['cpu_ms_per_step']:.1f}x less CPU time per step"
    )
    if args.json:
        args.json.write_text(json.dumps({"torch": torch.__version__, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
