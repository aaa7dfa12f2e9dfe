"""Real datasets (scikit-learn's bundled ones) and the user's own CSV files as tasks.

scikit-learn is the reference for the bundled data and pandas the independent reader
of every CSV file written here.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets

from actviz.training.csv_task import CsvTaskError, csv_task, import_csv, imported_csv_tasks

REAL = {
    "digits": (datasets.load_digits, "ce", 10),
    "iris": (datasets.load_iris, "ce", 3),
    "wine": (datasets.load_wine, "ce", 3),
    "breast_cancer": (datasets.load_breast_cancer, "bce", 2),
    "diabetes": (datasets.load_diabetes, "mse", 0),
}


def _raw(task, seed=0):
    """The task's rows before standardisation (same split)."""
    return dataclasses.replace(task, standardise=False).generate(seed=seed)


def _sorted_rows(a):
    a = np.asarray(a, float)
    return a[np.lexsort(a.T[::-1])]


@pytest.mark.parametrize("name", list(REAL))
def test_real_task_serves_every_row_of_the_sklearn_dataset(builtin_catalogue, name):
    loader, loss, classes = REAL[name]
    bunch = loader()
    task = builtin_catalogue.tasks[name]
    assert (task.input_dim, task.loss, task.classes) == (bunch.data.shape[1], loss, classes)
    raw = _raw(task)
    rows = np.concatenate([raw.x_train.numpy(), raw.x_test.numpy()])
    np.testing.assert_allclose(_sorted_rows(rows), _sorted_rows(bunch.data), rtol=1e-6)
    assert raw.n_test == round(len(bunch.data) * task.test_fraction)


@pytest.mark.parametrize("name", ["wine", "diabetes"])
def test_inputs_are_standardised_with_training_statistics(builtin_catalogue, name):
    task = builtin_catalogue.tasks[name]
    raw, data = _raw(task, seed=3), task.generate(seed=3)
    x = raw.x_train.numpy().astype(float)
    mean, std = x.mean(axis=0), x.std(axis=0)
    np.testing.assert_allclose(data.x_train.numpy(), (x - mean) / std, atol=1e-4)
    # the test rows use the training statistics, not their own
    expected_test = (raw.x_test.numpy() - mean) / std
    np.testing.assert_allclose(data.x_test.numpy(), expected_test, atol=1e-4)
    assert abs(data.x_test.numpy().mean()) > 1e-4


def test_split_is_fixed_by_the_data_seed(builtin_catalogue):
    task = builtin_catalogue.tasks["iris"]
    a, b, c = task.generate(seed=1), task.generate(seed=1), task.generate(seed=2)
    assert np.array_equal(a.x_test.numpy(), b.x_test.numpy())
    assert not np.array_equal(a.x_test.numpy(), c.x_test.numpy())


def test_a_short_race_learns_iris_with_softmax(run_cli, tmp_path):
    out = tmp_path / "iris.json"
    code, _, err = run_cli(
        *("train", "--task", "iris", "--activations", "relu,tanh", "--seeds", "2"),
        *("--steps", "150", "--device", "cpu", "--no-store", "-q", "--json", str(out)),
    )
    assert code == 0, err
    result = json.loads(out.read_text())
    accuracy = [r["test_accuracy"] for r in result["runs"]]
    assert len(accuracy) == 4 and min(accuracy) >= 0.85, accuracy


# -- the user's own CSV ----------------------------------------------------------------


@pytest.fixture
def frame():
    rng = np.random.default_rng(7)
    df = pd.DataFrame(rng.normal(size=(40, 3)), columns=["height", "weight", "age"])
    df["species"] = np.where(df["height"] + df["weight"] > 0, "cat", "dog")
    df["price"] = 3 * df["height"] - df["age"]
    return df


def test_csv_rows_and_labels_match_pandas(tmp_path, frame):
    path = tmp_path / "animals.csv"
    frame.to_csv(path, index=False)
    reread = pd.read_csv(path)
    task = csv_task(path, "species")
    assert (task.kind, task.loss, task.input_dim) == ("classification", "bce", 4)
    assert task.extras["class_names"] == ["cat", "dog"]
    raw = _raw(task)
    got = np.column_stack(
        [np.concatenate([raw.x_train, raw.x_test]), np.concatenate([raw.y_train, raw.y_test])]
    )
    inputs = reread.drop(columns="species").to_numpy(float)
    expected = np.column_stack([inputs, (reread["species"] == "dog").to_numpy(float)])
    np.testing.assert_allclose(_sorted_rows(got), _sorted_rows(expected), rtol=1e-6)


def test_csv_regression_target_matches_pandas(tmp_path, frame):
    path = tmp_path / "prices.csv"
    frame.drop(columns="species").to_csv(path, index=False)
    task = csv_task(path, "price")
    assert (task.kind, task.metric) == ("regression", "r2")
    raw = _raw(task)
    targets = np.sort(np.concatenate([raw.y_train, raw.y_test])[:, 0])
    np.testing.assert_allclose(targets, np.sort(pd.read_csv(path)["price"]), rtol=1e-6)


def test_auto_reads_few_whole_numbers_as_classes(tmp_path):
    path = tmp_path / "levels.csv"
    pd.DataFrame({"x": range(30), "level": [i % 3 for i in range(30)]}).to_csv(path, index=False)
    assert csv_task(path, "level").loss == "ce"
    assert csv_task(path, "level", kind="regression").loss == "mse"


BAD = {
    "text column": (
        "a,name,y\n1,bob,0\n2,al,1\n3,jo,0\n4,ed,1\n",
        "non-numeric input column 'name'",
    ),
    "missing": (
        "a,b,y\n1,,0\n2,3,1\n3,NA,0\n4,5,1\n",
        "2 missing values (2 in 'b'; first on line 2)",
    ),
    "one class": ("a,y\n1,0\n2,0\n3,0\n4,0\n", "a single class ('0')"),
    "one row": ("a,y\n1,0\n", "1 data row; a task needs at least 4"),
    "no target": ("a,b\n1,0\n2,1\n3,0\n4,1\n", "no column 'y'; the columns are a, b"),
    "empty": ("", "the file is empty"),
    "ragged": ("a,y\n1,0\n2,1,5\n3,0\n4,1\n", "line 3 has 3 fields, the header has 2"),
    "not csv": ("\x89PNG\r\n\x1a\n\0\0\0IHDR", "not a CSV text file"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_csv_gets_one_clear_line(tmp_path, case):
    text, expected = BAD[case]
    path = tmp_path / "bad.csv"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(CsvTaskError) as info:
        csv_task(path, "y")
    message = str(info.value)
    assert expected in message and "\n" not in message, message


def test_train_on_your_own_csv(run_cli, tmp_path, frame):
    path = tmp_path / "animals.csv"
    frame.to_csv(path, index=False)
    args = ("--activations", "relu", "--seeds", "2", "--steps", "60", "--device", "cpu")
    code, out, err = run_cli(
        "train",
        "--task",
        f"csv:{path}",
        "--target",
        "species",
        *args,
        "--no-store",
        "-q",
        "--json",
        "-",
    )
    assert code == 0, err
    assert json.loads(out)["task"] == f"csv:{path}"
    code, _, err = run_cli("train", "--task", f"csv:{path}", "--target", "colour", *args)
    assert code == 2 and "no column 'colour'" in err and err.count("\n") == 1
    code, _, err = run_cli("train", "--task", f"csv:{path}", *args)
    assert code == 2 and "needs --target" in err


def test_an_imported_csv_is_kept_and_listed_next_time(tmp_path, frame, run_cli):
    path = tmp_path / "My Animals.csv"
    frame.to_csv(path, index=False)
    task = import_csv(path, "species")
    assert task.name == "csv:my_animals"
    path.unlink()  # the copy in the data folder is what is used from now on
    tasks, problems = imported_csv_tasks()
    assert [t.name for t in tasks] == ["csv:my_animals"] and not problems
    code, out, _ = run_cli("list", "--json")
    assert code == 0
    from actviz.host import load_catalogue

    assert "csv:my_animals" in load_catalogue().tasks


def test_without_scikit_learn_the_real_tasks_say_what_to_install(run_cli, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sklearn", None)  # as if it were not installed
    from actviz.host import load_catalogue

    task = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False).tasks["wine"]
    with pytest.raises(RuntimeError, match=r"pip install 'actviz\[data\]'"):
        task.generate()
    code, _, err = run_cli("train", "--task", "wine", "--steps", "5", "--no-store", "-q")
    assert code == 2 and "needs scikit-learn" in err and err.count("\n") == 1
