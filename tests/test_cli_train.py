"""``actviz train`` and ``actviz runs`` as a user types them."""

from __future__ import annotations

import csv
import io
import json

import pytest

from actviz.cli.train import ProgressBar


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "runs.sqlite")


def _train(run_cli, db, *extra):
    return run_cli(
        "--no-user-plugins",
        "train",
        "--task",
        "moons",
        "--activations",
        "relu,tanh",
        "--seeds",
        "2",
        "--steps",
        "40",
        "--hidden",
        "8,8",
        "--points",
        "100",
        "--optimizer",
        "adam",
        "--lr",
        "0.01",
        "--device",
        "cpu",
        "--db",
        db,
        *extra,
    )


def test_train_writes_the_documented_json(run_cli, db, tmp_path):
    out = tmp_path / "out.json"
    code, stdout, stderr = _train(run_cli, db, "--json", str(out))
    assert code == 0, stderr
    data = json.loads(out.read_text())
    assert {"config", "device", "train_seconds", "runs"} <= set(data)
    assert data["device"] == "cpu" and data["train_seconds"] > 0
    assert data["config"]["activations"] == ["relu", "tanh"]
    assert data["config"]["hidden"] == [8, 8] and data["config"]["points"] == 100
    assert [(r["activation"], r["seed"]) for r in data["runs"]] == [
        ("relu", 0),
        ("relu", 1),
        ("tanh", 0),
        ("tanh", 1),
    ]
    for run in data["runs"]:
        assert {
            "activation",
            "seed",
            "test_accuracy",
            "final_loss",
            "diverged_at",
            "history",
        } <= set(run)
        assert 0.0 <= run["test_accuracy"] <= 1.0
        assert run["diverged_at"] is None
        assert run["history"][-1]["step"] == 40
        assert run["final_loss"] == run["history"][-1]["train_loss"]
    assert "relu" in stdout and "stored as run" in stdout


def test_regression_tasks_report_r2(run_cli, db, tmp_path):
    out = tmp_path / "out.json"
    code, _, stderr = run_cli(
        "--no-user-plugins",
        "train",
        "--task",
        "sine",
        "--activations",
        "tanh",
        "--seeds",
        "1",
        "--steps",
        "20",
        "--db",
        db,
        "--json",
        str(out),
    )
    assert code == 0, stderr
    assert "test_r2" in json.loads(out.read_text())["runs"][0]


def test_json_to_stdout_keeps_the_summary_off_it(run_cli, db):
    code, stdout, stderr = _train(run_cli, db, "--json", "-")
    assert code == 0
    assert len(json.loads(stdout)["runs"]) == 4
    assert "stored as run" in stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--activations", "relux"], "unknown activation 'relux' (did you mean relu"),
        (["--task", "moon"], "unknown task 'moon'"),
        (["--steps", "0"], "steps: must be a positive integer"),
        (["--steps", "-5"], "steps: must be a positive integer"),
        (["--seeds", "two"], "--seeds"),
        (["--hidden", "8,x"], "--hidden"),
        (["--optimizer", "lbfgs"], "optimizer: must be one of"),
        (["--param", "relu.slope"], "--param"),
        (["--param", "tanh.k=1"], "tanh has no parameter 'k'"),
        (["--lr", "0"], "lr: must be a positive number"),
    ],
)
def test_bad_input_is_refused_with_exit_code_2(run_cli, db, args, message):
    code, _, stderr = run_cli(
        "--no-user-plugins", "train", "--steps", "5", "--db", db, "--no-store", *args
    )
    assert code == 2
    assert message in stderr


def test_a_bad_json_path_is_refused_before_training(run_cli, db, tmp_path, monkeypatch):
    import actviz.training.engine as engine

    monkeypatch.setattr(engine, "race", lambda *a, **k: pytest.fail("trained anyway"))
    for bad, message in (
        (tmp_path / "missing" / "out.json", "does not exist"),
        (tmp_path, "folder"),
    ):
        code, _, stderr = _train(run_cli, db, "--json", str(bad))
        assert code == 2 and "--json" in stderr and message in stderr


def test_no_store_leaves_no_database(run_cli, tmp_path):
    db = tmp_path / "none.sqlite"
    code, stdout, _ = _train(run_cli, str(db), "--no-store")
    assert code == 0 and not db.exists()
    assert "stored as run" not in stdout


def test_runs_list_show_export_delete(run_cli, db, tmp_path):
    assert _train(run_cli, db, "--name", "first race")[0] == 0
    assert _train(run_cli, db)[0] == 0
    code, stdout, _ = run_cli("runs", "--db", db)
    assert code == 0 and "first race" in stdout and "moons" in stdout
    code, stdout, _ = run_cli("runs", "--db", db, "--json")
    listed = json.loads(stdout)
    assert [r["id"] for r in listed] == [2, 1]
    assert listed[1]["name"] == "first race" and listed[1]["status"] == "finished"

    code, stdout, _ = run_cli("runs", "show", "1", "--db", db)
    assert code == 0 and "tanh" in stdout and "test accuracy" in stdout
    code, stdout, _ = run_cli("runs", "show", "1", "--db", db, "--json")
    assert json.loads(stdout)["runs"][0]["history"]

    csv_path, json_path = tmp_path / "run.csv", tmp_path / "run.json"
    assert run_cli("runs", "export", "1", "-o", str(csv_path), "--db", db)[0] == 0
    assert run_cli("runs", "export", "1", "-o", str(json_path), "--db", db)[0] == 0
    with csv_path.open() as fh:
        rows = list(csv.DictReader(fh))
    assert {r["activation"] for r in rows} == {"relu", "tanh"}
    assert json.loads(json_path.read_text())["id"] == 1
    code, _, stderr = run_cli("runs", "export", "1", "-o", str(tmp_path / "x.txt"), "--db", db)
    assert code == 2 and ".csv or .json" in stderr

    assert run_cli("runs", "delete", "1", "--db", db)[0] == 0
    code, _, stderr = run_cli("runs", "delete", "1", "--db", db)
    assert code == 2 and "no run with id 1" in stderr
    code, _, stderr = run_cli("runs", "show", "1", "--db", db)
    assert code == 2
    code, stdout, _ = run_cli("runs", "--db", db, "--json")
    assert [r["id"] for r in json.loads(stdout)] == [2]


def test_runs_uses_the_user_data_folder_by_default(run_cli):
    code, stdout, _ = run_cli("runs")
    assert code == 0 and "no stored runs" in stdout


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_only():
    tty = _Tty()
    bar = ProgressBar(tty, steps=200)
    bar.update(50, 1.5, force=True)
    bar.close()
    text = tty.getvalue()
    assert text.startswith("\r[") and "25.0%" in text and "step 50/200" in text
    assert text.endswith("\n")
    plain = io.StringIO()
    quiet = ProgressBar(plain, steps=200)
    quiet.update(50, 1.5, force=True)
    quiet.close()
    assert plain.getvalue() == ""


def _interrupt_at(monkeypatch, step, times=1):
    """Send this process SIGINT(s) when the race reports reaching ``step``."""
    import signal

    sent = []
    original = ProgressBar.update

    def update(self, at, seconds, force=False):
        if at >= step and not sent:
            sent.append(at)
            for _ in range(times):
                signal.raise_signal(signal.SIGINT)
        original(self, at, seconds, force)

    monkeypatch.setattr(ProgressBar, "update", update)
    return sent


def test_first_ctrl_c_stops_and_still_evaluates(run_cli, db, monkeypatch):
    sent = _interrupt_at(monkeypatch, 30)
    code, _, stderr = _train(run_cli, db, "--steps", "5000", "--eval-every", "1000")
    assert sent and code == 130 and "Ctrl-C again to abort" in stderr
    code, stdout, _ = run_cli("runs", "show", "1", "--db", db, "--json")
    stored = json.loads(stdout)
    for run in stored["runs"]:
        assert 30 <= run["history"][-1]["step"] < 1000  # evaluated where it stopped
        last = run["history"][-1]
        assert run["status"] == "stopped" and run["test_accuracy"] == last["test_metric"]
        assert run["test_accuracy"] > 0.6  # trained, not the untrained starting point


def test_second_ctrl_c_aborts(run_cli, db, monkeypatch):
    _interrupt_at(monkeypatch, 30, times=2)
    code, _, stderr = _train(run_cli, db, "--steps", "5000", "--eval-every", "10")
    assert code == 130 and "aborted" in stderr


def test_runs_refuses_a_missing_or_corrupt_database(run_cli, tmp_path):
    missing = tmp_path / "nowhere" / "x.sqlite"
    for action in (["runs"], ["runs", "show", "1"], ["runs", "delete", "1"]):
        code, _, stderr = run_cli(*action, "--db", str(missing))
        assert code == 2 and f"no run database at {missing}" in stderr
    assert not missing.parent.exists()

    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"not a database at all " * 200)
    for action in (["runs"], ["runs", "show", "1"]):
        code, _, stderr = run_cli(*action, "--db", str(corrupt))
        assert code == 2 and "cannot read the run database" in stderr
        assert "Traceback" not in stderr
