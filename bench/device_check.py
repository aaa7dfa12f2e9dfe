"""The whole speed suite in one go, for a machine lent for minutes: one JSON, one table.

Runs each bench script of ``bench/`` as its own process (a hang or crash in one costs
only its share of the time) on the best device present (CUDA, else the CPU), within a
total budget, and writes ``device_check.json`` (every part's figures and output) and
``device_check.md`` (one table) to ``--out``. It installs nothing: it needs the
project's own dependencies only.

Parts: the issue-22 race against the plain loop and torch.func (``bench_race_speed``),
the step profile (``bench_engine_profile``), the training cases (``bench_training``),
learnable activations against ReLU (``bench_learnable``), export (``bench_export``),
and the architectures' bench when the checkout has one (``bench_architectures``).

    bench/device_check.sh                          # on the lent machine (about 4 minutes)
    bench/device_check.sh --dry-run --out /tmp/dc  # tiny sizes: checks the suite runs
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent


@dataclass
class Part:
    name: str
    script: str
    args: list[str]
    #: the share of the budget this part may use at most
    share: float
    json_out: bool = False
    optional: bool = False
    result: dict = field(default_factory=dict)


def parts(device: str, dry: bool) -> list[Part]:
    race_steps = "10" if dry else ("1500" if device == "cuda" else "300")
    train_steps = "10" if dry else ("1500" if device == "cuda" else "300")
    return [
        Part(
            "race",
            "bench_race_speed.py",
            ["--device", device, "--steps", race_steps],
            0.35,
            json_out=True,
        ),
        Part(
            "profile",
            "bench_engine_profile.py",
            ["--device", device]
            + (["--steps", "5", "--blocks", "1", "--profile-steps", "3"] if dry else []),
            0.2,
            json_out=True,
        ),
        Part(
            "training",
            "bench_training.py",
            ["--device", device, "--steps", train_steps, "--big-steps", "2" if dry else "100"]
            + ["--engine-only", "2"]
            + (["--eager"] if device == "cuda" else []),
            0.25,
        ),
        Part(
            "learnable",
            "bench_learnable.py",
            ["--repeats", "5", "--blocks", "1"] if dry else ["--repeats", "200", "--blocks", "3"],
            0.08,
            json_out=True,
        ),
        Part(
            "export",
            "bench_export.py",
            ["--repeat", "1"] + (["--points", "300", "--curves", "3"] if dry else []),
            0.1,
        ),
        Part(
            "architectures",
            "bench_architectures.py",
            ["--steps", "3", "--seeds", "2"] if dry else ["--steps", "20", "--race"],
            0.15,
            optional=True,
        ),
    ]


def run_part(part: Part, out: Path, timeout: float) -> dict:
    script = BENCH / part.script
    if not script.exists():
        status = "absent" if part.optional else "missing"
        return {"status": status, "seconds": 0.0}
    args = list(part.args)
    json_path = out / f"{part.name}.json"
    if part.json_out:
        args += ["--json", str(json_path)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("MPLBACKEND", "Agg")
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, str(script), *args],
            capture_output=True,
            text=True,
            timeout=max(1.0, timeout),
            cwd=REPO,
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        text = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return {
            "status": "timeout",
            "seconds": round(time.perf_counter() - start, 1),
            "limit_s": round(timeout, 1),
            "output": text[-4000:],
        }
    result: dict = {
        "status": "ok" if proc.returncode == 0 else f"failed (exit {proc.returncode})",
        "seconds": round(time.perf_counter() - start, 1),
        "output": _table_lines(proc.stdout)[-4000:],
    }
    if proc.returncode != 0:
        result["error"] = proc.stderr[-3000:]
    if part.json_out and json_path.exists():
        result["figures"] = json.loads(json_path.read_text())
    return result


def _table_lines(text: str) -> str:
    """The script's output without the profiler's own chatter."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("USDT:"))


def headline(name: str, result: dict) -> str:
    """One line of figures for the table."""
    figures = result.get("figures")
    if result.get("status") != "ok":
        return result.get("status", "")
    if name == "race" and figures:
        ways = figures["ways"]
        parts = [f"{w} {ways[w]['actviz_faster_wall']:.1f}x" for w in ("loop", "func", "reference")]
        ms = ways["actviz"]["wall_s"] / figures["steps"] * 1e3
        return f"actviz {ms:.3f} ms/step; faster than " + ", ".join(parts)
    if name == "profile" and figures:
        rows = figures["rows"]
        return "; ".join(
            f"{r['path']}{' graphed' if r['cuda_graphs'] else ''}: {r['aten_per_step']:.0f} "
            f"aten/step, {r['wall_ms_per_step']:.3f} ms"
            for r in rows
        )
    if name == "learnable" and figures:
        rows = figures["rows"]
        return ", ".join(
            f"{n} {r['x_relu']:.1f}x alone"
            + (f", {r['step_x_relu']:.1f}x per step" if "step_x_relu" in r else "")
            for n, r in rows.items()
            if n != "relu"
        )
    lines = [ln for ln in result.get("output", "").splitlines() if ln.strip()]
    return lines[-1][:160] if lines else ""


def environment() -> dict:
    import torch

    info = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "cuda": torch.cuda.is_available(),
    }
    if torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("device_check"))
    parser.add_argument("--budget-s", type=float, default=280.0, help="for the whole suite")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--dry-run", action="store_true", help="tiny sizes: the suite runs")
    parser.add_argument("--only", default="", help="comma-separated part names")
    args = parser.parse_args(argv)
    env = environment()
    device = args.device if args.device != "auto" else ("cuda" if env["cuda"] else "cpu")
    if device == "cuda" and not env["cuda"]:
        parser.error("--device cuda: torch sees no CUDA device here")
    args.out.mkdir(parents=True, exist_ok=True)
    chosen = [p for p in parts(device, args.dry_run)]
    if args.only:
        names = {n.strip() for n in args.only.split(",")}
        unknown = names - {p.name for p in chosen}
        if unknown:
            parser.error(f"--only: unknown part(s) {', '.join(sorted(unknown))}")
        chosen = [p for p in chosen if p.name in names]
    deadline = time.perf_counter() + args.budget_s
    shares = sum(p.share for p in chosen)
    report = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "device": device,
        "dry_run": args.dry_run,
        "budget_s": args.budget_s,
        "environment": env,
        "parts": {},
    }
    for index, part in enumerate(chosen):
        left = deadline - time.perf_counter()
        later = sum(p.share for p in chosen[index + 1 :])
        # its share of the budget, plus whatever earlier parts left unused
        limit = max(5.0, left - later / shares * args.budget_s)
        print(f"[{part.name}] up to {limit:.0f} s ...", flush=True)
        part.result = run_part(part, args.out, limit)
        report["parts"][part.name] = part.result
        print(f"[{part.name}] {part.result['status']} in {part.result['seconds']} s", flush=True)
    report["seconds"] = round(args.budget_s - (deadline - time.perf_counter()), 1)
    (args.out / "device_check.json").write_text(json.dumps(report, indent=1))
    table = markdown(report, chosen)
    (args.out / "device_check.md").write_text(table)
    print(table)
    bad = [p.name for p in chosen if p.result["status"] not in ("ok", "absent")]
    return 1 if bad else 0


def markdown(report: dict, chosen: list[Part]) -> str:
    env = report["environment"]
    card = env.get("gpu") or f"CPU ({env['cpus']} cores)"
    lines = [
        f"# actviz device check, {report['when']}",
        "",
        f"{card}; torch {env['torch']}; device {report['device']}"
        + ("; dry run (tiny sizes)" if report["dry_run"] else ""),
        "",
        "| part | status | seconds | figures |",
        "| --- | --- | --- | --- |",
    ]
    for part in chosen:
        r = part.result
        figures = headline(part.name, r).replace("|", "/")
        lines.append(f"| {part.name} | {r['status']} | {r['seconds']} | {figures} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
