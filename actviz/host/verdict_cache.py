"""The validation cache: a plugin whose code has not changed is not checked again.

A verdict is stored under a key made of the plugin's fingerprint (its file, or its
distribution's files), the versions of actviz, torch and Python, and a hash of the
code that checks plugins (so a stricter validation re-checks everything). Only
verdicts the check process completed are kept: a timeout or a crash is tried again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import platform
from pathlib import Path

from ..paths import user_cache_dir
from .verdicts import Verdict

#: The modules whose code decides a verdict.
CHECK_CODE = (
    "api.py",
    "deferred_errors.py",
    "host/validation.py",
    "host/check_worker.py",
    "host/guard.py",
    "host/hook_results.py",
)


def cache_folder() -> Path:
    return user_cache_dir() / "plugin-checks"


@functools.lru_cache(maxsize=1)
def environment_key() -> str:
    """Versions of actviz, torch and Python, and the hash of the checking code."""
    import torch

    from .. import __version__

    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(
        f"{__version__}|{torch.__version__}|{platform.python_version()}".encode()
    )
    for name in CHECK_CODE:
        path = root / name
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()


def cache_key(fingerprint: str) -> str:
    return hashlib.sha256(f"{fingerprint}|{environment_key()}".encode()).hexdigest()


def load(key: str) -> Verdict | None:
    """The stored verdict, or ``None`` when there is none or it cannot be read."""
    try:
        data = json.loads((cache_folder() / f"{key}.json").read_text(encoding="utf-8"))
        return Verdict.from_dict(data)
    except (OSError, ValueError, TypeError):
        return None


def store(key: str, verdict: Verdict) -> None:
    """Keep a completed verdict; a cache that cannot be written is simply not used."""
    if not verdict.cacheable or verdict.unchecked is not None:
        return
    from ..figures.files import ExportError, write_bytes

    folder = cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_bytes(folder / f"{key}.json", json.dumps(verdict.to_dict()).encode())
    except (OSError, ExportError):
        pass
