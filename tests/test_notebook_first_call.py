"""The notebook's first call: it says it is importing torch, and an interrupt during
that import leaves the kernel able to run the next call.

Each test runs a fresh interpreter (a fresh kernel has no torch). The interrupt is a
real SIGINT sent to the process at a fixed point of torch's import (when ``torch.nn``
starts importing), so it lands mid-import every time, whatever the machine's speed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from conftest import REPO

from actviz.jupyter.torch_import import HALF_IMPORTED, MESSAGE

INTERRUPT_AT = textwrap.dedent(
    """
    import os, signal, sys

    class InterruptOnce:
        # sends SIGINT to this process when torch.nn starts importing: mid torch import
        def find_spec(self, name, path=None, target=None):
            if name == "torch.nn":
                sys.meta_path.remove(self)
                os.kill(os.getpid(), signal.SIGINT)
            return None

    sys.meta_path.insert(0, InterruptOnce())
    """
)
RACE = "actviz.race(activations=['relu'], seeds=1, steps=2)"


def _python(code: str, tmp_path) -> subprocess.CompletedProcess:
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


def test_import_actviz_is_silent_and_the_first_race_says_it_imports_torch(tmp_path):
    code = textwrap.dedent(
        f"""
        import sys
        import actviz
        assert "torch" not in sys.modules
        print("imported", flush=True)
        print("first", {RACE}.summary[0]["activation"], flush=True)
        print("second", {RACE}.summary[0]["activation"], flush=True)
        """
    )
    done = _python(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["imported", "first relu", "second relu"]
    assert done.stderr.count(MESSAGE) == 1, done.stderr


def test_an_interrupt_during_the_torch_import_leaves_the_next_call_working(tmp_path):
    code = INTERRUPT_AT + textwrap.dedent(
        f"""
        import actviz
        try:
            {RACE}
        except KeyboardInterrupt as exc:
            print("interrupted:", exc, flush=True)
        import torch
        print("torch", float(torch.ones(3).sum()), flush=True)
        print("retry", {RACE}.summary[0]["activation"], flush=True)
        """
    )
    done = _python(code, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("interrupted: interrupted while torch was importing"), lines
    assert lines[1:] == ["torch 3.0", "retry relu"]


def test_a_torch_import_interrupted_outside_actviz_gets_one_clear_message(tmp_path):
    code = INTERRUPT_AT + textwrap.dedent(
        f"""
        try:
            import torch
        except KeyboardInterrupt:
            print("user's import interrupted", flush=True)
        import actviz
        try:
            {RACE}
        except RuntimeError as exc:
            print("error:", exc, flush=True)
        """
    )
    done = _python(code, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == ["user's import interrupted", f"error: {HALF_IMPORTED}"]
