"""Handout files without a screen: written, read back, and every kind of bad file refused
with one clear message or opened with what cannot be restored named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from actviz.handouts import (
    FORMAT,
    SUFFIX,
    VERSION,
    Handout,
    HandoutFileError,
    read_handout,
    write_handout,
)
from actviz.training.config import RaceConfig

LOCKABLE = ["task", "hidden", "lr", "optimizer", "steps", "seeds", "activations"]


def a_handout() -> Handout:
    config = RaceConfig(
        task="circles",
        activations=["relu", "elu"],
        params={"elu": {"alpha": 0.5}},
        seeds=[0, 4],
        steps=300,
        hidden=(5, 3),
        optimizer="sgd",
        lr=0.05,
        batch_size=16,
        points=120,
        noise=0.1,
        test_fraction=0.25,
        data_seed=7,
    )
    return Handout(
        title="Dying ReLU",
        notes="Watch the dead units.",
        setup=config.to_dict(),
        view={"tab": "playground", "log_loss": False, "smoothing": 0.3},
        locked=["lr", "optimizer"],
    )


def read(path, catalogue):
    return read_handout(path, catalogue.activations, catalogue.tasks, LOCKABLE)


def test_a_handout_round_trips_through_its_file(tmp_path, builtin_catalogue):
    handout = a_handout()
    path = write_handout(tmp_path / "dying", handout)
    assert path.name == "dying" + SUFFIX
    data = json.loads(path.read_text())
    assert data["format"] == FORMAT and data["version"] == VERSION
    opened = read(path, builtin_catalogue)
    assert opened.problems == []
    assert opened.handout == handout
    assert RaceConfig.from_dict(opened.handout.setup) == RaceConfig.from_dict(handout.setup)
    assert not list(tmp_path.glob(".handout-*"))  # no temporary file left behind


def edited(tmp_path, change) -> object:
    data = a_handout().to_json()
    change(data)
    path = tmp_path / ("edited" + SUFFIX)
    path.write_text(json.dumps(data))
    return path


def test_an_unknown_activation_is_named_and_the_rest_restored(tmp_path, builtin_catalogue):
    def change(d):
        d["setup"]["activations"] = ["relu", "swishy", "elu"]
        d["setup"]["params"]["swishy"] = {"beta": 2.0}

    opened = read(edited(tmp_path, change), builtin_catalogue)
    text = "\n".join(opened.problems)
    assert "unknown activation 'swishy'" in text
    assert "'swishy' is not among the restored activations" in text
    setup = opened.handout.setup
    assert setup["activations"] == ["relu", "elu"]
    assert setup["params"] == {"elu": {"alpha": 0.5}}
    assert setup["task"] == "circles" and setup["lr"] == 0.05 and setup["hidden"] == [5, 3]
    assert opened.handout.locked == ["lr", "optimizer"]


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("task", "nonsense", "unknown task 'nonsense'"),
        ("lr", -1, "lr: must be a positive number"),
        ("hidden", "wide", "hidden:"),
        ("hidden", 5, "hidden:"),
        ("seeds", "three", "seeds:"),
        ("optimizer", "lbfgs", "optimizer: must be one of"),
    ],
)
def test_a_bad_value_is_named_and_the_rest_restored(tmp_path, builtin_catalogue, key, value, named):
    def change(d):
        d["setup"][key] = value

    opened = read(edited(tmp_path, change), builtin_catalogue)
    assert len(opened.problems) == 1 and named in opened.problems[0]
    assert "not restored" in opened.problems[0]
    assert key not in opened.handout.setup
    assert len(opened.handout.setup) == len(a_handout().setup) - 1


def test_newer_keys_bad_views_and_unknown_locks_are_named(tmp_path, builtin_catalogue):
    def change(d):
        d["setup"]["warp_drive"] = True
        d["view"]["smoothing"] = 7
        d["view"]["hologram"] = 1
        d["locked"] = ["lr", "coffee", 3]
        d["title"] = 12

    opened = read(edited(tmp_path, change), builtin_catalogue)
    text = "\n".join(opened.problems)
    for named in ("warp_drive", "view.smoothing", "view.hologram", "'coffee'", "3", "title"):
        assert named in text
    assert opened.handout.view == {"tab": "playground", "log_loss": False}
    assert opened.handout.locked == ["lr"]
    assert opened.handout.title == ""


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "not valid JSON"),
        (b"[1, 2]", "no JSON object"),
        (json.dumps({"format": "something-else", "version": 1}).encode(), "format"),
        (json.dumps({"format": FORMAT, "version": VERSION + 1}).encode(), "newer actviz"),
        (json.dumps({"format": FORMAT, "version": "one"}).encode(), "version"),
        (json.dumps({"format": FORMAT, "version": 1, "setup": [1]}).encode(), "'setup'"),
    ],
)
def test_a_file_that_is_no_handout_raises_one_clear_message(
    tmp_path, builtin_catalogue, content, says
):
    path = tmp_path / ("bad" + SUFFIX)
    path.write_bytes(content)
    with pytest.raises(HandoutFileError, match=says):
        read(path, builtin_catalogue)


def test_a_missing_file_raises_a_clear_message(tmp_path, builtin_catalogue):
    with pytest.raises(HandoutFileError, match="cannot read"):
        read(tmp_path / "gone.actviz-handout", builtin_catalogue)


def test_the_documented_example_opens_without_problems(tmp_path, builtin_catalogue):
    doc = (Path(__file__).resolve().parents[1] / "docs" / "handouts.md").read_text()
    example = doc.split("```json\n", 1)[1].split("```", 1)[0]
    path = tmp_path / ("example" + SUFFIX)
    path.write_text(example)
    opened = read(path, builtin_catalogue)
    assert opened.problems == []
    assert opened.handout.locked == ["task", "hidden", "optimizer", "lr", "steps"]
    assert (
        RaceConfig.from_dict(opened.handout.setup).validate(
            builtin_catalogue.activations, builtin_catalogue.tasks
        )
        == []
    )


def test_the_command_line_takes_a_handout_file():
    from actviz.cli import build_parser

    args = build_parser().parse_args(["--handout", "dying.actviz-handout"])
    assert args.handout == "dying.actviz-handout"
    assert getattr(args, "func", None) is None  # no sub-command: the desktop app opens
    assert build_parser().parse_args([]).handout is None


#: A file as actviz wrote it before handouts had their own name (format tag and suffix).
OLD_LESSON_FILE = """{
  "format": "actviz-lesson",
  "version": 1,
  "title": "Dying ReLU",
  "notes": "Watch the dead units.",
  "setup": {"task": "circles", "activations": ["relu", "elu"], "seeds": [0, 4],
            "steps": 300, "hidden": [5, 3], "optimizer": "sgd", "lr": 0.05},
  "view": {"tab": "playground", "smoothing": 0.3},
  "locked": ["lr", "optimizer"]
}
"""


def test_a_file_written_as_an_actviz_lesson_still_opens(tmp_path, builtin_catalogue):
    path = tmp_path / "dying.actviz-lesson"
    path.write_text(OLD_LESSON_FILE)
    opened = read(path, builtin_catalogue)
    assert opened.problems == []
    assert opened.handout.title == "Dying ReLU"
    assert opened.handout.locked == ["lr", "optimizer"]
    assert opened.handout.setup["hidden"] == [5, 3]
    assert opened.handout.setup["activations"] == ["relu", "elu"]
    # saving it again keeps its name (no twin .actviz-lesson.actviz-handout) and writes
    # the new format tag
    again = write_handout(path, opened.handout)
    assert again == path
    assert json.loads(path.read_text())["format"] == FORMAT
    assert write_handout(tmp_path / "new", opened.handout).name == "new" + SUFFIX


def test_the_old_command_line_option_still_opens_a_file():
    from actviz.cli import build_parser

    args = build_parser().parse_args(["--lesson", "dying.actviz-lesson"])
    assert args.handout == "dying.actviz-lesson"
