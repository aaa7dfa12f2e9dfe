"""Export from the window: one plot (PNG/SVG/PDF/CSV), a table, or every panel into a folder.

Figures are drawn by matplotlib from a Qt-free description (:mod:`actviz.figures`):
the plot's own builder where it has one, else what the widget shows, read by
:mod:`.figure_reader`. Every failure becomes an :class:`ExportError` with a message.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtGui import QColor

from ..figures import STYLES, Figure, Size, Style, render, render_bytes
from ..figures.files import ExportError, export_csv, export_table, format_for
from ..figures.size import checked
from ..figures.tables import write_table
from .figure_reader import read_figure
from .plots import PlotExport

__all__ = [
    "ExportError",
    "export_all",
    "export_plot",
    "export_table",
    "figure_of",
    "figure_png",
    "style_for_background",
    "write_table",
]


def figure_of(plot: PlotExport) -> Figure:
    """The figure description of ``plot`` as it is now."""
    try:
        if plot.figure is not None:
            return plot.figure()
        return read_figure(plot.widget, name=plot.name)
    except ValueError as exc:
        raise ExportError(f"{plot.title}: {exc}") from exc


def style_for_background(background: str | None) -> Style:
    """The screen style matching the app's theme: dark on a dark background."""
    if background is not None and QColor(background).lightness() < 128:
        return STYLES["dark"]
    return STYLES["screen"]


def _size(style: Style, width: int | None, height: int | None, dpi: float | None) -> Size:
    dpi = float(dpi or style.size.dpi)
    if width is None:
        return checked(style.size.width, style.size.height, dpi)
    if height is None:
        height = round(width * style.size.height / style.size.width)
    try:
        return checked(width / dpi, height / dpi, dpi)
    except ValueError as exc:
        raise ExportError(str(exc)) from exc


def export_plot(
    plot: PlotExport,
    path: str | Path,
    *,
    style: Style | str | None = None,
    size: Size | None = None,
    width: int | None = None,
    height: int | None = None,
    dpi: float | None = None,
    background: str | None = None,
) -> Path:
    """Write ``plot`` to ``path``; the suffix picks PNG, SVG, PDF or CSV of the data.

    The size is ``size``, or ``width`` x ``height`` pixels at ``dpi``, or the style's.
    """
    path = Path(path).expanduser()
    fmt = format_for(path)
    if fmt == "csv":
        columns = plot.columns()
        if not columns:
            raise ExportError(f"{plot.title} has no data to export yet")
        return export_csv(columns, path)
    if isinstance(style, str):
        style = STYLES.get(style) or style_for_background(background)
    style = style or style_for_background(background)
    size = size or _size(style, width, height, dpi)
    return render(figure_of(plot), path, style, size)


def figure_png(plot: PlotExport, style: Style, size: Size) -> bytes:
    """The plot as PNG bytes (the dialog's preview, the clipboard)."""
    return render_bytes(figure_of(plot), "png", style, size)


def export_all(
    panels: Iterable, folder: str | Path, *, width: int = 1600, background: str | None = None
) -> list[Path]:
    """Every visible plot of every panel as PNG, SVG, PDF and CSV, plus each panel's tables.

    Files are named ``<plot>.png`` etc.; a plot with no data yet gets no files.
    """
    folder = Path(folder).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create the folder {folder}: {exc.strerror or exc}") from exc
    style = style_for_background(background)
    size = _size(style, width, None, 150.0)
    written: list[Path] = []
    for panel in panels:
        for plot in panel.plots():
            columns = plot.columns()
            if columns:
                written.append(export_csv(columns, folder / f"{plot.name}.csv"))
            try:
                spec = figure_of(plot)
            except ExportError:
                if columns:
                    raise
                continue  # a plot with nothing in it yet (no race run) has no figure
            for suffix in ("png", "svg", "pdf"):
                written.append(render(spec, folder / f"{plot.name}.{suffix}", style, size))
        for stem, columns in panel.tables().items():
            data = columns()
            if data:
                written.append(export_table(data, folder / f"{stem}.csv"))
                written.append(write_table(data, folder / f"{stem}.tex"))
    return written
