"""Light and dark themes: the Qt palette and the colours plots are drawn with.

The default, ``system``, follows Qt's colour scheme (``styleHints().colorScheme()``)
and falls back to light where the platform does not say.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOptionHeader,
)

from .pens import emphasis

CHOICES = ("system", "light", "dark")


@dataclass(frozen=True)
class Theme:
    """Colours for one theme; plots read ``background``/``foreground``/``grid_alpha``."""

    name: str
    background: str
    foreground: str
    muted: str
    grid_alpha: float
    saturation: str  # shading of saturated regions (|f'| small)
    dead: str  # shading of dead zones (f' = 0)
    mark: str
    error: str
    window: str
    base: str
    alternate: str
    highlight: str

    @property
    def dark(self) -> bool:
        return self.name == "dark"


LIGHT = Theme(
    name="light",
    background="#ffffff",
    foreground="#202124",
    muted="#6b6f76",
    grid_alpha=0.25,
    saturation="#f4b40040",
    dead="#d9302540",
    mark="#202124",
    error="#c62828",
    window="#f3f3f3",
    base="#ffffff",
    alternate="#f6f7f9",
    highlight="#2f6fd0",
)

DARK = Theme(
    name="dark",
    background="#1c1d20",
    foreground="#e3e3e3",
    muted="#9aa0a6",
    grid_alpha=0.3,
    saturation="#f4b40038",
    dead="#ff6b6b40",
    mark="#f1f1f1",
    error="#ff7b72",
    window="#2b2d31",
    base="#1f2023",
    alternate="#26282c",
    highlight="#4a8cf0",
)


def system_scheme() -> str:
    """``dark`` or ``light`` as the platform reports it (``light`` when it says nothing)."""
    app = QGuiApplication.instance()
    if app is None:
        return "light"
    scheme = app.styleHints().colorScheme()
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def resolve(choice: str) -> Theme:
    """The theme for a user choice: ``system``, ``light`` or ``dark``."""
    name = system_scheme() if choice not in ("light", "dark") else choice
    return DARK if name == "dark" else LIGHT


def palette(theme: Theme) -> QPalette:
    """A full Fusion palette for the theme (dark needs every role set, or text goes missing)."""
    p = QPalette()
    fg = QColor(theme.foreground)
    role = QPalette.ColorRole
    p.setColor(role.Window, QColor(theme.window))
    p.setColor(role.WindowText, fg)
    p.setColor(role.Base, QColor(theme.base))
    p.setColor(role.AlternateBase, QColor(theme.alternate))
    p.setColor(role.ToolTipBase, QColor(theme.base))
    p.setColor(role.ToolTipText, fg)
    p.setColor(role.Text, fg)
    p.setColor(role.Button, QColor(theme.window))
    p.setColor(role.ButtonText, fg)
    p.setColor(role.BrightText, QColor(theme.error))
    p.setColor(role.Highlight, QColor(theme.highlight))
    p.setColor(role.HighlightedText, QColor("#ffffff"))
    p.setColor(role.Link, QColor(theme.highlight).lighter(130 if theme.dark else 100))
    p.setColor(role.PlaceholderText, QColor(theme.muted))
    p.setColor(role.Mid, QColor(theme.muted))
    p.setColor(role.Light, QColor(theme.window).lighter(130))
    p.setColor(role.Dark, QColor(theme.window).darker(150))
    disabled = QColor(theme.muted)
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, r, disabled)
    return p


class _HouseStyle(QProxyStyle):
    """Fusion with two corrections.

    Sort arrows point the way users read them: ▲ on a column sorted ascending (small to
    large, A-Z). Qt draws the opposite (its "sort down" arrow for ascending order).

    With ``outline`` (a dark theme): check boxes and radio buttons that show. Fusion
    outlines indicators with a darker shade of the window colour, which vanishes on a
    dark window; the indicator is drawn as if the window were ``outline``.
    """

    def __init__(self, outline: str | None = None) -> None:
        super().__init__(QStyleFactory.create("Fusion"))
        self.outline = QColor(outline) if outline else None

    def drawPrimitive(self, element, option, painter, widget=None) -> None:  # noqa: N802
        indicators = (
            QStyle.PrimitiveElement.PE_IndicatorCheckBox,
            QStyle.PrimitiveElement.PE_IndicatorRadioButton,
        )
        if element in indicators and self.outline is not None:
            option = type(option)(option)
            pal = QPalette(option.palette)
            pal.setColor(QPalette.ColorRole.Window, self.outline)
            option.palette = pal
        elif element == QStyle.PrimitiveElement.PE_IndicatorHeaderArrow and isinstance(
            option, QStyleOptionHeader
        ):
            option = QStyleOptionHeader(option)
            option.sortIndicator = SORT_ARROW[option.sortIndicator]
        super().drawPrimitive(element, option, painter, widget)


#: Qt's header sort indicator -> the arrow drawn (ascending = ▲).
SORT_ARROW = {
    QStyleOptionHeader.SortIndicator.None_: QStyleOptionHeader.SortIndicator.None_,
    QStyleOptionHeader.SortIndicator.SortUp: QStyleOptionHeader.SortIndicator.SortDown,
    QStyleOptionHeader.SortIndicator.SortDown: QStyleOptionHeader.SortIndicator.SortUp,
}


def apply(app: QApplication, theme: Theme) -> None:
    """Switch the whole application to ``theme``."""
    app.setStyle(_HouseStyle("#c8ccd2" if theme.dark else None))
    app.setPalette(palette(theme))


def style_plot(plot_item, theme: Theme) -> None:
    """Axis, grid and title colours of a pyqtgraph ``PlotItem`` for the theme, and the
    font sizes of the current emphasis (``pens.emphasis``: presentation mode)."""
    pt = emphasis().font_pt
    size = {"font-size": f"{pt}pt"} if pt else {}
    for name in ("left", "bottom", "right", "top"):
        axis = plot_item.getAxis(name)
        axis.setPen(theme.foreground)
        axis.setTextPen(theme.foreground)
        axis.setTickFont(_font(pt))
        _emphasise_width(axis, pt)
        label_text = axis.labelText
        if label_text:
            axis.setLabel(label_text, units=axis.labelUnits, color=theme.foreground, **size)
    plot_item.showGrid(x=True, y=True, alpha=theme.grid_alpha)
    title = plot_item.titleLabel
    if title is not None and title.text:
        _emphasise(title.opts, "size", f"{pt}pt" if pt else None)
        title.setText(title.text, color=theme.foreground)
    legend = plot_item.legend
    if legend is not None:
        _emphasise(legend.opts, "labelTextSize", f"{pt - 2}pt" if pt else None)
        legend.setLabelTextSize(legend.opts.get("labelTextSize", "9pt"))
        legend.setLabelTextColor(theme.foreground)
        bg = QColor(theme.background)
        bg.setAlpha(200)
        legend.setBrush(bg)
        legend.setPen(QColor(theme.muted))
        for _sample, label in legend.items:
            label.setText(label.text, color=theme.foreground)
            label.resize(label.preferredSize())  # labels shrink again after emphasis
        legend.layout.invalidate()
        legend.updateSize()  # the box follows its labels' size


def _font(pt: int | None) -> QFont | None:
    if pt is None:
        return None
    font = QFont()
    font.setPointSize(pt)
    return font


def _emphasise(opts: dict, key: str, value: str | None) -> None:
    """Set ``opts[key]`` to ``value`` for emphasis, keeping the usual value to go back to
    (``value=None``)."""
    usual = "_usual_" + key
    if value is not None:
        opts.setdefault(usual, opts.get(key))
        opts[key] = value
    elif usual in opts:
        before = opts.pop(usual)
        if before is None:
            opts.pop(key, None)
        else:
            opts[key] = before


def _emphasise_width(axis, pt: int | None) -> None:
    """A left/right axis of fixed width (stacked plots line up) widens with its font."""
    if axis.orientation not in ("left", "right"):
        return
    usual = getattr(axis, "_usual_width", "unset")
    if pt and axis.fixedWidth is not None:
        if usual == "unset":
            axis._usual_width = usual = axis.fixedWidth
        axis.setWidth(round(usual * pt / 9))
    elif not pt and usual != "unset":
        del axis._usual_width
        axis.setWidth(usual)
