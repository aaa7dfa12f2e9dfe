"""Writing plots to files: PNG at a chosen size and DPI, SVG as vector paths, CSV of the data.

pyqtgraph's own SVG exporter breaks on Qt >= 6.11 path data, so SVG is drawn by
rendering the scene into a ``QSvgGenerator``; every line stays a vector path.
All writers raise :class:`ExportError` with a message fit for a dialog; the Qt-free
parts (format, checks, atomic writes, CSV) live in :mod:`actviz.export_files`.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QWidget

from ..export_files import (
    FORMATS,
    ExportError,
    check_writable,
    csv_text,
    export_csv,
    format_for,
    write_bytes,
)

__all__ = [
    "FORMATS",
    "ExportError",
    "check_writable",
    "csv_text",
    "export_csv",
    "export_png",
    "export_svg",
    "format_for",
    "render_image",
]


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
    write_bytes(path, bytes(data.data()))
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
    write_bytes(path, bytes(data.data()))
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
