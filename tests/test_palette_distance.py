"""No two raced activations look alike: every pair of colours the Playground, Compare
and the figures can give two raced names differs by at least ``MIN_DISTANCE`` (CIEDE2000),
in both themes, over the whole catalogue."""

from __future__ import annotations

import itertools

import pytest

from actviz.figures.colour_distance import colour_distance, delta_e2000
from actviz.figures.palette import DARK, LIGHT, MIN_DISTANCE, colour_for, distinct_colours

# Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula", Table 1: pairs of
# CIELAB colours and their published differences (an implementation check by others).
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 2.8361, -74.0200), (50.0, 0.0, -82.7485), 3.4412),
    ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
    ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
    ((50.0, 2.5, 0.0), (58.0, 24.0, 15.0), 19.4535),
    ((50.0, 2.5, 0.0), (50.0, 3.1736, 0.5854), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((63.0109, -31.0961, -5.8663), (62.8187, -29.7946, -4.0864), 1.2630),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA)
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected):
    assert delta_e2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert delta_e2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_srgb_white_and_black_are_the_ends_of_lightness():
    assert colour_distance("#ffffff", "#ffffff") == 0
    assert colour_distance("#000000", "#ffffff") == pytest.approx(100, abs=0.1)


@pytest.mark.parametrize("palette", [LIGHT, DARK], ids=["light", "dark"])
def test_no_two_palette_colours_are_closer_than_the_minimum(palette):
    close = [
        (a, b, round(colour_distance(a, b), 1))
        for a, b in itertools.combinations(palette, 2)
        if colour_distance(a, b) < MIN_DISTANCE
    ]
    assert close == []


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_any_two_raced_names_of_the_catalogue_are_told_apart(builtin_catalogue, dark):
    names = sorted(builtin_catalogue.activations)
    assert len(names) > 30  # every built-in
    worst = min(
        (colour_distance(*distinct_colours([a, b], dark).values()), a, b)
        for a, b in itertools.combinations(names, 2)
    )
    assert worst[0] >= MIN_DISTANCE, worst
    # the pair reported by a user, in both the race and every other view
    assert colour_distance(colour_for("tanh", dark), colour_for("pade", dark)) >= MIN_DISTANCE


def test_a_race_of_ten_names_has_ten_colours_far_apart(builtin_catalogue):
    names = sorted(builtin_catalogue.activations)[:10]
    colours = list(distinct_colours(names).values())
    assert len(set(colours)) == 10
    assert min(colour_distance(a, b) for a, b in itertools.combinations(colours, 2)) >= (
        MIN_DISTANCE
    )
