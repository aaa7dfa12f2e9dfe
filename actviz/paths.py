"""Where actviz keeps the user's files. Environment variables override the defaults."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "actviz"
#: Added to every "unknown activation" message: the usual cause is a plugin not loaded.
PLUGIN_HINT = (
    "an activation of your own? load its plugin with --plugins DIR (plugins=[DIR] in "
    "Python) or add the folder to ACTVIZ_PLUGIN_PATH"
)


def user_data_dir() -> Path:
    """The folder for the run database and other data (``ACTVIZ_DATA_DIR`` overrides)."""
    override = os.environ.get("ACTVIZ_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))


def user_cache_dir() -> Path:
    """The folder for caches that can be deleted at any time (``ACTVIZ_CACHE_DIR`` overrides)."""
    override = os.environ.get("ACTVIZ_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME))


def user_plugin_dir() -> Path:
    """The user's own plugin folder (``ACTVIZ_USER_PLUGIN_DIR`` overrides)."""
    override = os.environ.get("ACTVIZ_USER_PLUGIN_DIR")
    return Path(override) if override else user_data_dir() / "plugins"


def env_plugin_dirs() -> list[Path]:
    """Folders named by ``ACTVIZ_PLUGIN_PATH`` (``os.pathsep``-separated)."""
    raw = os.environ.get("ACTVIZ_PLUGIN_PATH", "")
    return [Path(part) for part in raw.split(os.pathsep) if part.strip()]
