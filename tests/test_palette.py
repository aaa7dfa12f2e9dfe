"""One colour per activation: fixed by name, colour-blind-safe sets, dashes where colours repeat."""

from __future__ import annotations

from actviz.figures.palette import DARK, LIGHT, colour_for, slot, styles_for


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_the_common_builtins_have_distinct_fixed_colours():
    names = [
        "relu",
        "sigmoid",
        "tanh",
        "gelu",
        "silu",
        "softplus",
        "elu",
        "leaky_relu",
        "selu",
        "mish",
    ]
    assert len({colour_for(n) for n in names}) == len(names)
    assert colour_for("relu") == LIGHT[0] and colour_for("sigmoid") == LIGHT[1]


def test_a_name_keeps_its_colour_whatever_else_is_shown():
    assert styles_for(["tanh", "relu"])["relu"] == styles_for(["relu"])["relu"]
    assert colour_for("my_plugin_act") == colour_for("my_plugin_act")
    assert 0 <= slot("anything at all") < len(LIGHT)


def test_repeated_colours_get_line_styles():
    names = ["relu", "relu[a=0.1]", "relu[a=0.2]", "tanh"] + [f"act{i}" for i in range(8)]
    styles = styles_for(names)
    assert styles["relu"].line == "solid" and styles["relu[a=0.1]"].line == "dash"
    assert styles["relu[a=0.1]"].colour == styles["relu"].colour
    pairs = {(s.colour, s.line) for s in styles.values()}
    assert len(pairs) == len(names)


def test_dark_colours_stand_out_on_a_dark_background():
    background = _luminance("#1c1d20")
    assert all(_luminance(c) - background > 0.25 for c in DARK)
    assert all(_luminance(c) < 0.8 for c in LIGHT)  # none vanishes on white


def test_curves_told_apart_by_colour_alone_never_share_one():
    from actviz.figures.palette import FIXED, LIGHT, colour_for, distinct_colours

    names = ["relu", "tanh", "gelu", "sigmoid", "silu", "elu", "relu>tanh", "gelu>sigmoid"]
    colours = distinct_colours(names)
    assert list(colours) == names
    assert len(set(colours.values())) == len(names)
    for name in names:  # the common ones keep the colour they have everywhere else
        if name in FIXED:
            assert colours[name] == colour_for(name)
    many = [f"act{k}" for k in range(len(LIGHT) + 3)]
    assert len(set(distinct_colours(many).values())) == len(LIGHT)  # then colours repeat
