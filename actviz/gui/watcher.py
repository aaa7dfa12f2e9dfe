"""Reload plugins when a plugin folder changes: a file added, removed or saved.

Qt reports changes per folder and per file; editors often save by replacing the file,
which drops it from the watch list, so the list is rebuilt after every reload. A change
is acted on only when the plugin files' names, sizes or times really differ (Python
writing ``__pycache__`` is not a change), and bursts are merged into one reload.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from ..host.sources import plugin_files

Snapshot = dict[str, tuple[int, int]]


def snapshot(folders: list[Path]) -> Snapshot:
    """Name -> (size, mtime in ns) of every plugin file in ``folders``."""
    out: Snapshot = {}
    for folder in folders:
        for path in plugin_files(folder):
            try:
                st = path.stat()
            except OSError:
                continue
            out[str(path)] = (st.st_size, st.st_mtime_ns)
    return out


class PluginWatcher(QObject):
    """Emits ``changed`` (debounced) when plugin files in the watched folders change."""

    changed = Signal()

    def __init__(self, folders: list[Path], delay_ms: int = 400, parent=None) -> None:
        super().__init__(parent)
        self.folders = [Path(f) for f in folders]
        self.watcher = QFileSystemWatcher(self)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(delay_ms)
        self.timer.timeout.connect(self._check)
        self.watcher.directoryChanged.connect(lambda _p: self.timer.start())
        self.watcher.fileChanged.connect(lambda _p: self.timer.start())
        self._seen = snapshot(self.folders)
        self.sync()

    def set_folders(self, folders: list[Path]) -> None:
        self.folders = [Path(f) for f in folders]
        self._seen = snapshot(self.folders)
        self.sync()

    def sync(self) -> None:
        """Watch every existing folder and the plugin files in it (again)."""
        old = self.watcher.directories() + self.watcher.files()
        if old:
            self.watcher.removePaths(old)
        paths = [str(f) for f in self.folders if f.is_dir()]
        for folder in self.folders:
            paths += [str(p) for p in plugin_files(folder)]
        if paths:
            self.watcher.addPaths(paths)

    def watched(self) -> list[str]:
        return self.watcher.directories() + self.watcher.files()

    def _check(self) -> None:
        now = snapshot(self.folders)
        self.sync()
        if now != self._seen:
            self._seen = now
            self.changed.emit()

    def mark_seen(self) -> None:
        """Accept the current files as loaded (after a manual reload)."""
        self._seen = snapshot(self.folders)
        self.sync()
