"""The main window: activation list (left), panels as tabs (centre), inspector (right).

It owns the shared state, the measurement worker and the plugin-folder watcher, wires
menus and shortcuts, and remembers what the user did between launches.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer, qVersion
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QTabWidget,
    QWidget,
)

from .. import __version__
from ..figures.files import ExportError
from ..host import PluginHost
from . import formula_action
from . import theme as themes
from .activation_list import ActivationList
from .dock_fit import LEFT_WIDTH, RIGHT_WIDTH, DockFitter
from .export_dialog import ExportDialog
from .export_plots import export_all, export_plot, write_table
from .handout_files import HandoutFiles
from .inspector import Inspector
from .layout_memory import RestoreOnFirstShow, save_splitters
from .measurements import Measurements
from .panels import PANELS, Panel
from .panels.curves import CurvesPanel
from .plots import PlotExport
from .plugin_loader import PluginLoader
from .presentation import Presentation
from .settings import open_settings, read_json, write_json
from .shortcuts_dialog import show_shortcuts
from .state import DEFAULT_SELECTION, AppState
from .watcher import PluginWatcher

MESSAGE_MS = 8000


def compute_device() -> str:
    """Where torch computes: the CUDA device name, or CPU."""
    try:
        import torch

        if torch.cuda.is_available():
            return f"CUDA: {torch.cuda.get_device_name(0)}"
    except Exception:  # noqa: BLE001 - a broken CUDA setup must not stop the app
        pass
    return "CPU"


class MainWindow(QMainWindow):
    """See the module docstring. ``panels`` defaults to :data:`actviz.gui.panels.PANELS`."""

    def __init__(
        self,
        host: PluginHost,
        *,
        panels: list[type[Panel]] | None = None,
        watch: bool = True,
        background: bool = False,
    ) -> None:
        super().__init__()
        self.setWindowTitle(f"actviz {__version__} — activation function workbench")
        self.settings = open_settings()
        self.state = AppState(host, self)
        self.measurements = Measurements(self.state, self)
        self._painted = False
        # Should no paint ever arrive (a hidden window), start measuring anyway.
        self._release_timer = QTimer(self)
        self._release_timer.setSingleShot(True)
        self._release_timer.timeout.connect(self.measurements.release)
        self._release_timer.start(3000)
        self.state.message.connect(self.show_message)
        self._set_theme(self._initial_theme_choice(), announce=False)
        started = time.perf_counter()
        # background: the window opens at once and activations arrive as they are checked
        self.loader = PluginLoader(self.state, self)
        self._restoring = background  # saved selection applied as its activations arrive
        self.loader.progressed.connect(self._restore_while_loading)
        self.loader.loaded.connect(self._background_loaded)
        if not background:
            self.state.reload()
        self._restore_values()

        self.activation_list = ActivationList(self.state)
        self.inspector = Inspector(self.state, self.measurements)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.panels: list[Panel] = []
        for panel_class in panels if panels is not None else PANELS:
            self.add_panel(panel_class(self.state, self.measurements))
        self.setCentralWidget(self.tabs)
        self.list_dock = self._dock(
            "Activations", self.activation_list, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.inspector_dock = self._dock(
            "Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.resizeDocks(
            [self.list_dock, self.inspector_dock],
            [LEFT_WIDTH, RIGHT_WIDTH],
            Qt.Orientation.Horizontal,
        )
        self.dock_fitter = DockFitter(
            self, self.list_dock, self.inspector_dock, self._panel_width_needed
        )

        self.device_label = QLabel(compute_device())
        self.device_label.setToolTip("where torch computes")
        self.counts_label = QLabel()
        self.counts_label.setTextFormat(Qt.TextFormat.RichText)
        self.counts_label.linkActivated.connect(lambda _l: self.show_panel("plugins"))
        self.statusBar().addPermanentWidget(self.loader.bar)
        self.statusBar().addPermanentWidget(self.counts_label)
        self.statusBar().addPermanentWidget(self.device_label)
        self.state.catalogueChanged.connect(self._update_counts)
        self._update_counts()

        self.watcher = PluginWatcher(host.folders(), parent=self)
        self.watcher.changed.connect(self._folder_changed)
        if not watch:
            self.watcher.watcher.removePaths(self.watcher.watched())
        self.handouts = HandoutFiles(self)
        self.presentation = Presentation(self)
        self._build_menus()
        self._restore_window()
        self.handouts.dock.hide()  # until a handout is opened, whatever the saved layout says
        self.handouts.restore_state(self.settings)  # a handout locked at the last exit
        self._connect_system_theme()
        if background:
            self.loader.start()
            return
        took = time.perf_counter() - started
        self.show_message(f"{len(self.state.usable())} activations loaded in {took:.2f} s")

    # -- construction -----------------------------------------------------------------

    def add_panel(self, panel: Panel) -> None:
        """Add a tab; a panel asking for reloads or exports is wired here."""
        self.panels.append(panel)
        # A panel wider than the screen scrolls instead of forcing the window wider.
        holder = QScrollArea()
        holder.setWidget(panel)
        holder.setWidgetResizable(True)
        holder.setFrameShape(QFrame.Shape.NoFrame)
        self.tabs.addTab(holder, panel.title)
        panel.exportRequested.connect(self.export_plot_dialog)
        panel.tableExportRequested.connect(lambda key, p=panel: self.export_table_dialog(p, key))
        same_start = getattr(panel, "sameStartRequested", None)
        if same_start is not None:
            same_start.connect(self.same_start_in_playground)
        reload_signal = getattr(panel, "reloadRequested", None)
        if reload_signal is not None:
            reload_signal.connect(self.reload_plugins)

    def same_start_in_playground(self, run_id: int) -> None:
        """'Same start again…' for a stored run chosen elsewhere (Compare's run list)."""
        playground = self.panel("playground")
        if playground is not None:
            self.set_current_panel(playground)
            playground.ask_same_start(int(run_id))

    def _panel_width_needed(self) -> int:
        """The width the widest panel needs, so switching tabs never squeezes one."""
        return max((p.minimumSizeHint().width() for p in self.panels), default=0)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower()}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def panel(self, key: str) -> Panel | None:
        for p in self.panels:
            if p.key == key:
                return p
        return None

    @property
    def curves(self) -> CurvesPanel | None:
        p = self.panel("curves")
        return p if isinstance(p, CurvesPanel) else None

    def show_panel(self, key: str) -> None:
        p = self.panel(key)
        if p is not None:
            self.set_current_panel(p)

    def current_panel(self) -> Panel | None:
        """The panel of the tab on show."""
        index = self.tabs.currentIndex()
        return self.panels[index] if 0 <= index < len(self.panels) else None

    def _on_current_panel(self, method: str) -> None:
        """Route a Race menu action to the panel on show (a no-op where it has none)."""
        panel = self.current_panel()
        if panel is not None:
            getattr(panel, method)()

    def set_current_panel(self, panel: Panel) -> None:
        self.tabs.setCurrentIndex(self.panels.index(panel))

    def _action(self, menu, text: str, slot, shortcut=None, checkable=False, tip=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.setCheckable(checkable)
        if tip:
            action.setStatusTip(tip)
        if checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self.export_action = self._action(
            file,
            "&Export plot…",
            self.export_current,
            QKeySequence("Ctrl+E"),
            tip="export the plot under the mouse (or the first one) as PNG, SVG or CSV",
        )
        self._action(
            file, "Export &all panels…", self.export_all_dialog, QKeySequence("Ctrl+Shift+E")
        )
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence("Ctrl+Q"))

        edit = bar.addMenu("&Edit")
        self._action(
            edit, "&Find activation", self.activation_list.focus_search, QKeySequence("Ctrl+F")
        )
        #: the actions that change the checked activations or their parameters
        self.selection_actions = [
            self._action(edit, "&Clear selection", lambda: self.state.set_selected([])),
            self._action(
                edit, "Select &defaults", lambda: self.state.set_selected(list(DEFAULT_SELECTION))
            ),
            self._action(
                edit,
                "&Reset parameters",
                lambda: self.state.reset_params(self.state.current or ""),
                QKeySequence("Ctrl+R"),
            ),
        ]

        view = bar.addMenu("&View")
        curves = self.curves
        if curves is not None:
            for text, box, key in (
                ("Show f′", curves.show_d1, "Ctrl+D"),
                ("Show f″", curves.show_d2, "Ctrl+Shift+D"),
                ("Crosshair", curves.crosshair, "Ctrl+H"),
                ("Shade saturation", curves.saturation, None),
                ("Shade dead zones", curves.dead, None),
                ("Notable points", curves.marks, None),
            ):
                action = self._action(view, text, box.setChecked, key, checkable=True)
                action.setChecked(box.isChecked())
                box.toggled.connect(action.setChecked)
            self.thick_action = self._action(
                view,
                "Thick lines (for projectors)",
                lambda on: curves.set_line_width(2.5 if on else 1.0, on),
                checkable=True,
            )
            view.addSeparator()
        for i, p in enumerate(self.panels):
            shortcut = QKeySequence(f"Ctrl+{i + 1}") if i < 9 else None
            self._action(view, f"Go to {p.title}", lambda p=p: self.set_current_panel(p), shortcut)
        view.addSeparator()
        theme_menu = view.addMenu("&Theme")
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for choice in themes.CHOICES:
            action = QAction(choice.capitalize(), self, checkable=True)
            action.setChecked(choice == self.state.theme_choice)
            action.triggered.connect(lambda _c=False, c=choice: self._set_theme(c))
            group.addAction(action)
            theme_menu.addAction(action)
            self.theme_actions[choice] = action
        self._action(
            theme_menu, "Toggle light/dark", self.toggle_theme, QKeySequence("Ctrl+Shift+T")
        )
        view.addSeparator()
        view.addAction(self.list_dock.toggleViewAction())
        view.addAction(self.inspector_dock.toggleViewAction())
        view.addAction(self.handouts.dock.toggleViewAction())
        view.addSeparator()
        self.presentation_action = self._action(
            view,
            "&Presentation mode",
            self.presentation.set_active,
            QKeySequence("F5"),
            checkable=True,
            tip="full screen, views only, large fonts and thick lines (F5 or Esc leaves)",
        )
        self.presentation.toggled.connect(self.presentation_action.setChecked)
        self.leave_presentation_action = self._action(
            view, "Leave presentation mode", self.presentation.leave, QKeySequence("Esc")
        )
        # Esc belongs to dialogs and pop-ups except while presenting
        self.leave_presentation_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.leave_presentation_action.setEnabled(False)
        self.presentation.toggled.connect(self.leave_presentation_action.setEnabled)
        self.handouts.install(file, view)

        race = bar.addMenu("&Race")
        for text, method, key in (
            ("&Train / Run", "primary_action", "Ctrl+Return"),
            ("&Stop", "stop_action", "Ctrl+."),
            ("&Pause / Resume", "pause_action", "Ctrl+P"),
            ("Step &one", "step_action", "F10"),
            ("Step &N", "step_n_action", "Shift+F10"),
        ):
            self._action(race, text, lambda m=method: self._on_current_panel(m), QKeySequence(key))
        self._action(
            race,
            "Same start a&gain…",
            lambda: self._on_current_panel("same_start_action"),
            QKeySequence("Ctrl+Shift+A"),
            tip="re-run the last (Playground) or selected (Compare) run from its initial weights",
        )

        plugins = bar.addMenu("&Plugins")
        self._action(plugins, "&Reload plugins", self.reload_plugins, QKeySequence("Ctrl+Shift+R"))
        plugin_panel = self.panel("plugins")
        if plugin_panel is not None:
            self._action(plugins, "&Open plugin folder", plugin_panel.open_folder)
            self._action(plugins, "&New plugin from template…", plugin_panel._ask_new_plugin)
        formula_action.install(self, plugins)

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", self._show_shortcuts, QKeySequence("F1"))
        self._action(help_menu, "&About actviz", self._about)

    # -- messages and counts ----------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, MESSAGE_MS)

    def show_error(self, title: str, text: str) -> None:
        """A message box for errors the user must see (export failures)."""
        QMessageBox.warning(self, title, text)

    def _update_counts(self) -> None:
        cat = self.state.catalogue
        ok = sum(1 for e in cat.entries if e.ok)
        errors = len(cat.errors)
        colour = self.state.theme.error
        err = (
            f"<a href='plugins' style='color:{colour}'>{errors} error{'s' * (errors != 1)}</a>"
            if errors
            else "0 errors"
        )
        self.counts_label.setText(f"{ok} activations ok · {err} · {len(cat.plugins)} plugins")

    # -- plugins ----------------------------------------------------------------------

    def reload_plugins(self) -> None:
        """Reload every plugin from disk; selection and parameter values are kept."""
        try:
            cat = self.state.reload()
        except Exception as exc:  # noqa: BLE001 - the host guards plugins; this is a bug
            self.show_message(f"reload failed: {type(exc).__name__}: {exc}")
            return
        self.watcher.set_folders(self.state.host.folders())
        ok = sum(1 for e in cat.entries if e.ok)
        errors = len(cat.errors)
        self.show_message(
            f"plugins reloaded: {ok} activations, {errors} error{'s' * (errors != 1)}"
        )

    def _folder_changed(self) -> None:
        self.show_message("a plugin file changed: reloading")
        self.loader.start()

    def _restore_while_loading(self, *_progress) -> None:
        if self._restoring:
            self._restore_values()

    def _background_loaded(self, cat) -> None:
        self._restore_while_loading()
        self._restoring = False
        self.watcher.set_folders(self.state.host.folders())
        ok = sum(1 for e in cat.entries if e.ok)
        self.show_message(f"plugins loaded: {ok} activations, {len(cat.errors)} errors")

    # -- export -----------------------------------------------------------------------

    def _export_folder(self) -> Path:
        folder = read_json(self.settings, "export/folder", None)
        path = Path(folder) if isinstance(folder, str) else Path.home()
        return path if path.is_dir() else Path.home()

    def export_current(self) -> None:
        panel = self.current_panel()
        plot = panel.current_plot() if panel is not None else None
        if plot is None:
            self.show_message("this panel has no plot to export")
            return
        self.export_plot_dialog(plot)

    def export_plot_dialog(self, plot: PlotExport) -> None:
        dialog = ExportDialog(plot, self._export_folder(), self)
        if dialog.exec() != ExportDialog.DialogCode.Accepted:
            return
        try:
            path = dialog.run_export(background=self.state.theme.background)
        except (ExportError, OSError) as exc:
            self.show_error("Export failed", str(exc))
            return
        write_json(self.settings, "export/folder", str(path.parent))
        self.show_message(f"exported {path}")

    def export_to(self, plot: PlotExport, path: str | Path, **options) -> Path | None:
        """Export without a dialog; failures are shown in a message box, never raised."""
        try:
            out = export_plot(plot, path, background=self.state.theme.background, **options)
        except (ExportError, OSError) as exc:
            self.show_error("Export failed", str(exc))
            return None
        self.show_message(f"exported {out}")
        return out

    def export_table_dialog(self, panel: Panel, key: str) -> None:
        start = str(self._export_folder() / f"{key}.csv")
        kinds = "CSV (*.csv);;LaTeX table (*.tex)"
        path, _ = QFileDialog.getSaveFileName(self, "Export table", start, kinds)
        if path:
            self.export_table_to(panel, key, path)

    def export_table_to(self, panel: Panel, key: str, path: str | Path) -> Path | None:
        try:
            out = write_table(panel.tables()[key](), path)
        except (ExportError, OSError) as exc:
            self.show_error("Export failed", str(exc))
            return None
        self.show_message(f"exported {out}")
        return out

    def export_all_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Export all panels into", str(self._export_folder())
        )
        if folder:
            self.export_all_to(folder)

    def export_all_to(self, folder: str | Path) -> list[Path]:
        """Show each panel (so its plots have their real size), wait for its measurements,
        and write its plots and tables into ``folder``."""
        current = self.current_panel()
        written: list[Path] = []
        try:
            for panel in self.panels:
                self.set_current_panel(panel)
                QApplication.processEvents()
                deadline = time.monotonic() + 120
                while self.measurements.busy() and time.monotonic() < deadline:
                    self.measurements.wait(200)
                    QApplication.processEvents()
                written += export_all([panel], folder, background=self.state.theme.background)
        except (ExportError, OSError) as exc:
            self.show_error("Export failed", str(exc))
        finally:
            if current is not None:
                self.set_current_panel(current)
        if written:
            write_json(self.settings, "export/folder", str(folder))
            self.show_message(f"exported {len(written)} files into {folder}")
        return written

    # -- theme ------------------------------------------------------------------------

    def _initial_theme_choice(self) -> str:
        env = os.environ.get("ACTVIZ_THEME", "").strip().lower()
        if env in themes.CHOICES:
            return env
        saved = read_json(self.settings, "theme", "system")
        return saved if saved in themes.CHOICES else "system"

    def _set_theme(self, choice: str, announce: bool = True) -> None:
        theme = themes.resolve(choice)
        app = QApplication.instance()
        if app is not None:
            themes.apply(app, theme)
        self.state.set_theme(theme, choice)
        actions = getattr(self, "theme_actions", {})
        if choice in actions:
            actions[choice].setChecked(True)
        if announce:
            self._update_counts()
            self.activation_list.rebuild()
            plugins = self.panel("plugins")
            if plugins is not None:
                plugins.rebuild()
            self.inspector.refresh_measured()

    def toggle_theme(self) -> None:
        self._set_theme("light" if self.state.theme.dark else "dark")

    def _connect_system_theme(self) -> None:
        hints = QGuiApplication.styleHints()

        def follow(_scheme) -> None:
            if self.state.theme_choice == "system":
                self._set_theme("system")

        hints.colorSchemeChanged.connect(follow)

    # -- remembered state -------------------------------------------------------------

    def _restore_values(self) -> None:
        s = self.settings
        params = read_json(s, "params", {})
        if isinstance(params, dict):
            for name, values in params.items():
                if isinstance(values, dict):
                    for p, v in values.items():
                        if isinstance(v, (int, float)):
                            self.state.set_param(name, p, float(v))
        x_range = read_json(s, "x_range", None)
        if isinstance(x_range, list) and len(x_range) == 3:
            try:
                self.state.set_x_range(float(x_range[0]), float(x_range[1]), int(x_range[2]))
            except (TypeError, ValueError):
                pass
        env = os.environ.get("ACTVIZ_SELECT")
        selection = env.split(",") if env else read_json(s, "selection", None)
        if not isinstance(selection, list):
            selection = list(DEFAULT_SELECTION)
        self.state.set_selected([str(n).strip() for n in selection])
        current = os.environ.get("ACTVIZ_CURRENT") or read_json(s, "current", None)
        if not isinstance(current, str) or self.state.activation(current) is None:
            current = self.state.selected[0] if self.state.selected else None
        self.state.set_current(current)

    def _restore_window(self) -> None:
        s = self.settings
        geometry = s.value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self._first_launch_geometry()
        layout = s.value("window_state")
        if isinstance(layout, QByteArray) and not layout.isEmpty():
            self.restoreState(layout)
        for panel in self.panels:
            panel.restore_state(s)
            RestoreOnFirstShow(s, panel.key, panel)
        tab = os.environ.get("ACTVIZ_TAB") or read_json(s, "tab", None)
        if isinstance(tab, str):
            self.show_panel(tab.strip().lower())
        thick = read_json(s, "thick_lines", False)
        if thick is True and hasattr(self, "thick_action"):
            self.thick_action.setChecked(True)

    def _first_launch_geometry(self) -> None:
        """Up to 1500 x 920, never more than 92 % of the screen, centred on it."""
        screen = QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else None
        width, height = 1500, 920
        if area is not None and area.width() > 0:
            width = min(width, int(area.width() * 0.92))
            height = min(height, int(area.height() * 0.92))
        self.resize(width, height)
        if area is not None and area.width() > 0:
            self.move(
                area.x() + (area.width() - self.width()) // 2,
                area.y() + (area.height() - self.height()) // 2,
            )

    def save_settings(self) -> None:
        s = self.settings
        write_json(s, "selection", self.state.selected)
        write_json(s, "current", self.state.current)
        write_json(s, "x_range", [*self.state.x_range, self.state.points])
        write_json(s, "params", self.state.params)
        write_json(s, "theme", self.state.theme_choice)
        current = self.current_panel()
        write_json(s, "tab", current.key if current is not None else None)
        if hasattr(self, "thick_action"):
            write_json(s, "thick_lines", self.thick_action.isChecked())
        s.setValue("geometry", self.saveGeometry())
        s.setValue("window_state", self.saveState())
        for panel in self.panels:
            panel.save_state(s)
            save_splitters(s, panel.key, panel)
        self.handouts.save_state(s)
        s.sync()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            QTimer.singleShot(0, self._after_first_paint)
        return super().event(event)

    def _after_first_paint(self) -> None:
        """Work that need not delay the first picture: formulas, background measurements."""
        self.measurements.release()
        self.inspector.enable_math()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.presentation.leave()  # the layout to remember is the one before presenting
        self.save_settings()
        for panel in self.panels:
            panel.shutdown()
        self.measurements.shutdown()
        super().closeEvent(event)

    # -- help -------------------------------------------------------------------------

    def _show_shortcuts(self) -> None:
        show_shortcuts(self)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About actviz",
            f"<b>actviz {__version__}</b><br>A workbench for neural-network activation "
            f"functions: see, measure, race, invent, export.<br><br>Python "
            f"{sys.version.split()[0]} · Qt {qVersion()}"
            f"<br>Compute: {compute_device()}",
        )
