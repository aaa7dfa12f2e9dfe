"""A figure's size: inches and DPI, from pixels (``800x600``) or lengths (``85mm``).

Pixels and DPI fix the physical size (800 px at 100 DPI is 8 in), so one set of
options means the same picture in PNG, SVG and PDF. Every value is checked here, with
a one-line reason, before anything is drawn.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MAX_PIXELS = 20000
MIN_PIXELS = 16
MAX_DPI = 1200.0
MIN_DPI = 10.0
UNITS = {"mm": 1 / 25.4, "cm": 1 / 2.54, "in": 1.0, "pt": 1 / 72}


@dataclass(frozen=True)
class Size:
    """Width and height in inches, and the DPI a PNG is rasterised at."""

    width: float
    height: float
    dpi: float

    @property
    def pixels(self) -> tuple[int, int]:
        return round(self.width * self.dpi), round(self.height * self.dpi)

    def mm(self) -> tuple[float, float]:
        return self.width * 25.4, self.height * 25.4


def check_dpi(dpi: float) -> float:
    """``dpi`` if it is a number in [10, 1200], else a ValueError saying so."""
    try:
        dpi = float(dpi)
    except (TypeError, ValueError):
        raise ValueError(f"--dpi must be a number, not {dpi!r}") from None
    if not math.isfinite(dpi) or not MIN_DPI <= dpi <= MAX_DPI:
        raise ValueError(f"--dpi must be between {MIN_DPI:g} and {MAX_DPI:g}, not {dpi:g}")
    return dpi


def parse_pixels(text: str) -> tuple[int, int]:
    """``'800x600'`` -> (800, 600), each between 16 and 20000."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", str(text))
    if not match:
        raise ValueError(f"--size must look like 800x600 (pixels), not {text!r}")
    w, h = int(match[1]), int(match[2])
    if not (MIN_PIXELS <= w <= MAX_PIXELS and MIN_PIXELS <= h <= MAX_PIXELS):
        raise ValueError(f"--size must be between {MIN_PIXELS} and {MAX_PIXELS} pixels each way")
    return w, h


def parse_length(text: str, option: str = "--width") -> float:
    """``'85mm'``, ``'8.5cm'``, ``'3.3in'``, ``'240pt'`` -> inches (positive, finite)."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?\d+)?)\s*(mm|cm|in|pt)\s*", str(text))
    if not match:
        raise ValueError(
            f"{option} must be a length like 85mm, 8.5cm, 3.3in or 240pt, not {text!r}"
        )
    inches = float(match[1]) * UNITS[match[2]]
    if not math.isfinite(inches) or inches <= 0:
        raise ValueError(f"{option} must be more than zero")
    return inches


def checked(width: float, height: float, dpi: float) -> Size:
    """A :class:`Size`, refused when its raster would be under 16 or over 20000 px."""
    dpi = check_dpi(dpi)
    for inches, what in ((width, "width"), (height, "height")):
        px = inches * dpi
        if not math.isfinite(px) or px < MIN_PIXELS:
            raise ValueError(f"the {what} is too small: under {MIN_PIXELS} pixels at {dpi:g} DPI")
        if px > MAX_PIXELS:
            raise ValueError(
                f"the {what} is too large: {px:.0f} pixels at {dpi:g} DPI (at most {MAX_PIXELS})"
            )
    return Size(width, height, dpi)


def size_from_options(
    default: Size,
    *,
    pixels: str | None = None,
    width: str | None = None,
    height: str | None = None,
    dpi: float | None = None,
) -> Size:
    """The size asked for: ``pixels`` (WxH) or ``width``/``height`` lengths, else ``default``.

    A single length keeps the default's aspect ratio.
    """
    dpi = check_dpi(dpi) if dpi is not None else default.dpi
    if pixels is not None and (width is not None or height is not None):
        raise ValueError("give either --size (pixels) or --width/--height (lengths), not both")
    if pixels is not None:
        w, h = parse_pixels(pixels)
        return checked(w / dpi, h / dpi, dpi)
    aspect = default.height / default.width
    w = parse_length(width, "--width") if width is not None else None
    h = parse_length(height, "--height") if height is not None else None
    if w is None and h is None:
        return checked(default.width, default.height, dpi)
    if w is None:
        w = h / aspect
    if h is None:
        h = w * aspect
    return checked(w, h, dpi)
