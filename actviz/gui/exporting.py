"""Export from the window: one plot (PNG/SVG/CSV), a table, or every panel into a folder.

Files are written by :mod:`actviz.gui.export`; everything here turns user choices into
calls and every failure into an :class:`~actviz.gui.export.ExportError` with a message.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ..export_files import export_table
from .export import ExportError, export_csv, export_png, export_svg, format_for
from .plots import PlotExport

FILTERS = "PNG image (*.png);;SVG vector image (*.svg);;CSV data (*.csv)"


def export_plot(
    plot: PlotExport,
    path: str | Path,
    *,
    width: int | None = None,
    height: int | None = None,
    dpi: float = 96.0,
    background: str | None = None,
) -> Path:
    """Write ``plot`` to ``path``; the suffix picks PNG, SVG or CSV of the plotted data."""
    path = Path(path).expanduser()
    fmt = format_for(path)
    if fmt == "csv":
        columns = plot.columns()
        if not columns:
            raise ExportError(f"{plot.title} has no data to export yet")
        return export_csv(columns, path)
    if fmt == "svg":
        return export_svg(plot.widget, path, title=plot.title, background=background)
    size = plot.widget.viewport().size()
    width = int(width or max(16, size.width()))
    if height is None and size.width() > 0:
        height = max(16, round(width * size.height() / size.width()))
    return export_png(plot.widget, path, width, height, dpi=dpi, background=background)


def export_all(
    panels: Iterable, folder: str | Path, *, width: int = 1600, background: str | None = None
) -> list[Path]:
    """Every visible plot of every panel as PNG, SVG and CSV, plus each panel's tables.

    Files are named ``<plot>.png`` etc.; a plot with no data yet gets no CSV.
    """
    folder = Path(folder).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create the folder {folder}: {exc.strerror or exc}") from exc
    written: list[Path] = []
    for panel in panels:
        for plot in panel.plots():
            for suffix in ("png", "svg", "csv"):
                target = folder / f"{plot.name}.{suffix}"
                if suffix == "csv" and not plot.columns():
                    continue
                written.append(
                    export_plot(plot, target, width=width, dpi=150.0, background=background)
                )
        for stem, columns in panel.tables().items():
            data = columns()
            if data:
                written.append(export_table(data, folder / f"{stem}.csv"))
    return written


class ExportDialog(QDialog):
    """Choose a file (its suffix picks the format) and, for PNG, the size and DPI."""

    def __init__(self, plot: PlotExport, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Export {plot.title}")
        self.plot = plot
        size = plot.widget.viewport().size()
        self.path = QLineEdit(str(folder / f"{plot.name}.png"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.format = QComboBox()
        self.format.addItems(["png", "svg", "csv"])
        self.format.currentTextChanged.connect(self._format_changed)
        self.width_box = QSpinBox()
        self.height_box = QSpinBox()
        for box in (self.width_box, self.height_box):
            box.setRange(16, 20000)
            box.setSuffix(" px")
        self.width_box.setValue(max(16, size.width() * 2))
        self.height_box.setValue(max(16, size.height() * 2))
        self.dpi = QDoubleSpinBox()
        self.dpi.setRange(30, 1200)
        self.dpi.setValue(150)
        form = QFormLayout(self)
        form.addRow("File", row)
        form.addRow("Format", self.format)
        form.addRow("Width", self.width_box)
        form.addRow("Height", self.height_box)
        form.addRow("DPI", self.dpi)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.path.textChanged.connect(self._path_changed)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text(), FILTERS)
        if path:
            self.path.setText(path)

    def _path_changed(self, text: str) -> None:
        suffix = Path(text).suffix.lower().lstrip(".")
        if suffix in ("png", "svg", "csv") and suffix != self.format.currentText():
            self.format.blockSignals(True)
            self.format.setCurrentText(suffix)
            self.format.blockSignals(False)
        self._enable_size(self.format.currentText() == "png")

    def _format_changed(self, fmt: str) -> None:
        path = Path(self.path.text())
        self.path.setText(str(path.with_suffix(f".{fmt}")))
        self._enable_size(fmt == "png")

    def _enable_size(self, on: bool) -> None:
        for w in (self.width_box, self.height_box, self.dpi):
            w.setEnabled(on)

    def run_export(self, background: str | None = None) -> Path:
        return export_plot(
            self.plot,
            self.path.text(),
            width=self.width_box.value(),
            height=self.height_box.value(),
            dpi=self.dpi.value(),
            background=background,
        )
