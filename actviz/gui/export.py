"""Writing plots to files: PNG at a chosen size and DPI, SVG as vector paths, CSV of the data.

pyqtgraph's own SVG exporter breaks on Qt >= 6.11 path data, so SVG is drawn by
rendering the scene into a ``QSvgGenerator``; every line stays a vector path.
All writers raise :class:`ExportError` with a message fit for a dialog.
"""

from __future__ import annotations

import errno
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QWidget

FORMATS = ("png", "svg", "csv")


class ExportError(OSError):
    """An export that could not be written, with a message for the user."""


def format_for(path: Path) -> str:
    """The export format named by a file's suffix, or :class:`ExportError`."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ExportError(f"unknown file type '.{suffix}': use .png, .svg or .csv")
    return suffix


def check_writable(path: Path) -> Path:
    """Fail early, with a clear reason, when ``path`` cannot be written."""
    path = Path(path).expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name")
    if not folder.exists():
        raise ExportError(f"the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ExportError(f"no permission to write {path}")
    return path


def _write_bytes(path: Path, data: bytes) -> None:
    """Write through a temporary file so a failed write never leaves half a file."""
    path = check_writable(path)
    tmp = path.with_name(f".{path.name}.part")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise ExportError(f"the disk is full: {path} was not written") from exc
        raise ExportError(f"could not write {path}: {exc.strerror or exc}") from exc


def _scene_of(target: QWidget | QGraphicsScene) -> tuple[QGraphicsScene, QRectF]:
    """The scene to draw and the part of it to draw, brought up to date first."""
    if isinstance(target, QGraphicsScene):
        scene, source = target, target.itemsBoundingRect()
    elif isinstance(target, QGraphicsView):
        view_rect = target.viewport().rect()
        scene, source = target.scene(), target.mapToScene(view_rect).boundingRect()
    else:
        raise ExportError(f"cannot export a {type(target).__name__}")
    # pyqtgraph view boxes apply pending range changes only when asked to paint.
    prepare = getattr(scene, "prepareForPaint", None)
    if prepare is not None:
        prepare()
    return scene, source


def render_image(
    target: QWidget | QGraphicsScene,
    width: int,
    height: int | None = None,
    *,
    background: QColor | str | None = None,
    dpi: float = 96.0,
) -> QImage:
    """Render a plot (a pyqtgraph widget or scene) into an image of ``width`` x ``height``.

    Text and lines scale with the image, so a larger size is a sharper, not a
    smaller-looking, picture. ``height`` defaults to the on-screen aspect ratio.
    """
    if width < 16 or (height is not None and height < 16):
        raise ExportError("the image must be at least 16 x 16 pixels")
    if width * (height or width) > 20000 * 20000:
        raise ExportError("the image is too large (at most 400 megapixels)")
    scene, source = _scene_of(target)
    if height is None:
        height = max(16, round(width * source.height() / max(source.width(), 1)))
    image = QImage(QSize(width, height), QImage.Format.Format_ARGB32)
    image.fill(QColor(background) if background is not None else _background(target))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    try:
        scene.render(painter, QRectF(0, 0, width, height), source)
    finally:
        painter.end()
    # Only the file's metadata: set while painting, it would rescale the fonts.
    per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(per_metre)
    image.setDotsPerMeterY(per_metre)
    return image


def _background(target: QWidget | QGraphicsScene) -> QColor:
    brush = None
    if isinstance(target, QGraphicsView):
        brush = target.backgroundBrush()
    elif isinstance(target, QGraphicsScene):
        brush = target.backgroundBrush()
    if brush is not None and brush.style() != 0:
        return brush.color()
    return QColor("white")


def export_png(
    target: QWidget | QGraphicsScene,
    path: str | Path,
    width: int,
    height: int | None = None,
    *,
    dpi: float = 96.0,
    background: QColor | str | None = None,
) -> Path:
    """Write a PNG of the plot at the chosen pixel size and DPI."""
    path = check_writable(Path(path))
    image = render_image(target, width, height, dpi=dpi, background=background)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ExportError(f"could not encode {path.name} as PNG")
    buffer.close()
    _write_bytes(path, bytes(data.data()))
    return path


def export_svg(
    target: QWidget | QGraphicsScene,
    path: str | Path,
    *,
    title: str = "actviz plot",
    background: QColor | str | None = None,
) -> Path:
    """Write the plot as an SVG file whose curves are vector paths."""
    path = check_writable(Path(path))
    scene, source = _scene_of(target)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(math.ceil(source.width()), math.ceil(source.height())))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle(title)
    generator.setDescription("Exported from actviz")
    painter = QPainter(generator)
    segmented = _whole_paths(scene)
    try:
        painter.fillRect(
            QRectF(0, 0, source.width(), source.height()),
            QColor(background) if background is not None else _background(target),
        )
        scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
    finally:
        painter.end()
        _restore_segments(segmented)
    buffer.close()
    _write_bytes(path, bytes(data.data()))
    return path


def _whole_paths(scene: QGraphicsScene) -> list[tuple[object, object]]:
    """Ask each pyqtgraph curve to draw one path (not thousands of segments) for SVG."""
    changed = []
    for item in scene.items():
        opts = getattr(item, "opts", None)
        if isinstance(opts, dict) and "segmentedLineMode" in opts:
            changed.append((item, opts["segmentedLineMode"]))
            opts["segmentedLineMode"] = "off"
    return changed


def _restore_segments(changed: list[tuple[object, object]]) -> None:
    for item, mode in changed:
        item.opts["segmentedLineMode"] = mode


def csv_text(columns: Mapping[str, Sequence[float] | np.ndarray]) -> str:
    """CSV with a header row and one row per sample; floats keep full precision."""
    if not columns:
        raise ExportError("there is no data to export")
    names = list(columns)
    arrays = [np.asarray(columns[n], dtype=np.float64).reshape(-1) for n in names]
    length = len(arrays[0])
    if any(len(a) != length for a in arrays):
        raise ExportError("the columns to export have different lengths")
    lines = [",".join(_csv_field(n) for n in names)]
    for row in zip(*arrays, strict=True):
        lines.append(",".join(repr(float(v)) for v in row))
    return "\n".join(lines) + "\n"


def _csv_field(name: str) -> str:
    if any(c in name for c in ',"\n'):
        return '"' + name.replace('"', '""') + '"'
    return name


def export_csv(columns: Mapping[str, Sequence[float] | np.ndarray], path: str | Path) -> Path:
    """Write columns of numbers as CSV (``nan`` marks undefined values)."""
    path = Path(path)
    _write_bytes(path, csv_text(columns).encode("utf-8"))
    return path
