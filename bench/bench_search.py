"""The search's evaluation rate: candidates raced together in one race vs one at a time.

The same candidates (drawn from the grammar, compiled once) train on the same teacher
task with the same seeds and steps, batched (one race) and one race per candidate,
alternated twice so load on a shared machine hits both alike. Prints candidate x seed x
step updates per second for each, their ratio, and whether the scores agree. Also
times compiling formulas in this process vs in the sandbox child.

    python bench/bench_search.py                          # 32 candidates x 2 seeds x 300 steps
    python bench/bench_search.py --candidates 8 --steps 100   # quicker
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from actviz.discovery.grammar import Grammar  # noqa: E402
from actviz.discovery.pool import CandidatePool  # noqa: E402
from actviz.discovery.races import RaceJob, run_job  # noqa: E402
from actviz.formula import FormulaError, shared_sandbox  # noqa: E402
from actviz.formula.build import formula_parts  # noqa: E402

TASK = "teacher:x*sigmoid(x)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidates", type=int, default=32)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(1)

    rng, grammar, pool = random.Random(0), Grammar(), CandidatePool(sandboxed=False)
    while len(pool.candidates) < args.candidates:
        pool.propose(grammar.random_expr(rng))
    texts = [c.formula for c in pool.candidates]
    parts = {c.name: c.parts for c in pool.candidates}
    seeds = tuple(range(args.seeds))
    updates = len(parts) * args.seeds * args.steps

    # compile: in this process vs the sandbox child, same formulas, alternated
    sandbox = shared_sandbox()
    sandbox.start()
    t_in = t_box = 0.0
    for text in texts:
        t0 = time.perf_counter()
        formula_parts(text)
        t1 = time.perf_counter()
        try:
            sandbox.parts(text)
        except FormulaError:
            pass
        t_box += time.perf_counter() - t1
        t_in += t1 - t0
    print(
        f"compile: in-process {1000 * t_in / len(texts):.1f} ms/formula, sandbox "
        f"{1000 * t_box / len(texts):.1f} ms/formula ({t_box / t_in:.2f}x)"
    )

    run_job(RaceJob(TASK, dict(list(parts.items())[:1]), seeds, 5))  # warm-up (catalogue, Adam)
    batched_s, single_s = [], []
    batched_scores = single_scores = None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        out = run_job(RaceJob(TASK, parts, seeds, args.steps))
        batched_s.append(time.perf_counter() - t0)
        batched_scores = out["scores"]
        t0 = time.perf_counter()
        single_scores = {}
        for name, p in parts.items():
            single_scores.update(run_job(RaceJob(TASK, {name: p}, seeds, args.steps))["scores"])
        single_s.append(time.perf_counter() - t0)
    b, s = sum(batched_s), sum(single_s)
    n = updates * args.repeats
    print(
        f"{len(parts)} candidates x {args.seeds} seeds x {args.steps} steps, {args.repeats} "
        f"repeats, alternated"
    )
    print(f"  batched (one race):      {b:7.2f} s  {n / b:9.0f} candidate-seed-steps/s")
    print(f"  one race per candidate:  {s:7.2f} s  {n / s:9.0f} candidate-seed-steps/s")
    print(f"  batched / one at a time: {s / b:.2f}x")
    diffs = [
        abs(a - b)
        for name in parts
        for a, b in zip(batched_scores[name], single_scores[name], strict=True)
        if a is not None and b is not None
    ]
    print(
        f"  scores: identical {sum(d == 0 for d in diffs)}/{len(diffs)}, "
        f"within 1e-5 {sum(d <= 1e-5 for d in diffs)}/{len(diffs)}, max |diff| {max(diffs):.2g} "
        "(float rounding of a different batch; kinked formulas amplify it)"
    )


if __name__ == "__main__":
    main()
