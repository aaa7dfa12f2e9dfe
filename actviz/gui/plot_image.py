"""Painting a live plot into a ``QImage`` (checks and screenshots of the widget itself).

Files are not written here: every exported figure is drawn by matplotlib from a
Qt-free description (:mod:`actviz.figures`), because Qt's SVG output is drawn wrongly
by other renderers. The Qt-free file helpers live in :mod:`actviz.figures.files`.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QWidget

from ..figures.files import ExportError

__all__ = ["render_image"]


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
