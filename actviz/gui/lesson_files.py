"""File > Save/Open lesson file: a teacher saves the Playground's setup with a title,
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

from ..classroom import (
    SUFFIX,
    Lesson,
    LessonFileError,
    OpenedLesson,
    read_lesson,
    summary,
    write_lesson,
)
from .lesson_dialog import LessonNote, SaveLessonDialog
from .lesson_setup import apply_setup, apply_view, form_setup, lockable, view_state
from .panels.playground import PlaygroundPanel
from .settings import read_json, write_json

FILTER = f"actviz lesson (*{SUFFIX});;All files (*)"
FOLDER_KEY = "lesson/folder"
#: The open lesson's file and locks, kept so that restarting the app does not unlock it.
OPEN_KEY = "lesson/open"


def lock_tip(file_name: str) -> str:
    return f"locked by the lesson file {file_name}"


class LessonFiles(QObject):
    """Owns the lesson menu items, the Lesson dock and the locks of the open lesson."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.lesson: Lesson | None = None
        self.path: Path | None = None
        self.locked: list[str] = []
        self._list_tip = window.activation_list.toolTip()
        self.note = LessonNote()
        self.dock = QDockWidget("Lesson", window)
        self.dock.setObjectName("dock-lesson")
        self.dock.setWidget(self.note)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()

    def install(self, file_menu: Any, view_menu: Any) -> None:
        """Add the menu items (File: save, open; View: unlock)."""
        action = self.window._action
        first = file_menu.actions()[0] if file_menu.actions() else None
        self.open_action = action(
            file_menu,
            "&Open lesson file…",
            self.open_dialog,
            QKeySequence("Ctrl+O"),
            tip="open a lesson: the Playground's setup, views and locked controls",
        )
        self.save_action = action(
            file_menu,
            "&Save lesson file…",
            self.save_dialog,
            QKeySequence("Ctrl+S"),
            tip="save the Playground's setup and views as a lesson, with controls to lock",
        )
        if first is not None:  # lesson files first in the menu, then export
            for a in (self.open_action, self.save_action):
                file_menu.removeAction(a)
                file_menu.insertAction(first, a)
            file_menu.insertSeparator(first)
        self.unlock_action = action(
            view_menu,
            "&Unlock lesson controls",
            self.unlock,
            tip="lift the locks of the open lesson file",
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
        dialog = SaveLessonDialog(lockable(panel.form), self.lesson, self.window)
        if dialog.exec() != SaveLessonDialog.DialogCode.Accepted:
            return
        start = self.path or self.folder() / f"{_stem(dialog.title.text()) or 'lesson'}{SUFFIX}"
        path, _ = QFileDialog.getSaveFileName(self.window, "Save lesson file", str(start), FILTER)
        if path:
            self.save_to(path, dialog.title.text(), dialog.notes.toPlainText(), dialog.locked())

    def _can_save(self, panel: PlaygroundPanel) -> bool:
        if form_setup(panel.form) is None:
            self.window.show_error(
                "Cannot save the lesson",
                "The Playground's form has problems; fix them first:\n"
                + summary(panel.form.problems),
            )
            return False
        return True

    def save_to(self, path: str | Path, title: str, notes: str, locked: list[str]) -> Path | None:
        """Write the Playground's setup and views as a lesson; ``None`` (and a message)
        when it cannot be written."""
        panel = self.playground()
        if panel is None or not self._can_save(panel):
            return None
        known = lockable(panel.form)
        lesson = Lesson(
            title=title.strip(),
            notes=notes.strip(),
            setup=form_setup(panel.form) or {},
            view=view_state(self.window, panel),
            locked=[n for n in locked if n in known],
        )
        try:
            out = write_lesson(path, lesson)
        except OSError as exc:
            self.window.show_error("Cannot save the lesson", f"{path}: {exc.strerror or exc}")
            return None
        self._remember_folder(out)
        self.window.show_message(f"lesson saved to {out}")
        return out

    # -- opening ----------------------------------------------------------------------

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open lesson file", str(self.folder()), FILTER
        )
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> bool:
        """Open a lesson: restore what can be restored, lock its controls, show its title
        and notes. ``False`` (nothing changed, the reason shown) when it cannot be used."""
        path = Path(path)
        panel = self.playground()
        if panel is None:
            self.window.show_error("Cannot open the lesson", "this window has no Playground")
            return False
        if panel.running:
            self.window.show_error(
                "Cannot open the lesson", "a race is running; stop it first (Ctrl+.)"
            )
            return False
        state = self.window.state
        try:
            opened = read_lesson(path, state.usable(), state.catalogue.tasks, lockable(panel.form))
        except LessonFileError as exc:
            self.window.show_error("Cannot open the lesson", str(exc))
            return False
        self._remember_folder(path)
        self.unlock(announce=False)
        problems = self._restore(panel, opened)
        self.lesson, self.path = opened.lesson, path
        self.lock(opened.lesson.locked)
        labels = lockable(panel.form)
        self.note.show_lesson(opened.lesson, path.name, [labels[n] for n in self.locked])
        self.dock.show()
        self.dock.raise_()
        if problems:
            self.window.show_error(
                "Lesson opened with problems",
                f"{path.name} was opened, but not all of it could be restored:\n"
                + summary(problems),
            )
        self.window.show_message(f"opened the lesson “{opened.lesson.title or path.name}”")
        return True

    def _restore(self, panel: PlaygroundPanel, opened: OpenedLesson) -> list[str]:
        problems = list(opened.problems)
        problems += apply_setup(panel, opened.lesson.setup)
        problems += apply_view(self.window, panel, opened.lesson.view)
        return problems

    # -- between launches -------------------------------------------------------------

    def save_state(self, settings: Any) -> None:
        """Keep the open lesson's locks for the next launch (restarting must not be a
        way around them; View > Unlock lesson controls is)."""
        if self.path is not None and self.locked:
            write_json(settings, OPEN_KEY, {"path": str(self.path), "locked": self.locked})
        else:
            settings.remove(OPEN_KEY)

    def restore_state(self, settings: Any) -> None:
        """Lock again what the lesson open at the last exit locked, and show its note.
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
            lesson = read_lesson(path).lesson
        except LessonFileError:
            lesson = Lesson(title=path.name)  # moved or deleted: the locks stay all the same
        self.lesson, self.path = lesson, path
        self.lock(locked)
        self.note.show_lesson(lesson, path.name, [known[n] for n in self.locked])
        self.dock.show()

    # -- locks ------------------------------------------------------------------------

    def lock(self, names: list[str]) -> None:
        """Disable the form controls ``names`` with a tooltip naming the lesson file."""
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
        """Lift every lock of the open lesson (the teacher's way out)."""
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
            self.window.show_message("lesson controls unlocked")


def _stem(title: str) -> str:
    keep = "".join(c if c.isalnum() or c in " -_" else " " for c in title)
    return "-".join(keep.lower().split())[:60]
