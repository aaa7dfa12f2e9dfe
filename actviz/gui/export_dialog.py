"""The one export dialog: file, format, style, size in mm or px, DPI, a live preview,
and "copy to clipboard". The choices are remembered in the app's settings.

The preview is the real file's picture: the same figure drawn by matplotlib at the
chosen physical size, only at a DPI that fits the label, so text and line sizes
relative to the figure are what the file will have.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..figures import STYLES, Size
from ..figures.files import FORMATS, ExportError
from ..figures.size import checked
from ..figures.style import ONE_COLUMN, TWO_COLUMNS
from .export_plots import export_plot, figure_png
from .plots import PlotExport
from .settings import read_json, write_json

FILTERS = "PNG image (*.png);;SVG vector image (*.svg);;PDF document (*.pdf);;CSV data (*.csv)"
SETTINGS_KEY = "export/options"
PREVIEW = (420, 315)
MM = 25.4


class ExportDialog(QDialog):
    """See the module docstring."""

    def __init__(
        self, plot: PlotExport, folder: Path, parent: QWidget | None = None, settings=None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Export {plot.title}")
        self.plot = plot
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.update_preview)
        self.settings = settings if settings is not None else getattr(parent, "settings", None)
        saved = read_json(self.settings, SETTINGS_KEY, {}) if self.settings is not None else {}
        if not isinstance(saved, dict):
            saved = {}
        fmt = saved.get("format") if saved.get("format") in FORMATS else "png"
        self.path = QLineEdit(str(Path(folder) / f"{plot.name}.{fmt}"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.format = QComboBox()
        self.format.addItems(list(FORMATS))
        self.format.setCurrentText(fmt)
        self.style = QComboBox()
        self.style.addItems(list(STYLES))
        self.style.setCurrentText(saved.get("style") if saved.get("style") in STYLES else "paper")
        self.unit = QComboBox()
        self.unit.addItems(["mm", "px"])
        self.width_box, self.height_box = QDoubleSpinBox(), QDoubleSpinBox()
        self.dpi = QDoubleSpinBox()
        self.dpi.setRange(10, 1200)
        self.dpi.setDecimals(0)
        self._unit = ""
        self._set_unit(saved.get("unit") if saved.get("unit") in ("mm", "px") else "mm")
        style_size = STYLES[self.style.currentText()].size
        self.dpi.setValue(_number(saved.get("dpi"), style_size.dpi))
        self.width_box.setValue(_number(saved.get("width"), style_size.width * MM))
        self.height_box.setValue(_number(saved.get("height"), style_size.height * MM))
        self.unit.setCurrentText(self._unit)
        presets = QHBoxLayout()
        for text, width in (("one column", ONE_COLUMN), ("two columns", TWO_COLUMNS)):
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False, w=width: self._preset(w))
            presets.addWidget(button)
        self.copy_button = QPushButton("Copy figure")
        self.copy_button.setToolTip("copy the figure (PNG at this size) to the clipboard")
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        presets.addWidget(self.copy_button)
        self.preview = QLabel()
        self.preview.setFixedSize(*PREVIEW)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)

        form = QFormLayout()
        form.addRow("File", row)
        form.addRow("Format", self.format)
        form.addRow("Style", self.style)
        form.addRow("Units", self.unit)
        form.addRow("Width", self.width_box)
        form.addRow("Height", self.height_box)
        form.addRow("DPI", self.dpi)
        form.addRow("", presets)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        side = QVBoxLayout()
        side.addWidget(self.preview)
        side.addWidget(self.message)
        side.addStretch(1)
        top = QHBoxLayout()
        top.addLayout(form, 1)
        top.addLayout(side)
        outer = QVBoxLayout(self)
        outer.addLayout(top)
        outer.addWidget(self.buttons)

        self.path.textChanged.connect(self._path_changed)
        self.format.currentTextChanged.connect(self._format_changed)
        self.unit.currentTextChanged.connect(self._set_unit)
        self.style.currentTextChanged.connect(lambda _t: self._timer.start())
        for box in (self.width_box, self.height_box, self.dpi):
            box.valueChanged.connect(lambda _v: self._timer.start())
        self._enable_size(fmt != "csv")
        self._timer.start()

    # -- size -------------------------------------------------------------------------

    def _set_unit(self, unit: str) -> None:
        """Switch the size boxes between mm and px, keeping the physical size."""
        if unit == self._unit:
            return
        dpi = self.dpi.value() or 150.0
        w, h = self.width_box.value(), self.height_box.value()
        if unit == "px":
            factor = dpi / MM if self._unit == "mm" else 1.0
            ranges, decimals = (16, 20000), 0
        else:
            factor = MM / dpi if self._unit == "px" else 1.0
            ranges, decimals = (5, 2000), 1
        for box, value in ((self.width_box, w), (self.height_box, h)):
            box.blockSignals(True)
            box.setDecimals(decimals)
            box.setRange(*ranges)
            box.setSuffix(f" {unit}")
            if self._unit:
                box.setValue(value * factor)
            box.blockSignals(False)
        self._unit = unit
        self._timer.start()

    def _preset(self, width_inches: float) -> None:
        aspect = self.height_box.value() / max(self.width_box.value(), 1e-9)
        self.unit.setCurrentText("mm")
        self.width_box.setValue(width_inches * MM)
        self.height_box.setValue(width_inches * MM * aspect)

    def size(self) -> Size:  # noqa: A003 - the figure's size, not the widget's
        """The chosen size; ValueError when it cannot be drawn."""
        dpi = self.dpi.value()
        w, h = self.width_box.value(), self.height_box.value()
        if self._unit == "px":
            return checked(w / dpi, h / dpi, dpi)
        return checked(w / MM, h / MM, dpi)

    def chosen_style(self):
        return STYLES[self.style.currentText()]

    # -- preview and clipboard ----------------------------------------------------------

    def update_preview(self) -> None:
        """Draw the figure at the chosen physical size, scaled to fit the preview."""
        try:
            size = self.size()
            fit = min(PREVIEW[0] / size.width, PREVIEW[1] / size.height)
            png = figure_png(self.plot, self.chosen_style(), Size(size.width, size.height, fit))
        except (ValueError, ExportError) as exc:
            self.preview.setText(str(exc))
            self.message.setText(str(exc))
            return
        image = QImage.fromData(png, "PNG")
        self.preview.setPixmap(QPixmap.fromImage(image))
        w, h = size.pixels
        self.message.setText(
            f"{size.width * MM:.0f} x {size.height * MM:.0f} mm, {w} x {h} px at {size.dpi:g} DPI"
        )

    def copy_to_clipboard(self) -> bool:
        """Put the figure, as a PNG at the chosen size, on the clipboard."""
        try:
            png = figure_png(self.plot, self.chosen_style(), self.size())
        except (ValueError, ExportError) as exc:
            self.message.setText(str(exc))
            return False
        QApplication.clipboard().setImage(QImage.fromData(png, "PNG"))
        self.message.setText("figure copied to the clipboard")
        return True

    # -- file and format ----------------------------------------------------------------

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text(), FILTERS)
        if path:
            self.path.setText(path)

    def _path_changed(self, text: str) -> None:
        suffix = Path(text).suffix.lower().lstrip(".")
        if suffix in FORMATS and suffix != self.format.currentText():
            self.format.blockSignals(True)
            self.format.setCurrentText(suffix)
            self.format.blockSignals(False)
        self._enable_size(self.format.currentText() != "csv")

    def _format_changed(self, fmt: str) -> None:
        path = Path(self.path.text())
        self.path.setText(str(path.with_suffix(f".{fmt}")))
        self._enable_size(fmt != "csv")

    def _enable_size(self, on: bool) -> None:
        for w in (self.width_box, self.height_box, self.dpi, self.style, self.unit):
            w.setEnabled(on)

    def remember(self) -> None:
        """Store the choices for the next export."""
        if self.settings is None:
            return
        write_json(
            self.settings,
            SETTINGS_KEY,
            {
                "format": self.format.currentText(),
                "style": self.style.currentText(),
                "unit": self._unit,
                "width": self.width_box.value(),
                "height": self.height_box.value(),
                "dpi": self.dpi.value(),
            },
        )

    def run_export(self, background: str | None = None) -> Path:
        """Write the file as chosen (``background`` is unused: the style decides)."""
        try:
            size = self.size()
        except ValueError as exc:
            raise ExportError(str(exc)) from exc
        path = export_plot(self.plot, self.path.text(), style=self.chosen_style(), size=size)
        self.remember()
        return path


def _number(value: object, default: float) -> float:
    return float(value) if isinstance(value, (int, float)) and value == value else default
