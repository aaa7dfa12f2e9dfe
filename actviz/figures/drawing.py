"""Draw a :class:`~actviz.figures.spec.Figure` with matplotlib, to PNG, SVG or PDF bytes.

matplotlib is used through its object API (``matplotlib.figure.Figure`` and the
format's own canvas); ``matplotlib.use`` and pyplot are never touched, so rendering
sits beside a running Qt application without changing its backend. Style settings
apply only inside ``rc_context`` while one figure is drawn and saved. matplotlib is
imported on the first drawing, not with this module: the desktop app and every command
import :mod:`actviz.figures`, and matplotlib would add about a second to their start-up.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from ..analysis.decimate import peak_decimate
from .files import ExportError, check_writable, write_bytes
from .palette import DARK, LIGHT, MATPLOTLIB_LINES, styles_for
from .size import Size
from .spec import Axes, Figure
from .style import SCREEN, Style

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

FIGURE_FORMATS = ("png", "svg", "pdf")
#: Figures narrower than this put the legend below the panels rather than beside them.
NARROW_INCHES = 4.5


def draw(spec: Figure, style: Style = SCREEN, size: Size | None = None) -> MplFigure:
    """A matplotlib figure of ``spec`` (call inside ``rc_context(style.rc)``)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    size = size or style.size
    fig = MplFigure(figsize=(size.width, size.height), dpi=size.dpi, layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.subplots(spec.rows, spec.cols, squeeze=False, sharex="col" if spec.sharex else False)
    palette = styles_for(spec.curve_names(), dark=style.dark)
    flat = list(grid.flat)
    for ax, panel in zip(flat, spec.panels, strict=False):
        if panel.hidden:
            ax.set_visible(False)
        else:
            _draw_axes(ax, panel, palette, style)
    for ax in flat[len(spec.panels) :]:
        ax.set_visible(False)
    if spec.title:
        fig.suptitle(spec.title)
    notes = "\n".join(spec.notes)
    narrow = size.width < NARROW_INCHES
    if spec.legend == "outside":
        placed = _legend(fig, flat[: len(spec.panels)], narrow, notes if narrow else "")
        notes = "" if placed and narrow else notes
    if notes:
        fig.supxlabel(notes, fontsize="small")
    return fig


def colormap(spec: str | list[str], steps: int):
    """A matplotlib colormap from a name or from colours spread from low to high."""
    if isinstance(spec, str):
        return spec
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("actviz", list(spec), N=max(2, steps))


def themed(colour: str, dark: bool) -> str:
    """An activation colour of the other theme swapped for this one's (a figure read
    from the dark screen, saved in the paper style, keeps its hues but suits white)."""
    c = colour.lower()
    source, target = (LIGHT, DARK) if dark else (DARK, LIGHT)
    return target[source.index(c)] if c in source else colour


def _colour(name: str, colour: str | None, palette, dark: bool = False) -> tuple[str, str]:
    if colour is not None:
        return themed(colour, dark), "-"
    s = palette.get(name)
    return (s.colour, MATPLOTLIB_LINES[s.line]) if s else ("#555555", "-")


def _draw_axes(ax, panel: Axes, palette, style: Style) -> None:
    for heat in panel.heatmaps:
        image = ax.imshow(
            heat.values,
            extent=heat.extent,
            origin="lower",
            aspect="equal" if panel.equal else "auto",
            cmap=colormap(heat.colormap, heat.steps),
            vmin=heat.vmin,
            vmax=heat.vmax,
            interpolation="nearest",
            zorder=0,
        )
        if heat.colorbar is not None:
            ax.figure.colorbar(image, ax=ax, label=heat.colorbar, shrink=0.9)
    for band in panel.bands:
        colour, _ = _colour(band.name, band.colour, palette, style.dark)
        ax.fill_between(
            band.x,
            band.lower,
            band.upper,
            color=colour,
            alpha=band.alpha,
            lw=0,
            zorder=1,
            label=band.label or "_nolegend_",
        )
    columns = round(ax.figure.get_figwidth() * ax.figure.dpi)
    for curve in panel.curves:
        colour, dashes = _colour(curve.name, curve.colour, palette, style.dark)
        x, y = (curve.x, curve.y) if panel.xlog else peak_decimate(curve.x, curve.y, columns)
        if curve.line is not None:
            dashes = MATPLOTLIB_LINES.get(curve.line, "-")
        ax.plot(
            x,
            y,
            color=colour,
            linestyle=dashes,
            linewidth=style.line_width * curve.width,
            label=(curve.label or curve.name) if curve.legend else "_nolegend_",
            zorder=2,
        )
    for pts in panel.scatters:
        ax.scatter(
            pts.x,
            pts.y,
            c=_point_colours(pts, style.dark),
            cmap=colormap(pts.colormap, 256) if pts.values is not None else None,
            s=pts.size**2,
            edgecolors=style.foreground,
            linewidths=0.3,
            zorder=3,
        )
    for line in panel.vlines:
        ax.axvline(line.x, color=line.colour, linestyle="--", linewidth=0.8, zorder=1.5)
        if line.label:
            ax.annotate(
                line.label,
                (line.x, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(2, -2),
                textcoords="offset points",
                ha="left",
                va="top",
                fontsize="small",
                color=line.colour,
            )
    for mark in panel.markers:
        ax.plot([mark.x], [mark.y], "o", color=mark.colour, markersize=3.5, zorder=4)
        if mark.label:
            ax.annotate(
                mark.label,
                (mark.x, mark.y),
                xytext=(4, 4),
                textcoords="offset points",
                fontsize="small",
                color=mark.colour,
            )
    if panel.xlog:
        ax.set_xscale("log")
    if panel.ylog:
        ax.set_yscale("log")
    if panel.xlim is not None:
        ax.set_xlim(*panel.xlim)
    if panel.ylim is not None:
        ax.set_ylim(*panel.ylim)
    if panel.equal and not panel.heatmaps:
        ax.set_aspect("equal", adjustable="datalim")
    ax.set_title(panel.title)
    ax.set_xlabel(panel.xlabel)
    ax.set_ylabel(panel.ylabel)
    if panel.grid:
        ax.grid(True, zorder=0)
        ax.set_axisbelow(True)
    if not panel.ticks:
        ax.set_xticks([])
        ax.set_yticks([])


def _columns_that_fit(fig: MplFigure, labels: list[str]) -> int:
    """Legend columns whose width fits the figure (an entry: line, gap, text, spacing)."""
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties

    em = FontProperties(size=rcParams["legend.fontsize"]).get_size_in_points()
    entry = (max(len(t) for t in labels) * 0.6 + 4.8) * em
    return max(1, min(len(labels), 4, int(fig.get_figwidth() * 72 // entry)))


def _point_colours(pts, dark: bool):
    if pts.values is not None:
        return pts.values
    if pts.colours is not None:
        return [themed(c, dark) for c in pts.colours]
    return themed(pts.colour, dark)


def _legend(fig: MplFigure, axes: list, narrow: bool, notes: str) -> bool:
    """One legend for the figure, outside every panel so it never covers data.

    Beside the panels, or below them (with ``notes`` as its heading) in a narrow figure.
    """
    handles, labels = [], []
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    if not labels:
        return False
    if narrow:
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=_columns_that_fit(fig, labels),
            title=notes or None,
            title_fontsize="small",
        )
    else:
        rows = max(1, round(fig.get_figheight() * 72 / 14))  # entries that fit in a column
        fig.legend(handles, labels, loc="outside right upper", ncols=-(-len(labels) // rows))
    return True


def render_bytes(spec: Figure, fmt: str, style: Style = SCREEN, size: Size | None = None) -> bytes:
    """The figure encoded as ``fmt`` (png, svg or pdf)."""
    if fmt not in FIGURE_FORMATS:
        raise ExportError(f"a figure cannot be written as .{fmt}: use {', '.join(FIGURE_FORMATS)}")
    size = size or style.size
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt, {})
    if fmt != "png":
        metadata["Title"] = spec.title or spec.name
    from matplotlib import rc_context

    with rc_context(style.rc):
        fig = draw(spec, style, size)
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=size.dpi, metadata=metadata)
    return buffer.getvalue()


def render(spec: Figure, path: str | Path, style: Style = SCREEN, size: Size | None = None) -> Path:
    """Write the figure to ``path``; its suffix picks the format. Atomic: all or nothing."""
    path = check_writable(Path(path))
    fmt = path.suffix.lower().lstrip(".")
    write_bytes(path, render_bytes(spec, fmt, style, size))
    return path
