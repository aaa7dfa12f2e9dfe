"""Hostile plugins: each is checked in a separate process, named, and the rest still load.

Every plugin here is a real file that `actviz list` (a real subprocess) reads from a
plugin folder. The built-in relu must stay ok and no built-in may be blamed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from actviz.host import PluginHost, load_catalogue
from actviz.host.isolation import CheckSettings

TIMEOUT = 2.0  # seconds per import / hook / validation in these tests
#: `actviz list` must end: two 2 s hangs, a fresh check process and start-up on a loaded box.
LIST_LIMIT = 150

HOSTILE = {
    "sleepy": "import time\ntime.sleep(600)\n",
    "loopy": """
        import torch
        from actviz import hookimpl, Activation
        def fn(x):
            while bool((x.abs() > 1e3).any()):
                pass
            return torch.tanh(x)
        @hookimpl
        def actviz_activations():
            return [Activation(name="loopy", fn=fn)]
    """,
    "exits": """
        import sys, torch
        from actviz import hookimpl, Activation
        def fn(x):
            sys.exit(3)
        @hookimpl
        def actviz_activations():
            return [Activation(name="exits", fn=fn), Activation(name="beside_exit", fn=torch.tanh)]
    """,
    "hard_exit_import": "import os\nos._exit(7)\n",
    "hard_exit_fn": """
        import os
        from actviz import hookimpl, Activation
        def fn(x):
            os._exit(9)
        @hookimpl
        def actviz_activations():
            return [Activation(name="hard_exit", fn=fn)]
    """,
    "segfault": "import ctypes\nctypes.string_at(0)\n",
    "memory_hog": "block = bytearray(3 * 2**30)\n",
    "float64_default": """
        import torch
        from actviz import hookimpl, Activation
        torch.set_default_dtype(torch.float64)
        @hookimpl
        def actviz_activations():
            return [Activation(name="tanh_twice", fn=lambda x: torch.tanh(2 * x))]
    """,
    "grad_off": "import torch\ntorch.set_grad_enabled(False)\n",
    "patched_relu": "import torch\ntorch.relu = lambda x: x * 0 + 1\n",
    "forgot_return": """
        import torch
        from actviz import hookimpl, Activation
        @hookimpl
        def actviz_activations():
            [Activation(name="forgotten", fn=torch.tanh)]
    """,
    "iteration_raises": """
        import torch
        from actviz import hookimpl, Activation
        def items():
            yield Activation(name="before_raise", fn=torch.tanh)
            raise RuntimeError("the generator broke")
        @hookimpl
        def actviz_activations():
            return items()
    """,
    "list_iter_raises": """
        import torch
        from actviz import hookimpl, Activation
        class Catalogue(list):
            def __iter__(self):
                raise RuntimeError("no iterating this")
        @hookimpl
        def actviz_activations():
            return Catalogue([Activation(name="never_seen", fn=torch.tanh)])
    """,
    "command_word": """
        import torch
        from actviz import hookimpl, Activation
        @hookimpl
        def actviz_activations():
            return [Activation(name="all", fn=torch.tanh),
                    Activation(name="beside_all", fn=torch.tanh)]
    """,
    "bad_params": """
        import torch
        from actviz import hookimpl, Activation, Param
        @hookimpl
        def actviz_activations():
            return [
                Activation(name="sound_one", fn=torch.tanh),
                Activation(name="inverted", fn=lambda x, a: a * x,
                           params=[Param("a", 1.0, min=2.0, max=1.0)]),
                Activation(name="sound_two", fn=torch.sigmoid),
                Activation(name="nan_default", fn=lambda x, a: a * x,
                           params=[Param("a", float("nan"))]),
            ]
    """,
    "homoglyph": """
        import torch
        from actviz import hookimpl, Activation
        @hookimpl
        def actviz_activations():
            return [Activation(name="r\\u0435lu", fn=lambda x: torch.clamp(x, min=0))]
    """,
}

#: plugin -> (stage, activation, words the message must contain)
EXPECTED_ERRORS = {
    "sleepy": ("import", None, "timed out after 2 s while importing (sleepy.py line 2)"),
    "loopy": ("validate", "loopy", "timed out after 2 s in fn of 'loopy' at x in [-10000, 10000]"),
    "exits": ("validate", "exits", "exited with code 3 during validation of 'exits'"),
    "hard_exit_import": ("import", None, "exited with code 7 while importing"),
    "hard_exit_fn": ("validate", "hard_exit", "exited with code 9 during validation of"),
    "segfault": ("import", None, "killed by signal 11 (SIGSEGV) while importing"),
    "memory_hog": ("import", None, "ran out of memory while importing (the check allows 512"),
    "forgot_return": ("hook", None, "returned None: did the hook forget `return`?"),
    "iteration_raises": ("hook", None, "raised RuntimeError: the generator broke after 1 item"),
    "homoglyph": ("duplicate", "r\u0435lu", "only looks like 'relu'"),
    "list_iter_raises": (
        "hook",
        None,
        "iterating what actviz_activations() returned (a Catalogue) raised RuntimeError: "
        "no iterating this after 0 item(s)",
    ),
    "command_word": ("hook", "all", "activation name 'all' is a command word"),
}
EXPECTED_WARNINGS = {
    "float64_default": "importing it changed torch's default dtype to float64",
    "grad_off": "importing it turned gradients off",
    "patched_relu": "importing it replaced torch.relu; the original is put back",
}


def write_plugins(folder: Path, plugins: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in plugins.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return folder


def _no_constants(name: str) -> None:
    raise ValueError(f"list --json emitted {name}, which is not JSON")


@pytest.fixture(scope="module")
def listing(tmp_path_factory):
    """`actviz list --json` over every hostile plugin, as a real subprocess."""
    folder = write_plugins(tmp_path_factory.mktemp("hostile"), HOSTILE)
    env = {**os.environ, "ACTVIZ_PLUGIN_MEMORY_MB": "512"}
    env["ACTVIZ_USER_PLUGIN_DIR"] = str(tmp_path_factory.mktemp("user-plugins"))
    done = subprocess.run(
        [sys.executable, "-m", "actviz.cli", "list", "--json", "--no-user-plugins"]
        + ["--plugins", str(folder), "--plugin-timeout", str(TIMEOUT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=LIST_LIMIT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout, parse_constant=_no_constants)


def _errors(listing: dict, plugin: str) -> list[dict]:
    return [e for e in listing["errors"] if e["plugin"] == plugin]


@pytest.mark.parametrize("plugin", sorted(EXPECTED_ERRORS))
def test_each_hostile_plugin_is_named_with_its_reason(listing, plugin):
    stage, activation, words = EXPECTED_ERRORS[plugin]
    errors = _errors(listing, plugin)
    assert errors, f"nothing reported against {plugin}"
    assert errors[0]["stage"] == stage
    assert errors[0]["activation"] == activation
    assert words in errors[0]["message"]


@pytest.mark.parametrize("plugin", sorted(EXPECTED_WARNINGS))
def test_global_state_changes_are_undone_and_blamed_on_their_plugin(listing, plugin):
    record = next(p for p in listing["plugins"] if p["name"] == plugin)
    assert any(EXPECTED_WARNINGS[plugin] in w for w in record["warnings"]), record["warnings"]
    assert record["status"] == "ok"


def test_builtins_stay_ok_and_blame_nobody(listing):
    builtins = [p for p in listing["plugins"] if p["source"] == "built-in"]
    assert builtins and all(p["status"] == "ok" and not p["warnings"] for p in builtins)
    relu = next(a for a in listing["activations"] if a["name"] == "relu")
    assert (relu["status"], relu["plugin"]) == ("ok", "relu_family")
    blamed = {e["plugin"] for e in listing["errors"]}
    assert blamed <= set(EXPECTED_ERRORS) | {"bad_params"}


def test_sound_activations_beside_broken_ones_load(listing):
    status = {a["name"]: a["status"] for a in listing["activations"]}
    for name in (
        "sound_one",
        "sound_two",
        "beside_exit",
        "before_raise",
        "tanh_twice",
        "beside_all",
    ):
        assert status.get(name) == "ok", name
    for name in ("inverted", "nan_default", "forgotten", "all", "never_seen"):
        assert name not in status


def test_bad_params_are_refused_one_by_one(listing):
    messages = {e["activation"]: e["message"] for e in _errors(listing, "bad_params")}
    assert "parameter 'a': min 2.0 > max 1.0" in messages["inverted"]
    assert "parameter 'a': default nan is not a finite number" in messages["nan_default"]


def test_one_homoglyph_row_only(listing):
    ok_names = [a["name"] for a in listing["activations"] if a["status"] == "ok"]
    assert ok_names.count("relu") == 1
    assert "r\u0435lu" not in ok_names


def test_the_app_process_keeps_its_torch_state(tmp_path):
    """Plugins that passed the check are imported here too: the guard undoes their changes."""
    state_changers = {k: HOSTILE[k] for k in EXPECTED_WARNINGS}
    folder = write_plugins(tmp_path / "plugins", state_changers)
    relu = torch.relu
    cat = load_catalogue([folder], use_user_dir=False, use_entry_points=False, timeout=TIMEOUT)
    assert torch.get_default_dtype() == torch.float32
    assert torch.is_grad_enabled()
    assert torch.relu is relu
    assert cat.entry("relu").ok and cat.entry("prelu").ok
    warned = {plugin for plugin, _ in cat.warnings}
    assert warned == set(EXPECTED_WARNINGS)


def test_a_cached_pass_skips_the_check_process(tmp_path):
    marker = tmp_path / "imports.txt"
    plugin = tmp_path / "plugins" / "counted.py"
    source = f"""
        import os, torch
        from actviz import hookimpl, Activation
        with open({str(marker)!r}, "a") as out:
            out.write(f"{{os.getpid()}}\\n")
        @hookimpl
        def actviz_activations():
            return [Activation(name="counted", fn=torch.tanh)]
    """
    write_plugins(plugin.parent, {"counted": source})

    def pids_after_load() -> list[int]:
        cat = load_catalogue([plugin.parent], use_user_dir=False, use_entry_points=False)
        assert cat.entry("counted").ok
        return [int(line) for line in marker.read_text().split()]

    first = pids_after_load()
    assert len(first) == 2 and os.getpid() in first  # the check's fork, then here
    assert pids_after_load()[2:] == [os.getpid()]  # cached: imported here only
    plugin.write_text(plugin.read_text() + "\n# edited\n")
    third = pids_after_load()[3:]
    assert len(third) == 2 and third[-1] == os.getpid()  # edited: checked again


def test_a_plugin_that_passes_but_then_differs_is_not_trusted(tmp_path):
    """The hook gives other activations in the app than in the check: those are refused."""
    folder = write_plugins(
        tmp_path / "plugins",
        {
            "shifty": """
                import os, torch
                from actviz import hookimpl, Activation
                NAME = "shifty_" + str(os.getpid())
                @hookimpl
                def actviz_activations():
                    return [Activation(name=NAME, fn=lambda x: x.exp())]
            """
        },
    )
    host = PluginHost([folder], use_user_dir=False, use_entry_points=False, use_env=False)
    cat = host.load()
    entry = cat.entry(f"shifty_{os.getpid()}")
    assert not entry.ok
    assert "not among the activations the check saw" in entry.error.message


def test_races_do_not_depend_on_torch_defaults(builtin_catalogue):
    from actviz.training import RaceConfig, run_race

    acts = {n: builtin_catalogue.get(n) for n in ("relu", "prelu")}
    config = RaceConfig(
        task="moons", activations=list(acts), seeds=1, steps=20, hidden=(4,),
        optimizer="adam", lr=0.01, boundary_grid=0, device="cpu",
    )  # fmt: skip
    torch.set_default_dtype(torch.float64)
    try:
        with torch.no_grad():
            result = run_race(config, acts, builtin_catalogue.tasks["moons"])
    finally:
        torch.set_default_dtype(torch.float32)
    assert [r.status for r in result.runs] == ["finished", "finished"]


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ACTVIZ_PLUGIN_TIMEOUT", "7.5")
    monkeypatch.setenv("ACTVIZ_PLUGIN_WORKERS", "1")
    settings = CheckSettings.from_env()
    assert (settings.timeout, settings.workers) == (7.5, 1)
    assert CheckSettings.from_env(timeout=3).timeout == 3


def test_check_ends_with_a_summary_and_quiet_shows_only_failures(tmp_path, run_cli):
    folder = write_plugins(tmp_path, {"bad_params": HOSTILE["bad_params"]})
    code, out, _ = run_cli("check", str(folder / "bad_params.py"))
    assert code == 1
    assert out.strip().splitlines()[-1] == "2 ok, 2 failed"
    assert "sound_one: ok" in out
    code, quiet, _ = run_cli("check", "--quiet", str(folder / "bad_params.py"))
    assert code == 1 and "sound_one" not in quiet and "measured properties" not in quiet
    assert quiet.strip().splitlines()[-1] == "2 ok, 2 failed"
    assert "min 2.0 > max 1.0" in quiet and "default nan is not a finite number" in quiet


def test_check_json_has_the_summary_and_the_warnings(tmp_path, run_cli):
    folder = write_plugins(tmp_path, {"float64_default": HOSTILE["float64_default"]})
    code, out, _ = run_cli("check", "--json", str(folder / "float64_default.py"))
    data = json.loads(out, parse_constant=_no_constants)
    assert code == 0
    assert data["summary"] == {"ok": 1, "failed": 0, "warnings": 1}
    assert "default dtype to float64" in data["warnings"][0]


def test_a_command_word_cannot_name_an_activation_anywhere():
    from actviz.api import Activation
    from actviz.formula.build import FormulaError, check_name

    with pytest.raises(ValueError, match="'all' is a command word"):
        Activation(name="all", fn=torch.tanh)
    with pytest.raises(FormulaError, match="'all' is a command word"):
        check_name("all")
    assert check_name("all_of_it") == "all_of_it"
