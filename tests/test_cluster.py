"""Benchmark shards on other executors give the in-process results, survive a killed
worker, and are never trained or counted twice."""

from __future__ import annotations

import os
import textwrap

import pytest

from actviz.benchmark import BenchSpec, run_benchmark, run_shards
from actviz.benchmark.executors import InProcess, LocalProcesses, make_executor
from actviz.benchmark.store import ShardStore
from actviz.host import load_catalogue

pytestmark = pytest.mark.cluster

SPEC = dict(
    activations=["relu", "tanh"],
    tasks=["moons", "xor"],
    seeds=2,
    seed_batch=1,
    steps=40,
    options={"hidden": [4], "points": 64, "device": "cpu"},
)


def _per_seed(races):
    """``{(task, activation, seed): (final loss, test metric)}`` of every run."""
    out = {}
    for task, race in races.items():
        for run in race["runs"]:
            key = (task, run["activation"], run["seed"])
            assert key not in out, f"{key} counted twice"
            out[key] = (run["final_loss"], run["test_accuracy"])
    return out


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False)


@pytest.fixture(scope="module")
def in_process(catalogue):
    return _per_seed(run_shards(BenchSpec(**SPEC), catalogue))


def _die_once_plugin(folder, marker):
    """A task plugin whose data generator kills its worker process the first time only."""
    folder.mkdir(exist_ok=True)
    (folder / "dying_task.py").write_text(
        textwrap.dedent(
            f"""
            import os, signal
            from pathlib import Path
            from actviz import hookimpl, Task
            from actviz_builtins.tasks import _moons as moons

            MAIN = {os.getpid()}
            MARKER = Path({str(marker)!r})

            def sample(n, noise, gen):
                if os.getpid() != MAIN and not MARKER.exists():
                    MARKER.write_text(str(os.getpid()))
                    os.kill(os.getpid(), signal.SIGKILL)
                return moons(n, noise, gen)

            @hookimpl
            def actviz_tasks():
                return [Task(name="dying", sample=sample, description="moons, kills once")]
            """
        )
    )
    return folder


def test_local_processes_give_the_in_process_results(catalogue, in_process):
    executor = LocalProcesses(workers=2)
    try:
        races = run_shards(BenchSpec(**SPEC), catalogue, executor=executor)
    finally:
        executor.close()
    assert _per_seed(races) == in_process


def test_a_killed_worker_is_retried_and_nothing_counts_twice(tmp_path):
    marker = tmp_path / "killed"
    folder = _die_once_plugin(tmp_path / "plugins", marker)
    catalogue = load_catalogue([folder], use_user_dir=False, use_entry_points=False, use_env=False)
    assert "dying" in catalogue.tasks, catalogue.errors
    spec = BenchSpec(**{**SPEC, "tasks": ["dying"], "seeds": 3})
    lines: list[str] = []
    executor = LocalProcesses(workers=2)
    with ShardStore(tmp_path / "runs.db") as store:
        try:
            races = run_shards(spec, catalogue, store, lines.append, executor)
        finally:
            executor.close()
        assert marker.exists(), "the worker was never killed"
        assert int(marker.read_text()) != os.getpid()
        assert "__failed__" not in races, lines
        runs = _per_seed(races)
        assert sorted(runs) == [
            ("dying", act, seed) for act in ("relu", "tanh") for seed in (0, 1, 2)
        ]
        assert store.count() == 3


def test_a_shard_that_keeps_failing_is_reported_and_the_rest_completes(tmp_path, catalogue):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "broken_task.py").write_text(
        "from actviz import hookimpl, Task\n"
        "def sample(n, noise, gen):\n"
        "    raise RuntimeError('no data today')\n"
        "@hookimpl\n"
        "def actviz_tasks():\n"
        "    return [Task(name='nodata', sample=sample)]\n"
    )
    cat = load_catalogue([folder], use_user_dir=False, use_entry_points=False, use_env=False)
    spec = BenchSpec(**{**SPEC, "tasks": ["moons", "nodata"]})
    result = run_benchmark(spec, cat, executor=InProcess(attempts=2))
    failed = result["failed_shards"]
    assert len(failed) == 2 and all("no data today" in f["error"] for f in failed)
    assert all(f["attempts"] == 2 for f in failed)
    assert list(result["per_task"]) == ["moons"]


def test_a_rerun_with_everything_stored_trains_nothing(tmp_path, catalogue):
    spec = BenchSpec(**SPEC)
    with ShardStore(tmp_path / "runs.db") as store:
        first = run_shards(spec, catalogue, store)
        lines: list[str] = []

        class Refuses(InProcess):
            def run(self, shards, fn):
                raise AssertionError(f"asked to train {len(shards)} shards again")

        again = run_shards(spec, catalogue, store, lines.append, Refuses())
    assert _per_seed(again) == _per_seed(first)
    assert sum("done before, skipped" in line for line in lines) == 4


def test_a_changed_plugin_source_changes_the_shard_key(tmp_path):
    from actviz.benchmark.shards import make_shard

    folder = tmp_path / "plugins"
    folder.mkdir()
    plugin = folder / "mine.py"
    source = (
        "from actviz import hookimpl, Activation\n"
        "@hookimpl\n"
        "def actviz_activations():\n"
        "    return [Activation(name='mine', fn=lambda x: x * {k})]\n"
    )
    plugin.write_text(source.format(k="0.5"))
    config = {"task": "moons", "activations": ["mine"], "seeds": [0], "steps": 10}
    load = lambda: load_catalogue(
        [folder], use_user_dir=False, use_entry_points=False, use_env=False
    )  # noqa: E731
    first = make_shard(config, load())
    plugin.write_text(source.format(k="0.25"))
    second = make_shard(config, load())
    assert first.key != second.key
    assert second.plugin_files == {"mine.py": source.format(k="0.25")}


def test_unknown_cluster_address_is_refused():
    with pytest.raises(ValueError, match="--cluster must be"):
        make_executor(cluster="spark://x")


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray for the tests that need one; only they skip without it (the tests
    above run on worker processes alone)."""
    pytest.importorskip("ray", reason="needs Ray: pip install 'actviz[cluster]'")
    executor = make_executor(cluster="ray", workers=2)
    yield executor
    executor.close()


def test_local_ray_gives_the_in_process_results(local_ray, catalogue, in_process):
    races = run_shards(BenchSpec(**SPEC), catalogue, executor=local_ray)
    assert _per_seed(races) == in_process


def test_ray_retries_a_killed_worker(local_ray, tmp_path):
    marker = tmp_path / "killed"
    folder = _die_once_plugin(tmp_path / "plugins", marker)
    catalogue = load_catalogue([folder], use_user_dir=False, use_entry_points=False, use_env=False)
    spec = BenchSpec(**{**SPEC, "tasks": ["dying"], "seeds": 2})
    with ShardStore(tmp_path / "runs.db") as store:
        races = run_shards(spec, catalogue, store, executor=local_ray)
        assert marker.exists()
        assert "__failed__" not in races
        assert len(_per_seed(races)) == 4
        assert store.count() == 2
