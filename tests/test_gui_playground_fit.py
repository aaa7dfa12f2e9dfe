"""The Playground shares a small window sensibly: every result row is readable after a
race, the curves stack above the boundaries when the views are narrow, and the user's
own splitter position stands once dragged. Read back from the widgets, not timed."""

from __future__ import annotations

from PySide6.QtCore import Qt

SIX = ("relu", "tanh", "gelu", "sigmoid", "silu", "elu")


def _race(qtbot, window, panel, size):
    window.resize(*size)
    form = panel.form
    form.task.setCurrentIndex(form.task.findData("moons"))
    form.points.setValue(80)
    form.hidden.setText("6")
    form.seeds.setText("1")
    form.steps.setValue(30)
    with qtbot.waitSignal(panel.raceFinished, timeout=60_000):
        panel.train_button.click()
    qtbot.wait(100)


def _rows_in_view(table) -> list[str]:
    """The names of the result rows drawn wholly inside the table's viewport."""
    viewport = table.viewport().rect()
    shown = []
    for row in range(table.model().rowCount()):
        rect = table.visualRect(table.model().index(row, 0))
        if viewport.contains(rect):
            shown.append(table.model().index(row, 0).data())
    return shown


def test_every_result_row_shows_after_a_race_in_a_1024x700_window(open_playground, qtbot):
    window, panel = open_playground(SIX)
    _race(qtbot, window, panel, (1024, 700))
    assert sorted(_rows_in_view(panel.table)) == sorted(SIX)
    # and the views keep the larger part of the column
    sizes = panel.right_splitter.sizes()
    assert sizes[0] > sizes[1]


def test_the_curves_stack_above_the_boundaries_when_the_views_are_narrow(open_playground, qtbot):
    window, panel = open_playground(("relu", "tanh"))
    overview = panel.views.overview
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: overview.orientation() == Qt.Orientation.Vertical, timeout=3000)
    assert panel.curves.split.orientation() == Qt.Orientation.Horizontal  # loss | accuracy
    window.resize(2560, 1440)
    qtbot.waitUntil(lambda: overview.orientation() == Qt.Orientation.Horizontal, timeout=3000)
    assert panel.curves.split.orientation() == Qt.Orientation.Vertical


def test_a_dragged_results_splitter_stays_where_the_user_put_it(open_playground, qtbot):
    window, panel = open_playground(SIX)
    window.resize(1024, 700)
    qtbot.wait(100)
    splitter = panel.right_splitter
    total = sum(splitter.sizes())
    splitter.splitterMoved.emit(total - 60, 1)  # what a drag of the handle emits
    splitter.setSizes([total - 60, 60])
    wanted = splitter.sizes()[1]  # as small as the results box allows
    _race(qtbot, window, panel, (1024, 700))
    # six rows came and the results did not grow to show them (only the box's own
    # minimum, which its wrapped title row sets, may move it by a few pixels)
    assert splitter.sizes()[1] <= max(wanted, splitter.widget(1).minimumSizeHint().height())
    assert splitter.sizes()[1] < panel.results_room.wanted() - 40


def test_presenting_gives_the_plots_the_room_the_results_had(open_playground, qtbot):
    window, panel = open_playground(SIX)
    _race(qtbot, window, panel, (1024, 700))
    splitter = panel.right_splitter
    qtbot.waitUntil(lambda: splitter.sizes()[1] > 0, timeout=3000)
    window.presentation.enter()
    try:
        qtbot.waitUntil(
            lambda: splitter.sizes()[1] <= 0.25 * sum(splitter.sizes()) + 2, timeout=3000
        )
    finally:
        window.presentation.leave()
