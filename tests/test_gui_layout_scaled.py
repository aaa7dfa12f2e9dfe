"""Every panel fits at 2x scaling and on small screens, presentation mode included.

Qt fixes the screen and its scale when the application starts, so each case runs the
window in a child process (``scaled_layout_child.py``) on an offscreen screen described
by a config file: 2560x1440 device pixels at ``QT_SCALE_FACTOR=2`` (a 1280x720 logical
window), a 1024x768 projector and a 1024x700 screen at scale 1 (the default offscreen
screen is 800x800, so full screen elsewhere is not these sizes). The child checks every
panel before and after a race and in presentation mode with ``geometry.layout_problems``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CHILD = Path(__file__).with_name("scaled_layout_child.py")


def run_child(tmp_path: Path, width: int, height: int, scale: int) -> dict:
    config = tmp_path / "screen.json"
    config.write_text(
        json.dumps({"screens": [{"name": "s", "x": 0, "y": 0, "width": width, "height": height}]})
    )
    env = dict(os.environ)
    for var in ("ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT", "ACTVIZ_SELECT"):
        env.pop(var, None)
    env.update(
        QT_QPA_PLATFORM=f"offscreen:configfile={config}",
        QT_SCALE_FACTOR=str(scale),
        ACTVIZ_DATA_DIR=str(tmp_path / "data"),
        ACTVIZ_CACHE_DIR=str(tmp_path / "cache"),
    )
    done = subprocess.run(
        [sys.executable, str(CHILD)], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("width", "height", "scale"),
    [(2560, 1440, 2), (1024, 768, 1), (1024, 700, 1)],
    ids=["2560x1440-at-2x", "projector-1024x768", "small-1024x700"],
)
def test_every_panel_fits_before_and_after_a_race_and_presenting(tmp_path, width, height, scale):
    result = run_child(tmp_path, width, height, scale)
    assert result["ratio"] == scale
    assert result["screen"] == [width // scale, height // scale]
    assert result["raced"] > 0
    assert result["problems"] == []
