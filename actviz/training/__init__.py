"""The race engine: toy tasks, stacked MLPs, batched training of activations x seeds.

Torch only (no Qt), so it runs on a GPU machine as well as behind the desktop app.
"""

from .config import RaceConfig
from .engine import Race, race, run_race
from .events import (
    ActivationFailed,
    Diverged,
    Evaluation,
    Event,
    Finished,
    Held,
    Progress,
    RunInfo,
    Started,
)
from .results import RaceResult, RunRecord
from .task import Task, TaskData

__all__ = [
    "ActivationFailed",
    "Diverged",
    "Evaluation",
    "Event",
    "Finished",
    "Held",
    "Progress",
    "Race",
    "RaceConfig",
    "RaceResult",
    "RunInfo",
    "RunRecord",
    "Started",
    "Task",
    "TaskData",
    "race",
    "run_race",
]
