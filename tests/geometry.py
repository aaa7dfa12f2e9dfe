"""Where widgets really are: everything a user must see, checked against what is visible.

A widget is visible where it lies inside its window and inside every ancestor (each
parent clips its children; a scroll area's viewport clips what scrolls). Plots are
checked item by item: each view box, and each axis's last tick label, must lie inside
the plot widget's viewport as well.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QRect, QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QDockWidget,
    QScrollArea,
    QTabBar,
    QToolBar,
    QWidget,
)

from actviz.gui.panels.base import Panel


def window_rect(widget: QWidget, window: QWidget) -> QRect:
    """``widget``'s rectangle in ``window`` coordinates."""
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def visible_area(widget: QWidget, window: QWidget, *, scroll_y: bool = True) -> QRect:
    """The part of the window where ``widget`` can show: its ancestors' rectangles
    intersected. ``scroll_y``: inner scroll areas that scroll vertically (a long form)
    do not clip in y, since the user scrolls there; they must never clip in x."""
    area = window.rect()
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        rect = window_rect(parent, window)
        holder = parent.parentWidget()
        if isinstance(holder, QScrollArea) and parent is holder.viewport() and scroll_y:
            if not isinstance(holder.widget(), Panel):  # a panel must fit its tab
                rect.setTop(-(10**6))
                rect.setBottom(10**6)
        area = area.intersected(rect)
        parent = parent.parentWidget()
    return area


def _inside(inner: QRect | QRectF, outer: QRect, slack: int = 1) -> bool:
    inner = QRectF(inner)
    return (
        inner.left() >= outer.left() - slack
        and inner.top() >= outer.top() - slack
        and inner.right() <= outer.right() + 1 + slack
        and inner.bottom() <= outer.bottom() + 1 + slack
    )


def _describe(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QAbstractButton) else ""
    return f"{type(widget).__name__}({widget.objectName() or text!r})"


def _plot_problems(view: pg.GraphicsView, window: QWidget) -> list[str]:
    """View boxes and last tick labels of the plots drawn in ``view`` that are cut."""
    problems = []
    clip = visible_area(view, window).intersected(window_rect(view.viewport(), window))
    offset = view.viewport().mapTo(window, QPoint(0, 0))
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        for item in view.scene().items():
            if not item.isVisible():
                continue
            if isinstance(item, pg.ViewBox):
                rect = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
                rect.translate(offset)
                if not _inside(rect, clip):
                    problems.append(f"view box {rect} not inside {clip} in {type(view).__name__}")
            elif isinstance(item, pg.AxisItem) and item.style.get("showValues", True):
                specs = item.generateDrawSpecs(painter)
                if not specs or not specs[2]:
                    continue
                labels = [QRectF(r) for r, _flags, _text in specs[2]]
                last = max(labels, key=lambda r: (r.right(), r.bottom()))
                first = min(labels, key=lambda r: (r.left(), r.top()))
                for label, text in ((last, "last"), (first, "first")):
                    rect = view.mapFromScene(item.mapRectToScene(label)).boundingRect()
                    rect.translate(offset)
                    if not _inside(rect, clip, slack=2):
                        name = item.orientation
                        problems.append(f"{name} axis {text} tick label {rect} cut by {clip}")
    finally:
        painter.end()
    return problems


def _covering_buttons(view: QAbstractItemView, window: QWidget) -> list[str]:
    """Buttons drawn over ``view`` (a wrapped tool row squeezed onto a table)."""
    area = window_rect(view, window).intersected(visible_area(view, window))
    found = []
    for button in window.findChildren(QAbstractButton):
        if not button.isVisible() or button.window() is not window or view.isAncestorOf(button):
            continue
        if isinstance(button.parentWidget(), QTabBar) or button.width() < 4:
            continue
        shown = window_rect(button, window).intersected(visible_area(button, window))
        if shown.intersects(area) and shown.intersected(area).height() > 2:
            found.append(f"{_describe(button)} at {shown} covers {_describe(view)} at {area}")
    return found


def layout_problems(window: QWidget) -> list[str]:
    """Everything a user must see that lies (partly) outside the visible area."""
    problems = []
    parked = [  # a dock tabbed behind another is parked outside the window by Qt
        d for d in window.findChildren(QDockWidget)
        if not window_rect(d, window).intersects(window.rect())
    ]  # fmt: skip
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not window:
            continue
        if any(d is widget or d.isAncestorOf(widget) for d in parked):
            continue
        if isinstance(widget, pg.GraphicsView):
            if widget.width() > 20 and widget.height() > 20:
                problems += _plot_problems(widget, window)
            continue
        if isinstance(widget, QAbstractButton):
            if isinstance(widget.parentWidget(), QTabBar) or widget.width() < 4:
                continue
            if not _inside(window_rect(widget, window), visible_area(widget, window)):
                problems.append(f"{_describe(widget)} at {window_rect(widget, window)} is cut")
        elif isinstance(widget, QAbstractItemView):
            if not _inside(window_rect(widget, window), visible_area(widget, window)):
                problems.append(f"{_describe(widget)} at {window_rect(widget, window)} is cut")
        if isinstance(widget, QAbstractItemView):
            problems += _covering_buttons(widget, window)
        if isinstance(widget, QToolBar):
            for action in widget.actions():
                shown = widget.widgetForAction(action)
                if action.isVisible() and shown is not None and not shown.isVisible():
                    problems.append(f"toolbar hides {action.text() or type(shown).__name__!r}")
        if isinstance(widget, QAbstractScrollArea) and not isinstance(widget, QAbstractItemView):
            if widget.horizontalScrollBar().isVisible():
                problems.append(f"{_describe(widget)} shows a horizontal scrollbar")
    return problems
