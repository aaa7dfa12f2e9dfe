"""MNIST-1D's published table, trained again (slow: minutes on a CPU).

    pytest -m slow tests/test_reproduce_mnist1d.py

The targets are the issue's: the CNN at >= 90% (published 94%), the MLP within 56-76%
(published 68%), the shuffled control pulls the CNN below 65% while the MLP stays, the
GRU at >= 85% (published 91%) with 4,000 steps instead of 6,000.
"""

from __future__ import annotations

import pytest

from actviz.architectures.reproduce import ROWS, run_cell

pytest.importorskip("mnist1d")
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]
ROW = {r.key: r for r in ROWS}


def _mean(cat, row, task, steps=6000):
    (cell,) = run_cell(cat, ROW[row], task, ["relu"], 3, steps)
    return cell.mean


def test_cnn_reaches_ninety_and_loses_it_when_shuffled(builtin_catalogue):
    assert _mean(builtin_catalogue, "cnn", "mnist1d") >= 90.0
    assert _mean(builtin_catalogue, "cnn", "mnist1d_shuffled") < 65.0


def test_mlp_lands_near_the_published_figure_shuffled_or_not(builtin_catalogue):
    plain = _mean(builtin_catalogue, "mlp_plain", "mnist1d")
    assert 56.0 <= plain <= 76.0
    assert 56.0 <= _mean(builtin_catalogue, "mlp_plain", "mnist1d_shuffled") <= 76.0


def test_gru_reaches_eighty_five(builtin_catalogue):
    assert _mean(builtin_catalogue, "gru", "mnist1d", steps=4000) >= 85.0
