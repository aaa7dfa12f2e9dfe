"""Time to export the Curves stack (20 activations x 10k points, f, f', f'') to each format.

Target: under 1 s per file. Run: python bench/bench_export.py [--repeat 3]
Prints, per format and style, the best of ``--repeat`` runs and the file size, beside
the same figure with one 100-point curve: the fixed cost of a figure (layout, ticks,
text), so a loaded machine's slowness shows apart from the cost of the data.
"""

from __future__ import annotations

import argparse
import time

from actviz.analysis.curves import evaluate, grid
from actviz.figures import STYLES, render_bytes
from actviz.figures.curves import curve_stack
from actviz.host import load_catalogue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--curves", type=int, default=20)
    args = parser.parse_args()
    catalogue = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)
    names = sorted(n for n, a in catalogue.activations.items() if not a.is_vector)
    names = names[: args.curves]
    xs = grid(-6, 6, args.points)
    sets = [evaluate(catalogue.get(n), xs) for n in names]
    fig = curve_stack(sets, ["f", "d1", "d2"])
    small = curve_stack([evaluate(catalogue.get(names[0]), grid(-6, 6, 100))], ["f", "d1", "d2"])
    print(f"Curves stack: {len(sets)} curves x {args.points} points x 3 panels")
    print(f"{'style':8} {'format':6} {'full s':>8} {'1x100 s':>8} {'ratio':>6} {'size':>9}")
    for style in ("screen", "paper"):
        for fmt in ("png", "svg", "pdf"):
            full, size = best_of(fig, fmt, style, args.repeat)
            fixed, _ = best_of(small, fmt, style, args.repeat)
            verdict = "ok" if full < 1.0 else "over 1 s"
            print(
                f"{style:8} {fmt:6} {full:8.3f} {fixed:8.3f} {full / fixed:6.2f}"
                f" {size / 1024:6.0f} kB  {verdict}"
            )


def best_of(fig, fmt: str, style: str, repeat: int) -> tuple[float, int]:
    best, size = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        data = render_bytes(fig, fmt, STYLES[style])
        best = min(best, time.perf_counter() - start)
        size = len(data)
    return best, size


if __name__ == "__main__":
    main()
