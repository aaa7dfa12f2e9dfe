"""Where the app's remembered state lives.

``ACTVIZ_SETTINGS_DIR`` points the settings at an INI file in that folder (tests and
portable installs use it); otherwise Qt's native per-user store is used.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

ORGANISATION = "actviz"
APPLICATION = "actviz"


def open_settings() -> QSettings:
    """The settings store for this user (or for ``ACTVIZ_SETTINGS_DIR``)."""
    folder = os.environ.get("ACTVIZ_SETTINGS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return QSettings(str(Path(folder) / "actviz.ini"), QSettings.Format.IniFormat)
    return QSettings(ORGANISATION, APPLICATION)


def read_json(settings: QSettings, key: str, default: Any) -> Any:
    """A JSON value from the store; ``default`` when missing or unreadable (never raises)."""
    raw = settings.value(key)
    if raw is None:
        return default
    try:
        return json.loads(str(raw))
    except (TypeError, ValueError):
        return default


def write_json(settings: QSettings, key: str, value: Any) -> None:
    settings.setValue(key, json.dumps(value))
