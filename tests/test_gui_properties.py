"""The Properties panel and the inspector: measured values, sorting, flags, deep signal."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest
from PySide6.QtCore import Qt

from actviz.gui.main_window import MainWindow
from actviz.gui.panels.properties_model import COLUMNS, SORT_ROLE
from actviz.host import PluginHost


@pytest.fixture
def window(qtbot, monkeypatch, tmp_path):
    for var in ("ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ACTVIZ_SELECT", "selu,sigmoid,relu")
    (tmp_path / "liar.py").write_text(
        textwrap.dedent(
            """
            import torch
            from actviz import Activation, hookimpl

            @hookimpl
            def actviz_activations():
                return [Activation(name="liar", fn=torch.tanh, output_range=(0.0, 1.0),
                                   smoothness="C0", zero_centered=False),
                        Activation(name="noisy", stochastic=True, smoothness="C0",
                                   fn=lambda x: torch.nn.RReLU().train()(x))]
            """
        )
    )
    w = MainWindow(PluginHost([tmp_path], use_entry_points=False, use_env=False))
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    w.show_panel("properties")
    qtbot.waitExposed(w)
    return w


def wait_measured(qtbot, w, names, kind="properties"):
    panel = w.panel("properties")
    store = panel.model.props if kind == "properties" else panel.model.costs

    def done():
        panel.request_all()
        return all(n in store for n in names)

    qtbot.waitUntil(done, timeout=30000)
    return panel


def test_table_shows_measured_values_of_known_activations(window, qtbot):
    panel = wait_measured(qtbot, window, ["sigmoid", "relu", "tanh"])
    model = panel.model
    assert model.value("sigmoid", "max |f′|") == pytest.approx(0.25, abs=1e-6)
    assert model.text("sigmoid", "max |f′|") == "0.25 @ 0"
    assert model.value("relu", "P(f′(z)=0)") == pytest.approx(0.5, abs=1e-3)
    assert abs(model.value("tanh", "E[f(z)]")) < 1e-9
    assert model.text("tanh", "E[f(z)]") == "0"
    assert model.text("relu", "range") == "[0, ∞]"
    assert model.text("hardtanh" if "hardtanh" in model.props else "relu", "continuity") == "C0"


def test_sorting_by_a_column_orders_by_value(window, qtbot):
    panel = wait_measured(qtbot, window, sorted(window.state.usable()))
    column = 1 + [c.title for c in COLUMNS].index("max |f′|")
    panel.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    top = panel.proxy.index(0, 0).data()
    assert top == "sine"  # slope w0 = 30 at 0
    values = [panel.proxy.index(r, column).data(SORT_ROLE) for r in range(panel.proxy.rowCount())]
    present = [v for v in values if v is not None]
    assert values[: len(present)] == sorted(present, reverse=True)  # unmeasured last


def test_costs_are_measured_relative_to_relu(window, qtbot):
    panel = wait_measured(qtbot, window, ["relu", "softmax"], kind="cost")
    assert 0.2 < panel.model.costs["relu"] < 5.0  # timing noise on a busy machine
    assert panel.model.costs["softmax"] > 2.0 * panel.model.costs["relu"]
    assert panel.model.text("softmax", "cost × ReLU") != "…"


def test_wrong_declarations_are_flagged_in_table_and_inspector(window, qtbot):
    panel = wait_measured(qtbot, window, ["liar"])
    flags = panel.model.text("liar", "declared vs measured")
    assert flags.startswith("⚠ 3:") and "range" in flags and "smoothness" in flags
    window.state.set_current("liar")
    qtbot.waitUntil(
        lambda: (
            window.inspector.compare.item(0, 2) is not None
            and "⚠" in window.inspector.compare.item(0, 2).text()
        ),
        timeout=10000,
    )
    texts = {
        window.inspector.compare.item(r, 0).text(): window.inspector.compare.item(r, 2).text()
        for r in range(window.inspector.compare.rowCount())
    }
    assert texts["output range"].startswith("⚠")
    assert texts["monotonic"] == "yes"
    assert "Disagreements" in window.inspector.flags.text()


def test_deep_signal_shows_selu_fixed_point_and_sigmoid_vanishing_gradient(window, qtbot):
    panel = window.panel("properties")

    def drawn():
        panel.request_all()
        return all(
            panel.deep_items[n]["act_var"].getData()[1] is not None for n in ("selu", "sigmoid")
        )

    qtbot.waitUntil(drawn, timeout=30000)
    selu_var = panel.deep_items["selu"]["act_var"].getData()[1]
    assert len(selu_var) == 50
    # The plot draws log10 of the variance; the exported columns hold the values.
    cols = panel.deep_columns("act_var")
    assert np.all(np.abs(cols["selu"] - 1.0) < 0.2)
    grad = panel.deep_columns("grad_var")
    assert grad["sigmoid"][0] < 1e-40 * grad["sigmoid"][-1]
    assert math.isclose(grad["selu"][-1], grad["sigmoid"][-1])  # same final loss gradient


def compare_texts(w):
    table = w.inspector.compare
    return {
        table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text())
        for r in range(table.rowCount())
    }


def test_moving_elu_alpha_raises_no_false_flag(window, qtbot):
    window.state.set_current("elu")
    window.state.set_param("elu", "alpha", 3.43)
    qtbot.waitUntil(
        lambda: "Every declared property agrees" in window.inspector.flags.text(), timeout=30000
    )
    texts = compare_texts(window)
    assert texts["output range"] == ("[-3.43, ∞]", "[-3.43, ∞]")
    assert texts["smoothness"] == ("C0", "C0")


def test_a_stochastic_activation_is_shown_as_such(window, qtbot):
    panel = wait_measured(qtbot, window, ["noisy"])
    assert panel.model.text("noisy", "continuity") == "stochastic"
    window.state.set_current("noisy")
    qtbot.waitUntil(lambda: "stochastic" in compare_texts(window), timeout=30000)
    assert compare_texts(window)["smoothness"] == ("C0", "stochastic")
