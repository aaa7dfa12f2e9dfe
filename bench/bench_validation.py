"""How long validating every built-in activation takes, against another revision of actviz.

Validation runs once per activation when plugins load, so its total over the built-ins is
what start-up pays. *ours* is this checkout's ``validate_activation``; *theirs* is the same
function from ``--against REV`` (default: the commit before validation calls fn as races
do), extracted
with ``git archive`` and timed in a child process on the same machine, rounds alternating.
CPU time of the process is reported (other processes on a shared machine inflate it less
than wall time), best of ``--repeats`` rounds per activation.

    python bench/bench_validation.py [--against 431ffef] [--repeats 3] [--top 8]

Goal: ours <= 2x theirs in total.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("ACTVIZ_BENCH_ROOT") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))


def measure(repeats: int) -> dict[str, float]:
    """CPU seconds per built-in activation, best of ``repeats`` rounds."""
    import torch

    from actviz.host import manager
    from actviz.host.validation import validate_activation

    torch.set_num_threads(1)
    catalogue = manager.PluginHost(
        (), use_user_dir=False, use_entry_points=False, use_env=False, validate=False
    ).load()
    acts = catalogue.activations
    best = {name: float("inf") for name in acts}
    for _ in range(repeats):
        for name, act in acts.items():
            start = time.process_time()
            report = validate_activation(act)
            best[name] = min(best[name], time.process_time() - start)
            if not report.ok:
                print(f"warning: {name} fails validation: {report.error}", file=sys.stderr)
    return best


def extract(rev: str, into: Path) -> Path:
    """The tree of revision ``rev`` under ``into``, via ``git archive``."""
    archive = into / "tree.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), rev], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


def theirs(tree: Path) -> dict[str, float]:
    """One round of the measurement on the extracted tree, in a child process."""
    env = {**os.environ, "ACTVIZ_BENCH_ROOT": str(tree), "PYTHONPATH": ""}
    out = subprocess.run(
        [sys.executable, __file__, "--json", "--repeats", "1"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def best_of(rounds: list[dict[str, float]]) -> dict[str, float]:
    return {name: min(r[name] for r in rounds) for name in rounds[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="431ffef", help="git revision to compare with")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--top", type=int, default=8, help="slowest activations to list")
    parser.add_argument("--json", action="store_true", help="print our timings as JSON only")
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.repeats)))
        return
    ref_rounds, our_rounds = [], []
    with tempfile.TemporaryDirectory(prefix="actviz-bench-") as tmp:
        tree = extract(args.against, Path(tmp))
        for _ in range(args.repeats):  # alternate, so both see the same machine load
            ref_rounds.append(theirs(tree))
            our_rounds.append(measure(1))
    ref, ours = best_of(ref_rounds), best_of(our_rounds)
    common = sorted(set(ours) & set(ref))
    total_ours = sum(ours[n] for n in common)
    total_ref = sum(ref[n] for n in common)
    print(f"{'activation':<16}{'ours ms':>10}{args.against + ' ms':>16}{'ratio':>8}")
    for name in sorted(common, key=lambda n: -ours[n])[: args.top]:
        print(
            f"{name:<16}{ours[name] * 1e3:>10.1f}{ref[name] * 1e3:>16.1f}"
            f"{ours[name] / max(ref[name], 1e-9):>8.2f}"
        )
    print(
        f"{'all ' + str(len(common)):<16}{total_ours * 1e3:>10.1f}{total_ref * 1e3:>16.1f}"
        f"{total_ours / max(total_ref, 1e-9):>8.2f}"
    )


if __name__ == "__main__":
    main()
