"""What keeping each race's initial networks costs: race time with and without the
snapshots the recorder reads step 0 from, the bytes stored per member, and the time to
read them back.

    python bench/bench_same_start.py
    python bench/bench_same_start.py --seeds 10 --steps 2000 --hidden 16,16
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actviz.host import load_catalogue  # noqa: E402
from actviz.storage import RunStore, store_race  # noqa: E402
from actviz.training.config import RaceConfig  # noqa: E402
from actviz.training.engine import race  # noqa: E402


def timed_race(cfg: RaceConfig, cat, snapshots: bool) -> float:
    t0 = time.perf_counter()
    for _ in race(cfg, cat.activations, cat.tasks[cfg.task], snapshots=snapshots):
        pass
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activations", default="relu,tanh,gelu,prelu,silu")
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--hidden", default="8,8")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    cat = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    cfg = RaceConfig(
        task="moons",
        activations=args.activations.split(","),
        seeds=args.seeds,
        steps=args.steps,
        hidden=tuple(int(w) for w in args.hidden.split(",")),
        device="cpu",
    )
    members = len(cfg.activations) * args.seeds
    print(f"moons, {members} members, 2-{args.hidden.replace(',', '-')}-1, {args.steps} steps")
    timed_race(cfg, cat, False)  # warm-up (imports, first optimiser)
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(args.repeats):  # interleaved, so a busy machine slows both alike
        for snapshots in (False, True):
            times[snapshots].append(timed_race(cfg, cat, snapshots))
    for snapshots, values in times.items():
        values.sort()
        print(
            f"  race, snapshots={snapshots!s:5}  median {values[len(values) // 2]:.3f} s"
            f"  (min {values[0]:.3f} s, {len(values)} runs)"
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "runs.sqlite"
        with RunStore(path) as store:
            run_id, _ = store_race(cfg, cat.activations, cat.tasks["moons"], store)
            blob = store._conn.execute(
                "SELECT sum(length(blob)), count(*) FROM initial_states WHERE run_id = ?",
                (run_id,),
            ).fetchone()
            t0 = time.perf_counter()
            initial = store.initial_states(run_id)
            read_s = time.perf_counter() - t0
        print(f"  initial states: {blob[1]} rows, {blob[0] / blob[1]:.0f} bytes per member")
        print(f"  read back {len(initial)} members in {read_s * 1000:.1f} ms")


if __name__ == "__main__":
    main()
