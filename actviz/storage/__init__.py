"""Stored races: an SQLite file in the user's data folder, written while training runs."""

from .recorder import RaceRecorder, run_versions, store_race
from .store import RunStore, default_path

__all__ = ["RaceRecorder", "RunStore", "default_path", "run_versions", "store_race"]
