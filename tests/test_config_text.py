"""One set of rules for a race's settings typed as text: the command line, the
Playground's form and the notebook read seeds and widths the same way, and say what is
wrong in the same words."""

from __future__ import annotations

import pytest

from actviz.training.config_text import parse_seeds, parse_widths, seeds_value, widths_value


@pytest.mark.parametrize(
    "text, seeds",
    [("5", 5), ("0,3,7", [0, 3, 7]), ("0; 3 7", [0, 3, 7]), ("4,", [4]), (" 2 ", 2)],
)
def test_seeds_are_a_count_or_a_list(text, seeds):
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize("text", ["a", "1.5", "", "1,x"])
def test_bad_seeds_name_the_setting(text):
    with pytest.raises(ValueError) as err:
        parse_seeds(text)
    assert str(err.value).startswith("seeds: give a count or a list of integers, not ")


@pytest.mark.parametrize(
    "text, widths", [("8,8", (8, 8)), ("16", (16,)), ("4; 4 2", (4, 4, 2)), ("", ())]
)
def test_widths(text, widths):
    assert parse_widths(text) == widths


def test_bad_widths_name_the_setting():
    with pytest.raises(ValueError, match=r"^hidden: give widths like 8,8, not 'eight'$"):
        parse_widths("eight")


def test_the_notebook_takes_numbers_lists_or_the_same_text():
    assert seeds_value(3) == 3 and seeds_value((0, 2)) == [0, 2] and seeds_value("0,2") == [0, 2]
    assert widths_value([8, 4]) == (8, 4) and widths_value("8,4") == (8, 4)


def test_the_command_line_reports_the_shared_message_as_its_option(builtin_catalogue):
    from actviz.cli import build_parser
    from actviz.cli.train import UsageError, build_config

    args = build_parser().parse_args(["train", "--seeds", "0;2 5", "--hidden", "6 3"])
    config = build_config(args, builtin_catalogue)
    assert config.seeds == [0, 2, 5] and tuple(config.hidden) == (6, 3)
    bad = build_parser().parse_args(["train", "--seeds", "two"])
    with pytest.raises(UsageError) as err:
        build_config(bad, builtin_catalogue)
    assert str(err.value) == "--seeds: give a count or a list of integers, not 'two'"
