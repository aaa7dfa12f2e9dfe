"""The Curves panel driven through its real widgets: selection, sliders, crosshair, marks."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from actviz.analysis.decimate import peak_decimate
from actviz.gui.main_window import MainWindow
from actviz.host import PluginHost


@pytest.fixture
def make_window(qtbot, monkeypatch):
    for var in ("ACTVIZ_SELECT", "ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT"):
        monkeypatch.delenv(var, raising=False)

    def make(plugin_dirs=(), select=None):
        if select is not None:
            monkeypatch.setenv("ACTVIZ_SELECT", ",".join(select))
        w = MainWindow(PluginHost(plugin_dirs, use_entry_points=False, use_env=False))
        qtbot.addWidget(w)
        w.resize(1400, 900)
        w.show()
        qtbot.waitExposed(w)
        w.curves.flush()
        return w

    return make


def f_data(window, name, row="f"):
    x, y = window.curves.items[name][row].getData()
    return np.asarray(x), np.asarray(y)


def test_window_has_title_tabs_and_counts(make_window):
    w = make_window()
    assert "actviz" in w.windowTitle()
    tabs = [w.tabs.tabText(i) for i in range(w.tabs.count())]
    assert tabs[:2] == ["Curves", "Properties"] and "Plugins" in tabs
    assert "activations ok" in w.counts_label.text()
    assert w.device_label.text() in ("CPU",) or w.device_label.text().startswith("CUDA")


def test_checking_an_activation_draws_it_and_unchecking_removes_it(make_window, qtbot):
    w = make_window(select=["relu"])
    item = w.activation_list.item("elu")
    item.setCheckState(0, Qt.CheckState.Checked)
    assert "elu" in w.state.selected
    qtbot.waitUntil(lambda: "elu" in w.curves.data, timeout=3000)
    data = w.curves.data["elu"]
    assert data.f[np.argmin(np.abs(data.x - 1.0))] == pytest.approx(1.0, abs=1e-2)
    assert data.f[0] == pytest.approx(math.expm1(-6.0), abs=1e-6)
    assert len(f_data(w, "elu")[1]) > 100  # and it is drawn
    labels = [label.text for _sample, label in w.curves.legend.items]
    assert "elu" in labels
    item.setCheckState(0, Qt.CheckState.Unchecked)
    assert "elu" not in w.curves.items
    assert "elu" not in [label.text for _s, label in w.curves.legend.items]


def test_moving_a_slider_redraws_with_the_new_parameter(make_window, qtbot):
    w = make_window(select=["leaky_relu", "relu"])
    w.state.set_current("leaky_relu")
    slider = w.inspector.sliders["negative_slope"]
    relu_before = f_data(w, "relu")[1].copy()
    slider.slider.setValue(0.3)
    qtbot.waitUntil(lambda: abs(w.state.params_for("leaky_relu")["negative_slope"] - 0.3) < 1e-9)
    w.curves.flush()
    x, y = f_data(w, "leaky_relu")  # what is drawn
    assert y[0] == pytest.approx(-6.0 * 0.3)
    assert np.nanmin(y) == pytest.approx(-6.0 * 0.3)
    assert w.curves.data["leaky_relu"].d1[0] == pytest.approx(0.3)
    assert slider.value() == pytest.approx(0.3)
    assert np.array_equal(f_data(w, "relu")[1], relu_before)


def test_crosshair_reads_every_curve_at_x(make_window):
    w = make_window(select=["sigmoid", "tanh", "relu"])
    w.curves.set_crosshair(0.0)
    values = w.curves.readout_values()
    assert values["sigmoid"][:2] == pytest.approx((0.5, 0.25))
    assert values["tanh"][:2] == pytest.approx((0.0, 1.0))
    table = w.curves.readout
    rows = {table.item(r, 0).text(): r for r in range(table.rowCount())}
    assert table.item(rows["sigmoid"], 2).text() == "0.25"
    w.curves.set_crosshair(2.0)
    assert w.curves.readout_values()["relu"][0] == pytest.approx(2.0, abs=1e-9)
    assert w.curves.readout_title.text() == "x = 2"


def test_notable_points_and_shading(make_window):
    w = make_window(select=["sigmoid", "gelu", "relu"])
    w.state.set_current("sigmoid")
    labels = [m.label for m in w.curves.notable()]
    assert any(label.startswith("max f′ = 0.25 at x = 0") for label in labels)
    w.state.set_current("gelu")
    gelu_min = [m for m in w.curves.notable() if m.label.startswith("min f")]
    assert gelu_min and gelu_min[0].y == pytest.approx(-0.17, abs=1e-3)
    w.state.set_current("relu")
    w.curves.dead.setChecked(True)
    shown = [r for r in w.curves._regions["f"] if r.isVisible()]
    assert len(shown) == 1
    lo, hi = shown[0].getRegion()
    assert lo == pytest.approx(-6.0) and hi == pytest.approx(0.0, abs=1e-2)


def test_f_second_derivative_can_be_hidden_and_shown(make_window):
    w = make_window(select=["gelu"])
    w.curves.set_row_visible("d2", False)
    assert not w.curves.widgets["d2"].isVisible()
    w.curves.set_row_visible("d2", True)
    w.curves.flush()
    x, d2 = w.curves.data["gelu"].x, w.curves.data["gelu"].d2
    assert d2[np.argmin(np.abs(x))] == pytest.approx(2 / math.sqrt(2 * math.pi), abs=1e-3)


def test_vector_activations_get_their_own_view(make_window):
    w = make_window(select=["softmax", "glu"])
    view = w.curves.vector_view
    assert view.isVisible()
    view.combo.setCurrentText("softmax")
    cols = view.line_columns()
    total = cols["output 1"] + cols["output 2"] + cols["output 3"]
    assert np.allclose(total, 1.0)
    view.combo.setCurrentText("glu")
    heat = view.heat_columns()
    a, b, out = heat["x1"], heat["x2"], heat["output"]
    assert np.allclose(out, a / (1 + np.exp(-b)))
    w.state.set_selected(["relu"])
    assert not view.isVisible()


def test_a_plugin_raising_for_a_parameter_is_reported_not_fatal(make_window, tmp_path, qtbot):
    (tmp_path / "picky.py").write_text(
        textwrap.dedent(
            """
            import torch
            from actviz import Activation, Param, hookimpl

            def fn(x, a=1.0):
                # Validation tries the default, min and max; 3.0 is none of those.
                if 2.5 < a < 3.5:
                    raise ValueError("a must stay below 2")
                return torch.tanh(a * x)

            @hookimpl
            def actviz_activations():
                return [Activation(name="picky", fn=fn, params=[Param("a", 1.0, 0.1, 5.0)])]
            """
        )
    )
    w = make_window([tmp_path], select=["picky", "relu"])
    messages = []
    w.state.message.connect(messages.append)
    w.state.set_param("picky", "a", 3.0)
    w.curves.flush()
    assert any("a must stay below 2" in m for m in messages)
    assert "picky" in w.curves.failed
    assert "a must stay below 2" in w.statusBar().currentMessage()
    assert len(w.curves.data["relu"].f) == w.state.points  # the others keep working
    assert len(f_data(w, "relu")[1]) > 0
    w.state.set_param("picky", "a", 1.5)
    w.curves.flush()
    assert "picky" not in w.curves.failed


def test_many_curves_with_many_points_draw(make_window, qtbot):
    names = [
        "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "mish", "softplus", "tanh",
        "sigmoid", "hardtanh", "hardswish", "softsign", "sine", "gaussian", "relu6",
        "celu", "logsigmoid", "tanhshrink", "softshrink",
    ]  # fmt: skip
    w = make_window(select=names)
    w.curves.set_row_visible("d2", False)
    w.state.set_x_range(-8.0, 8.0, 10_000)
    w.curves.flush()
    assert all(len(w.curves.data[n].f) == 10_000 for n in names)
    pixels = w.curves.widgets["f"].getPlotItem().vb.width()
    for n in names:  # drawn as per-pixel extremes: fewer points, same envelope
        x, y = f_data(w, n)
        assert len(y) <= 2 * pixels + 64
        assert np.nanmax(y) == pytest.approx(np.nanmax(w.curves.data[n].f))
        assert np.nanmin(y) == pytest.approx(np.nanmin(w.curves.data[n].f))
    w.curves.widgets["f"].grab()


def test_peak_decimation_keeps_jumps_and_extremes():
    x = np.linspace(-1, 1, 10_001)
    y = np.where(x > 0.123, 1.0, 0.0)
    y[5000] = 7.0  # a one-sample spike
    dx, dy = peak_decimate(x, y, 500, -1.0, 1.0)
    assert len(dx) < 1100 and np.all(np.diff(dx) >= 0)
    assert dy.max() == 7.0 and dy.min() == 0.0
    after_spike = dx > 0.05
    step_at = dx[after_spike][np.argmax(dy[after_spike] > 0.5)]
    assert step_at == pytest.approx(0.123, abs=2 * 2 / 500)
    zx, zy = peak_decimate(x, y, 500, 0.5, 0.6)  # zoomed in: the raw samples
    assert zx[0] <= 0.5 <= 0.6 <= zx[-1] and len(zx) < 600


def test_moving_the_mouse_over_a_plot_moves_the_crosshair(make_window, qtbot):
    w = make_window(select=["sigmoid"])
    qtbot.wait(50)  # the readout takes its width first; the plots' geometry then stands
    plot = w.curves.widgets["d1"].getPlotItem()
    scene_pos = plot.vb.mapViewToScene(QPointF(1.5, 0.1))
    plot.scene().sigMouseMoved.emit(scene_pos)
    qtbot.waitUntil(lambda: w.curves.readout_title.text() != "x = 0", timeout=3000)
    x = float(w.curves.readout_title.text().split("=")[1])
    assert x == pytest.approx(1.5, abs=0.05)
    s = 1 / (1 + math.exp(-x))
    assert w.curves.readout_values()["sigmoid"][1] == pytest.approx(s * (1 - s), abs=1e-4)


def test_a_refused_x_range_puts_the_boxes_back(make_window):
    w = make_window(select=["relu"])
    w.state.set_x_range(-2.0, 6.0, 501)
    messages = []
    w.state.message.connect(messages.append)
    w.curves.x_lo.setValue(10.0)  # "from" above "to": refused
    assert messages and "from < to" in messages[-1]
    assert w.state.x_range == (-2.0, 6.0)
    assert (w.curves.x_lo.value(), w.curves.x_hi.value()) == (-2.0, 6.0)


def test_the_points_box_and_the_state_agree_on_the_fewest_points(make_window):
    w = make_window(select=["relu"])
    fewest = w.curves.points.minimum()
    w.state.set_x_range(-1.0, 1.0, 2)  # below the box's minimum: refused
    assert w.state.points != 2 and w.curves.points.value() == w.state.points
    w.state.set_x_range(-1.0, 1.0, fewest)
    w.curves.flush()
    assert w.state.points == fewest == w.curves.points.value()
    assert len(w.curves.data["relu"].f) == fewest
