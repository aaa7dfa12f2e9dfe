"""The outside programs the tests check actviz's files with (librsvg, poppler): a test
that needs one and does not find it skips, naming the program and its package, instead
of failing with FileNotFoundError. scripts/install.sh --test installs them all."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGE = {
    "rsvg-convert": "librsvg2-bin",
    "pdfinfo": "poppler-utils",
    "pdftotext": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "pdffonts": "poppler-utils",
    "sqlite3": "sqlite3",
}


def need(*tools: str) -> None:
    """Skip the calling test unless every tool is on PATH."""
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        packages = sorted({PACKAGE.get(t, t) for t in missing})
        pytest.skip(f"needs {', '.join(missing)} (apt-get install {' '.join(packages)})")


def pdf_pages_and_text(path: Path) -> tuple[int, str]:
    """What poppler reads in a PDF: its page count and its text."""
    need("pdfinfo", "pdftotext")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)$", info.stdout, re.M).group(1))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return pages, text


def svg_as_png(svg: Path, width: int = 800) -> bytes:
    """An SVG drawn by librsvg (not by the library that wrote it), as PNG bytes."""
    need("rsvg-convert")
    return subprocess.run(
        ["rsvg-convert", "-w", str(width), str(svg)], capture_output=True, check=True
    ).stdout


def inked(png: bytes) -> float:
    """The fraction of a PNG's pixels that are not (near) the background colour: a blank
    or nearly empty picture has almost none."""
    import io

    import numpy as np
    from matplotlib.image import imread

    pixels = imread(io.BytesIO(png))[..., :3]
    background = np.median(pixels.reshape(-1, 3), axis=0)
    return float(np.mean(np.abs(pixels - background).max(axis=-1) > 0.2))
