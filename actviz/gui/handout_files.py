"""File > Save/Open handout file: a teacher saves the Playground's setup with a title,
notes and locked controls; opening it restores the setup for the class.

A file that cannot be read changes nothing and says why; a file with some bad values
opens with the rest restored and a message naming each value left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog

from ..handouts.handout import (
    OLD_SUFFIX,
    SUFFIX,
    Handout,
    HandoutFileError,
    OpenedHandout,
    read_handout,
    summary,
    write_handout,
)
from .handout_dialog import HandoutNote, SaveHandoutDialog
from .handout_setup import apply_setup, apply_view, form_setup, lockable, view_state
from .panels.playground import PlaygroundPanel
from .settings import read_json, write_json

FILTER = f"actviz handout (*{SUFFIX} *{OLD_SUFFIX});;All files (*)"
FOLDER_KEY = "lesson/folder"  # the key of earlier versions: the folder stays remembered
#: The open handout's file and locks, kept so that restarting the app does not unlock it.
OPEN_KEY = "lesson/open"  # the key of earlier versions: a locked file stays locked


def lock_tip(file_name: str) -> str:
    return f"locked by the handout file {file_name}"


class HandoutFiles(QObject):
    """Owns the handout menu items, the Handout dock and the locks of the open handout."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.handout: Handout | None = None
        self.path: Path | None = None
        self.locked: list[str] = []
        self._list_tip = window.activation_list.toolTip()
        self.note = HandoutNote()
        self.dock = QDockWidget("Handout", window)
        self.dock.setObjectName("dock-handout")
        self.dock.setWidget(self.note)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()

    def install(self, file_menu: Any, view_menu: Any) -> None:
        """Add the menu items (File: save, open; View: unlock)."""
        action = self.window._action
        first = file_menu.actions()[0] if file_menu.actions() else None
        self.open_action = action(
            file_menu,
            "&Open handout file…",
            self.open_dialog,
            QKeySequence("Ctrl+O"),
            tip="open a handout: the Playground's setup, views and locked controls",
        )
        self.save_action = action(
            file_menu,
            "&Save handout file…",
            self.save_dialog,
            QKeySequence("Ctrl+S"),
            tip="save the Playground's setup and views as a handout, with controls to lock",
        )
        if first is not None:  # handout files first in the menu, then export
            for a in (self.open_action, self.save_action):
                file_menu.removeAction(a)
                file_menu.insertAction(first, a)
            file_menu.insertSeparator(first)
        self.unlock_action = action(
            view_menu,
            "&Unlock handout controls",
            self.unlock,
            tip="lift the locks of the open handout file",
        )
        self.unlock_action.setEnabled(False)
        for a in (self.open_action, self.save_action, self.unlock_action):
            a.setToolTip(a.statusTip())

    # -- helpers ----------------------------------------------------------------------

    def playground(self) -> PlaygroundPanel | None:
        panel = self.window.panel("playground")
        return panel if isinstance(panel, PlaygroundPanel) else None

    def folder(self) -> Path:
        saved = read_json(self.window.settings, FOLDER_KEY, None)
        path = Path(saved) if isinstance(saved, str) else Path.home()
        return path if path.is_dir() else Path.home()

    def _remember_folder(self, path: Path) -> None:
        write_json(self.window.settings, FOLDER_KEY, str(path.parent))

    # -- saving -----------------------------------------------------------------------

    def save_dialog(self) -> None:
        panel = self.playground()
        if panel is None or not self._can_save(panel):
            return
        dialog = SaveHandoutDialog(lockable(panel.form), self.handout, self.window)
        if dialog.exec() != SaveHandoutDialog.DialogCode.Accepted:
            return
        start = self.path or self.folder() / f"{_stem(dialog.title.text()) or 'handout'}{SUFFIX}"
        path, _ = QFileDialog.getSaveFileName(self.window, "Save handout file", str(start), FILTER)
        if path:
            self.save_to(path, dialog.title.text(), dialog.notes.toPlainText(), dialog.locked())

    def _can_save(self, panel: PlaygroundPanel) -> bool:
        if form_setup(panel.form) is None:
            self.window.show_error(
                "Cannot save the handout",
                "The Playground's form has problems; fix them first:\n"
                + summary(panel.form.problems),
            )
            return False
        return True

    def save_to(self, path: str | Path, title: str, notes: str, locked: list[str]) -> Path | None:
        """Write the Playground's setup and views as a handout; ``None`` (and a message)
        when it cannot be written."""
        panel = self.playground()
        if panel is None or not self._can_save(panel):
            return None
        known = lockable(panel.form)
        handout = Handout(
            title=title.strip(),
            notes=notes.strip(),
            setup=form_setup(panel.form) or {},
            view=view_state(self.window, panel),
            locked=[n for n in locked if n in known],
        )
        try:
            out = write_handout(path, handout)
        except OSError as exc:
            self.window.show_error("Cannot save the handout", f"{path}: {exc.strerror or exc}")
            return None
        self._remember_folder(out)
        self.window.show_message(f"handout saved to {out}")
        return out

    # -- opening ----------------------------------------------------------------------

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open handout file", str(self.folder()), FILTER
        )
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> bool:
        """Open a handout: restore what can be restored, lock its controls, show its title
        and notes. ``False`` (nothing changed, the reason shown) when it cannot be used."""
        path = Path(path)
        panel = self.playground()
        if panel is None:
            self.window.show_error("Cannot open the handout", "this window has no Playground")
            return False
        if panel.running:
            self.window.show_error(
                "Cannot open the handout", "a race is running; stop it first (Ctrl+.)"
            )
            return False
        state = self.window.state
        try:
            opened = read_handout(path, state.usable(), state.catalogue.tasks, lockable(panel.form))
        except HandoutFileError as exc:
            self.window.show_error("Cannot open the handout", str(exc))
            return False
        self._remember_folder(path)
        self.unlock(announce=False)
        problems = self._restore(panel, opened)
        self.handout, self.path = opened.handout, path
        self.lock(opened.handout.locked)
        labels = lockable(panel.form)
        self.note.show_handout(opened.handout, path.name, [labels[n] for n in self.locked])
        self.dock.show()
        self.dock.raise_()
        if problems:
            self.window.show_error(
                "Handout opened with problems",
                f"{path.name} was opened, but not all of it could be restored:\n"
                + summary(problems),
            )
        self.window.show_message(f"opened the handout “{opened.handout.title or path.name}”")
        return True

    def _restore(self, panel: PlaygroundPanel, opened: OpenedHandout) -> list[str]:
        problems = list(opened.problems)
        problems += apply_setup(panel, opened.handout.setup)
        problems += apply_view(self.window, panel, opened.handout.view)
        return problems

    # -- between launches -------------------------------------------------------------

    def save_state(self, settings: Any) -> None:
        """Keep the open handout's locks for the next launch (restarting must not be a
        way around them; View > Unlock handout controls is)."""
        if self.path is not None and self.locked:
            write_json(settings, OPEN_KEY, {"path": str(self.path), "locked": self.locked})
        else:
            settings.remove(OPEN_KEY)

    def restore_state(self, settings: Any) -> None:
        """Lock again what the handout open at the last exit locked, and show its note.
        The form's values came back with the rest of the settings."""
        saved = read_json(settings, OPEN_KEY, None)
        panel = self.playground()
        if not isinstance(saved, dict) or panel is None:
            return
        path = Path(str(saved.get("path", "")))
        known = lockable(panel.form)
        locked = [n for n in saved.get("locked") or [] if isinstance(n, str) and n in known]
        if not locked:
            return
        try:
            handout = read_handout(path).handout
        except HandoutFileError:
            handout = Handout(title=path.name)  # moved or deleted: the locks stay all the same
        self.handout, self.path = handout, path
        self.lock(locked)
        self.note.show_handout(handout, path.name, [known[n] for n in self.locked])
        self.dock.show()

    # -- locks ------------------------------------------------------------------------

    def lock(self, names: list[str]) -> None:
        """Disable the form controls ``names`` with a tooltip naming the handout file."""
        panel = self.playground()
        if panel is None or self.path is None:
            return
        tip = lock_tip(self.path.name)
        for name in names:
            panel.form.set_locked(name, tip)
            if name == "activations":  # chosen in the list, the Inspector and Edit menu
                self._lock_selection(tip)
        self.locked = list(names)
        self.unlock_action.setEnabled(bool(names))

    def _lock_selection(self, tip: str | None) -> None:
        """Lock (or with ``None`` unlock) every way to change the checked activations
        and their parameters."""
        w = self.window
        w.activation_list.setEnabled(not tip)
        w.activation_list.setToolTip(tip or self._list_tip)
        w.inspector.params_box.setEnabled(not tip)
        w.inspector.params_box.setToolTip(tip or "")
        for action in getattr(w, "selection_actions", []):
            action.setEnabled(not tip)

    def unlock(self, announce: bool = True) -> None:
        """Lift every lock of the open handout (the teacher's way out)."""
        panel = self.playground()
        if panel is not None:
            for name in self.locked:
                panel.form.set_locked(name, None)
        self._lock_selection(None)
        had = bool(self.locked)
        self.locked = []
        self.unlock_action.setEnabled(False)
        self.note.set_locks([])
        if announce and had:
            self.window.show_message("handout controls unlocked")


def _stem(title: str) -> str:
    keep = "".join(c if c.isalnum() or c in " -_" else " " for c in title)
    return "-".join(keep.lower().split())[:60]
