"""Export from the window: PNG at a size, SVG, CSV of plotted data, all panels, bad paths."""

from __future__ import annotations

import csv
import os
import re
import subprocess

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox
from tools import inked, need, pdf_pages_and_text, svg_as_png

from actviz.gui.export_dialog import ExportDialog
from actviz.gui.main_window import MainWindow
from actviz.host import PluginHost


@pytest.fixture
def window(qtbot, monkeypatch):
    for var in ("ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ACTVIZ_SELECT", "relu,sigmoid")
    w = MainWindow(PluginHost([], use_entry_points=False, use_env=False))
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    qtbot.waitExposed(w)
    w.curves.flush()
    return w


@pytest.fixture
def warnings(monkeypatch):
    shown = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda parent, title, text: shown.append(text))
    )
    return shown


def test_plot_exports_png_svg_and_csv(window, tmp_path):
    plot = window.curves.plots()[0]
    assert plot.name == "curves-f"
    png = window.export_to(plot, tmp_path / "f.png", width=900, height=500)
    image = QImage(str(png))
    assert (image.width(), image.height()) == (900, 500)
    svg = window.export_to(plot, tmp_path / "f.svg")
    text = svg.read_text()
    assert inked(svg_as_png(svg)) > 0.01  # librsvg draws it, and draws curves
    # the whole Curves stack (f and f' shown), its labels as text, no crosshair
    assert ">f(x)</text>" in text and ">f′(x)</text>" in text and ">relu</text>" in text
    pdf = window.export_to(plot, tmp_path / "f.pdf")
    pages, words = pdf_pages_and_text(pdf)
    assert pages == 1 and "relu" in words and "sigmoid" in words
    out = window.export_to(plot, tmp_path / "f.csv")
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["x", "relu", "sigmoid"]
    assert len(rows) == 1 + window.state.points
    mid = rows[1 + window.state.points // 2]
    assert float(mid[0]) == pytest.approx(0.0, abs=1e-12)
    assert float(mid[2]) == pytest.approx(0.5)


def test_unwritable_paths_get_a_message_not_a_crash(window, tmp_path, warnings):
    plot = window.curves.plots()[0]
    assert window.export_to(plot, tmp_path / "missing" / "f.png") is None
    assert "does not exist" in warnings[-1]
    assert window.export_to(plot, tmp_path / "f.bmp") is None
    assert ".bmp" in warnings[-1]
    # A folder that cannot be written. A read-only folder refuses everyone but root; a
    # file standing where the folder should be refuses root too, so this part always runs.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file")
    assert window.export_to(plot, blocker / "f.csv") is None
    assert "not-a-folder is a file, not a folder" in warnings[-1]
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        try:
            assert window.export_to(plot, locked / "f.csv") is None
        finally:
            locked.chmod(0o700)
        assert "permission" in warnings[-1]
    assert blocker.read_text() == "a file"


def test_export_all_panels_writes_a_folder_of_files(window, tmp_path, warnings):
    written = window.export_all_to(tmp_path / "bundle")
    names = {p.name for p in written}
    for stem in ("curves-f", "curves-d1", "curves-d2", "deep-signal-act-var"):
        assert {f"{stem}.png", f"{stem}.svg", f"{stem}.pdf", f"{stem}.csv"} <= names, stem
    assert {"properties-table.csv", "properties-table.tex"} <= names
    tex = (tmp_path / "bundle" / "properties-table.tex").read_text()
    assert tex.startswith("\\begin{tabular}") and "\\bottomrule" in tex
    assert "relu" in tex and tex.count("\\\\") == len(
        (tmp_path / "bundle" / "properties-table.csv").read_text().splitlines()
    )  # a LaTeX row per CSV row (header included)
    assert not warnings
    table = list(csv.DictReader((tmp_path / "bundle" / "properties-table.csv").open()))
    relu = next(r for r in table if r["name"] == "relu")
    assert float(relu["P(f'(z)=0)"]) == pytest.approx(0.5, abs=1e-3)
    assert float(relu["cost_vs_relu"]) > 0
    assert window.current_panel() is window.curves
    for path in written:
        assert path.stat().st_size > 0


def test_every_plot_offers_export_in_its_context_menu(window, monkeypatch):
    opened = []

    def fake_exec(dialog):  # the dialog is modal; record it instead of waiting for a user
        opened.append(dialog.plot)
        return ExportDialog.DialogCode.Rejected

    monkeypatch.setattr(ExportDialog, "exec", fake_exec)
    plot = window.curves.plots()[1]
    actions = plot.widget.scene().contextMenu
    assert [a.text() for a in actions] == ["Export plot… (Ctrl+E)"]
    actions[0].trigger()
    assert opened == [plot]


def test_export_dialog_previews_remembers_and_copies(window, tmp_path, qtbot):
    plot = window.curves.plots()[0]
    dialog = ExportDialog(plot, tmp_path, window)
    qtbot.addWidget(dialog)
    dialog.update_preview()
    preview = dialog.preview.pixmap()
    assert not preview.isNull() and preview.width() > 100
    dialog.format.setCurrentText("pdf")
    dialog.style.setCurrentText("paper")
    dialog.unit.setCurrentText("mm")
    dialog.width_box.setValue(85)
    dialog.height_box.setValue(60)
    out = dialog.run_export()
    assert out.suffix == ".pdf"
    need("pdfinfo")
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    w_pt, h_pt = (float(v) for v in re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert w_pt == pytest.approx(85 / 25.4 * 72, abs=0.5)
    assert h_pt == pytest.approx(60 / 25.4 * 72, abs=0.5)
    # the next dialog starts from these choices
    again = ExportDialog(plot, tmp_path, window)
    qtbot.addWidget(again)
    assert again.format.currentText() == "pdf" and again.style.currentText() == "paper"
    assert again.width_box.value() == pytest.approx(85)
    # switching to pixels keeps the physical size
    again.dpi.setValue(300)
    again.unit.setCurrentText("px")
    assert again.width_box.value() == pytest.approx(85 / 25.4 * 300, abs=1)
    assert again.copy_to_clipboard()
    image = QApplication.clipboard().image()
    assert (image.width(), image.height()) == again.size().pixels


def test_deep_signal_exports_its_curves(window, tmp_path, qtbot):
    window.show_panel("properties")
    props = window.panel("properties")
    plot = next(p for p in props.plots() if p.name == "deep-signal-act-var")
    qtbot.waitUntil(lambda: len(plot.columns()) == 3, timeout=60000)
    out = window.export_to(plot, tmp_path / "deep.svg")
    text = out.read_text()
    for name in ("relu", "sigmoid"):
        assert f">{name}</text>" in text
    png = svg_as_png(out)
    assert QImage.fromData(png).width() > 100 and inked(png) > 0.01
