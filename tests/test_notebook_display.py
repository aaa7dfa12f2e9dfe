"""The notebook API shows itself (issue 26): figures inline in a fresh kernel, outcomes as
HTML tables, a progress bar, warnings, ``ax=``, and arguments checked in its own words.

One test executes ``examples/notebook.ipynb`` through a real Jupyter client (nbclient +
ipykernel, headless) and reads the outputs by MIME type.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pytest

import actviz

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "examples" / "notebook.ipynb"
SMALL = {"steps": 30, "hidden": (4,)}
WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def outcome():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return actviz.race(activations=["relu", "tanh"], seeds=2, baseline="relu", **SMALL)


@pytest.fixture(scope="module")
def bench_outcome():
    return actviz.bench(["relu", "tanh", "silu"], ["moons", "xor"], seeds=2, **SMALL)


# -- a real notebook -------------------------------------------------------------------


def _mimes(cell) -> set[str]:
    found = set()
    for output in cell.get("outputs", []):
        found |= set(output.get("data", {}))
        if output.get("output_type") == "stream":
            found.add(f"stream:{output['name']}")
    return found


@pytest.mark.timeout(900)
def test_executed_notebook_shows_figures_tables_and_progress(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    work = tmp_path / "nb"
    work.mkdir()
    shutil.copy(NOTEBOOK, work / "notebook.ipynb")
    nb = nbformat.read(work / "notebook.ipynb", as_version=4)
    # A fresh kernel as a user starts it: this checkout's code, no backend forced
    # (the test suite's MPLBACKEND=Agg would hide what Jupyter users see).
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(work)}}
    )
    client.execute(env=env)
    tagged = [(c.metadata.get("tags", []), c) for c in nb.cells if c.cell_type == "code"]
    figures = [c for tags, c in tagged if "figure" in tags]
    tables = [c for tags, c in tagged if "table" in tags]
    bars = [c for tags, c in tagged if "progress" in tags]
    assert len(figures) >= 4 and tables and bars
    for cell in figures:
        assert _mimes(cell) & {"image/png", "image/svg+xml"}, (cell.source, cell.outputs)
    for cell in tables:
        assert "text/html" in _mimes(cell), (cell.source, cell.outputs)
    for cell in bars:
        mimes = _mimes(cell)
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert WIDGET in mimes or ("stream:stderr" in mimes and "/s]" in text), cell.outputs
    svg = (work / "summary.svg").read_text()
    assert "<text" in svg


# -- figures ---------------------------------------------------------------------------


def _bundle(obj) -> dict:
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(obj)
    return data


@pytest.mark.parametrize("kind", ["summary", "curves"])
def test_race_figures_display_as_images_without_pyplot(outcome, kind):
    assert "image/png" in _bundle(outcome.figure(kind))


def test_bench_figure_displays_as_an_image(bench_outcome):
    data = _bundle(bench_outcome.figure())
    assert data["image/png"][:4] == b"\x89PNG"


def test_saved_svg_keeps_text_as_text(outcome, tmp_path):
    path = tmp_path / "summary.svg"
    outcome.figure().savefig(path)
    text = path.read_text()
    assert "<text" in text and "relu" in text


def test_every_figure_draws_into_the_callers_axes(outcome, bench_outcome):
    from matplotlib.figure import Figure

    fig = Figure()
    one, two, three = fig.subplots(1, 3)
    assert outcome.figure("curves", ax=one) is one and one.lines
    assert outcome.figure("summary", ax=two) is two and two.lines
    assert bench_outcome.figure(ax=three) is three and three.lines
    assert all(ax.figure is fig for ax in (one, two, three))
    pair = Figure().subplots(1, 2)
    outcome.figure("summary", ax=pair)
    assert pair[0].lines and pair[1].lines


# -- outcomes ----------------------------------------------------------------------------


def test_race_outcome_is_an_html_table(outcome):
    html = _bundle(outcome)["text/html"]
    assert html.startswith("<table>") and "<th>verdict</th>" in html and ">baseline<" in html


def test_bench_outcome_has_a_short_repr_and_an_html_table(bench_outcome):
    text = repr(bench_outcome)
    assert text.startswith("BenchOutcome(") and len(text) < 600
    assert "relu" in text and "mean rank" in text
    html = bench_outcome._repr_html_()
    assert "<table>" in html and "<th>moons</th>" in html


def test_decided_is_bool_and_the_baseline_says_baseline(outcome):
    frame = outcome.to_pandas()
    assert frame["decided"].dtype == bool
    assert frame.set_index("activation").loc["relu", "verdict"] == "baseline"


def test_too_few_seeds_for_the_intervals_warns_as_the_command_line_notes():
    with pytest.warns(UserWarning, match="2 paired seeds the 95% intervals cover less than 95%"):
        actviz.race(activations=["relu", "tanh"], seeds=2, baseline="relu", **SMALL)


# -- progress ----------------------------------------------------------------------------


def test_race_progress_function_gets_lines_with_time_left():
    lines: list[str] = []
    actviz.race(activations=["relu"], seeds=1, progress=lines.append, **SMALL)
    assert lines and lines[-1].startswith("race on moons: 30/30 steps")
    assert any("s left" in line for line in lines)


def test_race_progress_true_draws_a_bar(capsys):
    actviz.race(activations=["relu"], seeds=1, progress=True, **SMALL)
    err = capsys.readouterr().err
    assert "race on moons" in err and "30/30" in err


def test_bench_progress_lines_come_as_the_work_happens():
    lines: list[str] = []
    actviz.bench(["relu", "tanh"], ["moons", "xor"], seeds=1, progress=lines.append, **SMALL)
    starts = [i for i, line in enumerate(lines) if "training" in line]
    ends = [i for i, line in enumerate(lines) if line.startswith("[")]
    assert len(starts) == 2 and len(ends) == 2
    assert starts[0] < ends[0] < starts[1] < ends[1], lines  # not all announced up front


# -- arguments ---------------------------------------------------------------------------


def test_a_single_name_is_one_item():
    out = actviz.race(activations="relu", seeds=1, **SMALL)
    assert [e["activation"] for e in out.summary] == ["relu"]


def test_a_single_plugin_folder_string_is_one_folder(tmp_path):
    (tmp_path / "mine.py").write_text(
        "import torch\nfrom actviz import hookimpl, Activation\n"
        "@hookimpl\ndef actviz_activations():\n"
        "    return [Activation(name='nb_tanh2', fn=lambda x: torch.tanh(2 * x))]\n"
    )
    out = actviz.race(activations="nb_tanh2", seeds=1, plugins=str(tmp_path), **SMALL)
    assert out.summary[0]["activation"] == "nb_tanh2"


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"seeds": 2.5}, TypeError, "seeds must be a count"),
        ({"seeds": [-1, 2]}, ValueError, "0 or more"),
        ({"seeds": 0}, ValueError, "at least 1"),
        ({"hiden": (8,)}, TypeError, "unknown option 'hiden' (did you mean 'hidden'?)"),
        ({"plugins": "/no/such/folder"}, FileNotFoundError, "plugin folder not found"),
        ({"activations": 3}, TypeError, "activations must be a name or a list of names"),
    ],
)
def test_bad_arguments_raise_in_the_apis_words(kwargs, error, words):
    args = {"activations": ["relu"], "seeds": 1, "steps": 5, **kwargs}
    with pytest.raises(error) as info:
        actviz.race(**args)
    assert words in str(info.value)
    assert "RaceConfig" not in str(info.value) and "object is not" not in str(info.value)


def test_a_plugin_that_fails_validation_raises_with_the_reason(tmp_path):
    (tmp_path / "bad.py").write_text(
        "import torch\nfrom actviz import hookimpl, Activation\n"
        "@hookimpl\ndef actviz_activations():\n"
        "    return [Activation(name='nb_bad', fn=lambda x: torch.log(x))]\n"
    )
    with pytest.raises(ValueError, match=r"'nb_bad' did not load .*finite"):
        actviz.race(activations=["relu", "nb_bad"], seeds=1, plugins=[tmp_path], **SMALL)
