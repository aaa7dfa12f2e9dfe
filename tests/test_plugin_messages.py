"""Plugin errors that point at the fix, and the checks a GPU would make, run on a CPU.

Each plugin here is one a researcher wrote by mistake (issue 26): the message must name
the file and line, say what to write instead, and fail where a GPU race would fail.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from actviz.host.sources import import_file
from actviz.host.validation import validate_activation

HEAD = "import torch\nfrom actviz import hookimpl, Activation, Param\n"

IF_ON_TENSOR = HEAD + textwrap.dedent(
    """
    def f(x):
        if x > 0:
            return x
        return 0 * x

    @hookimpl
    def actviz_activations():
        return [Activation(name="ifx_msg", fn=f)]
    """
)

NO_DEVICE = HEAD + textwrap.dedent(
    """
    def f(x):
        half = torch.full(x.shape, 0.5, dtype=x.dtype)
        return x * torch.sigmoid(x) * (half + 0.5)

    @hookimpl
    def actviz_activations():
        return [Activation(name="nodev_msg", fn=f)]
    """
)

NUMPY_FN = HEAD + textwrap.dedent(
    """
    import numpy as np

    def f(x):
        return torch.as_tensor(np.tanh(x.detach().numpy()), device=x.device)

    @hookimpl
    def actviz_activations():
        return [Activation(name="numpy_msg", fn=f)]
    """
)

SQUAREPLUS = HEAD + textwrap.dedent(
    """
    @hookimpl
    def actviz_activations():
        return [Activation(
            name="squareplus_msg",
            fn=lambda x, b: (x + torch.sqrt(x * x + b)) / 2,
            params=[Param("b", default=4.0, min=0.0, max=10.0)],
        )]
    """
)

SIGN_ERROR = HEAD + textwrap.dedent(
    """
    import torch.nn.functional as F

    @hookimpl
    def actviz_activations():
        return [Activation(
            name="softplus_sign_msg",
            fn=lambda x, beta: F.softplus(x, beta=beta),
            derivative=lambda x, beta: -torch.sigmoid(beta * x),
            params=[Param("beta", default=1.0, min=0.5, max=2.0)],
        )]
    """
)

VECTOR_INDEX = HEAD + textwrap.dedent(
    """
    def f(x, p, q):
        return (p[0] + p[1] * x + p[2] * x * x) / (1 + (q[0] * x).abs() + (q[1] * x * x).abs())

    @hookimpl
    def actviz_activations():
        return [Activation(
            name="pade_msg",
            fn=f,
            params=[Param("p", default=[0.0, 1.0, 0.1], shape=(3,)),
                    Param("q", default=[0.1, 0.1], shape=(2,))],
        )]
    """
)

WRONG_BACKWARD = HEAD + textwrap.dedent(
    """
    class Tanh(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = torch.tanh(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * 2 * (1 - y * y)

    @hookimpl
    def actviz_activations():
        return [Activation(name="badgrad_msg", fn=lambda x: Tanh.apply(x))]
    """
)

HOOK_RAISES = HEAD + textwrap.dedent(
    """
    @hookimpl
    def actviz_activations():
        table = {}
        return [Activation(name="hook_msg", fn=table["missing"])]
    """
)


@pytest.fixture
def write(tmp_path):
    def make(text: str, name: str) -> Path:
        path = tmp_path / f"{name}.py"
        path.write_text(text)
        return path

    return make


def _report(path: Path):
    (act,) = import_file(path).actviz_activations()
    return validate_activation(act)


def test_if_on_a_tensor_names_file_line_and_torch_where(write):
    path = write(IF_ON_TENSOR, "ifx")
    report = _report(path)
    assert not report.ok
    assert f"{path} line 5" in report.error
    assert "torch.where" in report.error
    assert report.traceback and str(path) in report.traceback
    assert "actviz/host" not in report.traceback  # trimmed to the plugin's frames


def test_a_tensor_made_without_device_fails_on_a_cpu(write):
    path = write(NO_DEVICE, "nodev")
    report = _report(path)
    assert not report.ok
    assert report.error.startswith("device:")
    assert "torch.full" in report.error and f"{path} line 5" in report.error
    assert "full_like" in report.error and "new_full" in report.error


def test_a_tensor_made_with_x_device_passes(write):
    text = NO_DEVICE.replace("dtype=x.dtype)", "dtype=x.dtype, device=x.device)")
    assert _report(write(text, "dev_ok")).ok


def test_fn_without_a_gradient_graph_fails(write):
    report = _report(write(NUMPY_FN, "numpy_fn"))
    assert not report.ok
    assert "no gradient graph" in report.error and "numpy" in report.error


def test_parameter_at_its_min_is_checked_at_x_zero(write):
    report = _report(write(SQUAREPLUS, "squareplus"))
    assert not report.ok
    assert "x=0" in report.error and "b=0" in report.error


def test_derivative_sign_error_is_reported_near_the_curve_with_parameter_values(write):
    path = write(SIGN_ERROR, "sign")
    report = _report(path)
    assert not report.ok
    match = re.search(r"at x=(\S+?) with beta=1", report.error)
    assert match, report.error
    assert abs(float(match.group(1))) <= 10
    assert f"{path} line" in report.error


def test_vector_parameters_are_named_with_their_own_shapes_and_the_index_hint(write):
    report = _report(write(VECTOR_INDEX, "pade"))
    assert not report.ok
    assert "p is a tensor of shape [3, 1, 1, 3]" in report.error
    assert "q is a tensor of shape [3, 1, 1, 2]" in report.error
    assert "p[..., i]" in report.error
    assert "learnable" not in report.error  # neither parameter is learnable


def test_a_wrong_custom_backward_fails_the_gradient_check(write):
    report = _report(write(WRONG_BACKWARD, "badgrad"))
    assert not report.ok
    assert report.error.startswith("gradient:")
    assert "finite differences" in report.error


def test_every_builtin_still_passes():
    from actviz.host import PluginHost

    host = PluginHost(use_user_dir=False, use_entry_points=False, use_env=False, isolate=False)
    catalogue = host.load()
    assert [e.summary() for e in catalogue.errors] == []


def test_check_prints_file_line_and_hint_and_json_has_the_traceback(run_cli, write):
    path = write(IF_ON_TENSOR, "ifx_cli")
    code, out, _ = run_cli("check", str(path))
    assert code == 1
    assert f"{path} line 5" in out and "torch.where" in out
    code, out, _ = run_cli("check", "--json", str(path))
    error = json.loads(out)["errors"][0]
    assert error["traceback"] and f'File "{path}", line 5' in error["traceback"]


def test_list_json_fills_the_traceback(run_cli, write, tmp_path):
    write(IF_ON_TENSOR, "ifx_list")
    code, out, _ = run_cli("--plugins", str(tmp_path), "list", "--json")
    errors = [e for e in json.loads(out)["errors"] if e["plugin"] == "ifx_list"]
    assert errors and errors[0]["traceback"]
    assert "ifx_list.py" in errors[0]["traceback"]


def test_check_fails_on_a_missing_device(run_cli, write):
    code, out, _ = run_cli("check", str(write(NO_DEVICE, "nodev_cli")))
    assert code == 1
    assert "device=" in out


def test_a_raising_hook_names_its_line(run_cli, write):
    path = write(HOOK_RAISES, "hook_raises")
    code, out, _ = run_cli("check", str(path))
    assert code == 1
    assert f"{path} line 7" in out


def test_moving_x_to_the_cpu_fails(write):
    text = NO_DEVICE.replace(
        "half = torch.full(x.shape, 0.5, dtype=x.dtype)", "half = x.cpu() * 0 + 0.5"
    )
    report = _report(write(text, "tocpu"))
    assert not report.ok
    assert report.error.startswith("device:") and "CPU" in report.error


def test_plugins_panel_report_shows_the_plugin_traceback(write, tmp_path):
    pytest.importorskip("PySide6")
    from actviz.gui.panels.plugins import plugin_report
    from actviz.host import PluginHost

    write(IF_ON_TENSOR, "ifx_panel")
    host = PluginHost([tmp_path], use_user_dir=False, use_entry_points=False, use_env=False)
    catalogue = host.load()
    (record,) = [r for r in catalogue.plugins if r.name == "ifx_panel"]
    text = plugin_report(record)
    assert f'File "{tmp_path / "ifx_panel.py"}", line 5' in text
    assert "torch.where" in text


def test_a_race_failure_names_the_plugin_line(write):
    from actviz.host import load_catalogue
    from actviz.training import RaceConfig, run_race

    path = write(IF_ON_TENSOR, "ifx_race")
    (act,) = import_file(path).actviz_activations()
    task = load_catalogue(use_user_dir=False, use_entry_points=False, use_env=False).tasks["moons"]
    config = RaceConfig(
        task="moons", activations=["ifx_msg"], seeds=1, steps=2, boundary_grid=0, device="cpu"
    )
    run = run_race(config, {"ifx_msg": act}, task).runs[0]
    assert run.status == "failed"
    assert f"{path} line 5" in run.error and "torch.where" in run.error
