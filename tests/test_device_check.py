"""bench/device_check.sh runs the speed suite and writes one JSON and one table, within
its budget; here on the CPU as a dry run (tiny sizes), as it would on a lent GPU."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "bench" / "device_check.sh"


def _run(
    out: Path, *args: str, timeout: float = 600, dry: bool = True
) -> subprocess.CompletedProcess:
    cmd = [str(SCRIPT), *(["--dry-run"] if dry else []), "--device", "cpu", "--out", str(out)]
    cmd += args
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=REPO)


def test_a_dry_run_writes_the_figures_and_the_table(tmp_path):
    proc = _run(tmp_path, "--only", "race,learnable", "--budget-s", "240")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "device_check.json").read_text())
    assert report["device"] == "cpu" and report["dry_run"] is True
    race = report["parts"]["race"]
    assert race["status"] == "ok"
    ways = race["figures"]["ways"]
    assert set(ways) == {"loop", "func", "reference", "actviz"}
    assert all(w["wall_s"] > 0 for w in ways.values())
    # the same networks trained four ways end at the same losses (10 steps: no chaos yet)
    assert all(gap < 1e-4 for gap in race["figures"]["final_loss_gaps"].values())
    learn = report["parts"]["learnable"]["figures"]["rows"]
    assert set(learn) >= {"relu", "pade", "bspline", "apl", "prelu_units"}
    table = (tmp_path / "device_check.md").read_text()
    lines = [ln for ln in table.splitlines() if ln.startswith("| race") or ln.startswith("| learn")]
    assert len(lines) == 2 and "faster than loop" in lines[0]


def test_the_budget_is_kept_and_a_part_over_it_is_reported(tmp_path):
    start = time.perf_counter()
    # full sizes (hundreds of steps of a 2-256-256-1 network) run far past a part's 5 s
    # floor on any machine, so the part is stopped whatever the load
    proc = _run(tmp_path, "--only", "training", "--budget-s", "2", timeout=120, dry=False)
    elapsed = time.perf_counter() - start
    assert proc.returncode == 1  # a part did not finish: the check says so
    report = json.loads((tmp_path / "device_check.json").read_text())
    assert report["parts"]["training"]["status"] == "timeout"
    assert elapsed < 60  # the 5 s floor of a part, plus start-up, not the part's full run
    assert "| training | timeout |" in (tmp_path / "device_check.md").read_text()


def test_a_bad_part_name_is_one_clear_message(tmp_path):
    proc = _run(tmp_path, "--only", "races")
    assert proc.returncode == 2 and "unknown part(s) races" in proc.stderr
