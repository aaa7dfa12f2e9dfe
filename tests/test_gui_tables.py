"""Tables tell the truth: each visible row reads the name and the values the model holds
for that name (at every window size, after sorting each column both ways and after
scrolling), and sorting reads as users expect (▲ = ascending = small to large, A-Z)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from tables import ASCENDING, DESCENDING, ordered, sort_arrow, visible_rows

from actviz.gui.main_window import MainWindow
from actviz.gui.panels.playground_table import Column, RowsModel, sorted_view
from actviz.gui.panels.properties_model import COLUMNS, SORT_ROLE
from actviz.gui.sorting import sort_key
from actviz.host import PluginHost

SIZES = [(1024, 700), (1600, 1000), (2560, 1440)]


@pytest.fixture
def window(qtbot, monkeypatch):
    for var in ("ACTVIZ_THEME", "ACTVIZ_TAB", "ACTVIZ_CURRENT", "ACTVIZ_SELECT"):
        monkeypatch.delenv(var, raising=False)
    w = MainWindow(PluginHost([], use_entry_points=False, use_env=False), watch=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    for panel in w.panels:
        panel.shutdown()


def _properties(window, qtbot):
    window.show_panel("properties")
    panel = window.panel("properties")

    def measured():
        panel.request_all()
        return all(n in panel.model.props for n in panel.model.names)

    qtbot.waitUntil(measured, timeout=60_000)
    return panel


def _check_rows(panel, where: str) -> int:
    """Every visible row's name and values against the model; returns rows checked."""
    rows = visible_rows(panel.table, panel.frozen.view)
    assert rows, f"{where}: no row visible"
    for row in rows:
        name = row[0]
        assert name in panel.model.names, f"{where}: {name!r} is not a row"
        for c, shown in row.items():
            if c == 0:
                continue
            want = panel.model.text(name, COLUMNS[c - 1].title)
            assert shown == want, f"{where}: {name} {COLUMNS[c - 1].title} shows {shown!r}"
        assert len(row) > 1, f"{where}: no value column visible beside {name}"
    return len(rows)


def test_properties_names_stand_beside_their_own_values(window, qtbot):
    """The frozen name column and the values, read by position: at three window sizes,
    after sorting every column both ways, scrolled to the top, middle and bottom, and
    scrolled right."""
    panel = _properties(window, qtbot)
    table = panel.table
    checked = 0
    for width, height in SIZES:
        window.resize(width, height)
        qtbot.wait(30)
        for column in range(table.model().columnCount()):
            for order in (ASCENDING, DESCENDING):
                table.sortByColumn(column, order)
                qtbot.wait(1)
                where = f"{width}x{height} sorted by {column} {order.name}"
                # the order on screen is the model's order by that column
                names = [table.model().index(r, 0).data() for r in range(table.model().rowCount())]
                values = [
                    sort_key(
                        panel.model.data(
                            panel.model.index(panel.model.names.index(n), column), SORT_ROLE
                        )
                    )
                    for n in names
                ]
                assert ordered(values, order == ASCENDING), where
                bar, side = table.verticalScrollBar(), table.horizontalScrollBar()
                for v in (0, bar.maximum() // 2, bar.maximum()):
                    bar.setValue(v)
                    for h in {0, side.maximum()}:
                        side.setValue(h)
                        qtbot.wait(1)
                        checked += _check_rows(panel, f"{where} scrolled {v},{h}")
                bar.setValue(0)
                side.setValue(0)
    assert checked > 1000  # many rows, not a vacuous pass


def test_properties_rows_have_one_height_in_both_columns(window, qtbot):
    panel = _properties(window, qtbot)
    window.resize(1024, 700)
    qtbot.wait(30)
    frozen, table = panel.frozen.view, panel.table
    for r in range(table.model().rowCount()):
        assert frozen.rowHeight(r) == table.rowHeight(r), r
    assert frozen.horizontalHeader().height() == table.horizontalHeader().height()


def test_clicking_the_name_header_sorts_the_table_a_to_z_then_z_to_a(window, qtbot):
    panel = _properties(window, qtbot)
    table, frozen = panel.table, panel.frozen.view
    table.sortByColumn(3, DESCENDING)
    frozen.horizontalHeader().sectionClicked.emit(0)
    names = [table.model().index(r, 0).data() for r in range(table.model().rowCount())]
    assert names == sorted(names, key=str.casefold)
    assert table.horizontalHeader().sortIndicatorOrder() == ASCENDING
    assert sort_arrow(frozen.horizontalHeader()) == "up"
    frozen.horizontalHeader().sectionClicked.emit(0)
    names = [table.model().index(r, 0).data() for r in range(table.model().rowCount())]
    assert names == sorted(names, key=str.casefold, reverse=True)
    assert sort_arrow(frozen.horizontalHeader()) == "down"
    # the rows on screen follow: the first visible name is the first in the order
    assert visible_rows(table, frozen)[0][0] == names[0]


def test_sort_arrow_points_up_for_ascending_in_every_sortable_table(window, qtbot):
    panel = _properties(window, qtbot)
    playground = window.panel("playground")
    compare = window.panel("compare")
    for view in (panel.table, playground.table, compare.table, compare.leader_table):
        window.set_current_panel(next(p for p in window.panels if p.isAncestorOf(view)))
        qtbot.wait(10)
        header = view.horizontalHeader()
        for order, arrow in ((ASCENDING, "up"), (DESCENDING, "down")):
            view.sortByColumn(1, order)
            qtbot.wait(1)
            assert sort_arrow(header) == arrow, view.model().headerData(1, header.orientation())


def test_results_sort_numbers_as_numbers_and_names_a_to_z():
    rows = [
        {"activation": "tanh", "final": 0.9389, "steps": 900},
        {"activation": "ReLU6", "final": 1.0, "steps": 80},
        {"activation": "elu", "final": None, "steps": 1000},
        {"activation": "Gelu", "final": 0.95, "steps": None},
    ]
    model = RowsModel(
        [
            Column("activation", "activation", lambda r: r["activation"]),
            Column("final", "final", lambda r: f"{r['final']}"),
            Column("steps", "steps", lambda r: f"{r['steps']}"),
        ]
    )
    model.set_rows(rows)
    view = sorted_view(model)

    def column(c):
        return [view.model().index(r, c).data() for r in range(view.model().rowCount())]

    view.sortByColumn(1, ASCENDING)
    assert column(1) == ["0.9389", "0.95", "1.0", "None"]  # small to large, missing last
    view.sortByColumn(1, DESCENDING)
    assert column(1) == ["1.0", "0.95", "0.9389", "None"]
    view.sortByColumn(2, ASCENDING)
    assert column(2) == ["80", "900", "1000", "None"]  # 80 < 900 although "80" > "1000"
    view.sortByColumn(0, ASCENDING)
    assert column(0) == ["elu", "Gelu", "ReLU6", "tanh"]  # A-Z whatever the case


def test_results_read_relu_cost_one_and_the_same_cost_in_a_second_race(open_playground, qtbot):
    from actviz.analysis import cost as cost_mod

    cost_mod.forget()
    window, panel = open_playground(("relu", "tanh"))
    form = panel.form
    form.task.setCurrentIndex(form.task.findData("moons"))
    form.points.setValue(80)
    form.seeds.setText("1")
    form.steps.setValue(20)

    def shown_costs():
        view = panel.table
        header = [
            view.model().headerData(c, Qt.Orientation.Horizontal)
            for c in range(view.model().columnCount())
        ]
        c = header.index("cost (x ReLU)")
        view.scrollTo(view.model().index(0, c))
        rows = visible_rows(view)
        return {r[0]: r[c] for r in rows}, {
            r[0]: view.model().index(i, c).data(Qt.ItemDataRole.ToolTipRole)
            for i, r in enumerate(rows)
        }

    costs = []
    for _ in range(2):
        with qtbot.waitSignal(panel.raceFinished, timeout=60_000):
            panel.train_button.click()
        qtbot.wait(10)
        costs.append(shown_costs())
    (first, tips), (second, _tips) = costs
    assert first["relu"] == "1.00"
    assert "by definition" in tips["relu"]
    assert "median of 31 rounds" in tips["tanh"] and "spread ±" in tips["tanh"]
    assert float(first["tanh"]) > 1.0
    assert second == first  # measured once, not again for the next race


@pytest.fixture
def many_runs(builtin_catalogue):
    """Enough stored runs to scroll at every size, some stopped or interrupted, some
    with long names."""
    from actviz.storage import RunStore, store_race
    from actviz.training import RaceConfig

    ids = []
    with RunStore() as store:
        for i in range(36):
            config = RaceConfig(
                task="moons", activations=["relu", "tanh"][: 1 + i % 2], seeds=1, steps=3,
                hidden=(4,), points=40,
            )  # fmt: skip
            run_id, _ = store_race(
                config, builtin_catalogue.activations, builtin_catalogue.tasks["moons"], store
            )
            ids.append(run_id)
            if i % 3 == 0:
                name = f"sweep {i} of the learning rate from 0.001 to 0.3, seed batch {i}"
                store._conn.execute("UPDATE runs SET name = ? WHERE id = ?", (name, run_id))
            if i % 5 == 1:
                status = "stopped" if i % 2 else "interrupted"
                store._conn.execute("UPDATE runs SET status = ? WHERE id = ?", (status, run_id))
    return ids


def test_compare_run_numbers_stand_beside_their_own_runs(window, qtbot, many_runs):
    window.show_panel("compare")
    compare = window.panel("compare")
    compare.refresh()
    table, frozen, model = compare.table, compare.frozen.view, compare.model
    qtbot.waitUntil(lambda: table.model().rowCount() == len(many_runs), timeout=10_000)
    by_id = {run["id"]: r for r, run in enumerate(model.runs)}
    checked = 0
    for width, height in SIZES:
        window.resize(width, height)
        qtbot.wait(30)
        for column in range(model.columnCount()):
            for order in (ASCENDING, DESCENDING):
                table.sortByColumn(column, order)
                bar, side = table.verticalScrollBar(), table.horizontalScrollBar()
                for v in (0, bar.maximum() // 2, bar.maximum()):
                    bar.setValue(v)
                    for h in {0, side.maximum()}:
                        side.setValue(h)
                        qtbot.wait(1)
                        where = f"{width}x{height} by {column} {order.name} at {v},{h}"
                        rows = visible_rows(table, frozen)
                        assert rows, where
                        for row in rows:
                            run_id = int(row[0].split()[0])
                            source = by_id[run_id]
                            for c, shown in row.items():
                                want = model.index(source, c).data()
                                assert shown == want, f"{where}: run {run_id} col {c}: {shown!r}"
                            checked += 1
    assert checked > 500
    # how a run ended is beside its number, which never scrolls away
    stopped = [r for r in model.runs if r["status"] == "stopped"]
    assert stopped and all(
        model.index(by_id[r["id"]], 0).data() == f"{r['id']} ■ stopped" for r in stopped
    )
    # a long name elides in the middle and its cell's tooltip has all of it
    assert table.textElideMode() == Qt.TextElideMode.ElideMiddle
    long = next(r for r in model.runs if r["name"].startswith("sweep"))
    assert model.index(by_id[long["id"]], 1).data(Qt.ItemDataRole.ToolTipRole) == long["name"]


def test_clicking_a_run_keeps_its_number_in_view(window, qtbot, many_runs):
    window.resize(1024, 700)
    window.show_panel("compare")
    compare = window.panel("compare")
    compare.refresh()
    table, frozen = compare.table, compare.frozen.view
    qtbot.waitUntil(lambda: table.model().rowCount() == len(many_runs), timeout=10_000)
    last = table.model().columnCount() - 1
    table.setCurrentIndex(table.model().index(2, last))  # what a click at the far right does
    table.scrollTo(table.model().index(2, last))
    qtbot.wait(10)
    assert table.horizontalScrollBar().value() > 0  # the view did scroll sideways
    row = next(r for r in visible_rows(table, frozen) if r[0] == table.model().index(2, 0).data())
    assert row[0].split()[0].isdigit()


def test_presentation_mode_scales_every_text_and_rows_stay_together(window, qtbot):
    """F5 for a classroom: tables, buttons, tabs, menus and the status bar take the large
    font (not only the plots), rows grow with it, and names still stand beside their own
    values after sorting and scrolling; leaving restores the usual font."""
    from PySide6.QtWidgets import QTabBar

    panel = _properties(window, qtbot)
    qtbot.waitUntil(lambda: not window.measurements.busy(), timeout=120_000)
    usual = panel.table.font().pointSizeF()
    window.presentation.enter()
    qtbot.wait(50)
    try:
        playground = window.panel("playground")
        texts = {
            "properties table": panel.table,
            "results table": playground.table,
            "train button": playground.train_button,
            "panel tabs": window.findChild(QTabBar),
            "menu": window.menuBar().actions()[0].menu(),
            "status bar": window.statusBar(),
        }
        for what, widget in texts.items():
            assert widget.font().pointSizeF() >= 16, what
        table = panel.table
        assert table.rowHeight(0) >= table.fontMetrics().height()
        assert panel.frozen.view.rowHeight(0) == table.rowHeight(0)
        checked = 0
        for column in (0, 3, 11):
            for order in (ASCENDING, DESCENDING):
                table.sortByColumn(column, order)
                bar = table.verticalScrollBar()
                for v in (0, bar.maximum()):
                    bar.setValue(v)
                    qtbot.wait(1)
                    checked += _check_rows(panel, f"presentation by {column} at {v}")
        assert checked > 20
    finally:
        window.presentation.leave()
    assert panel.table.font().pointSizeF() == usual
    assert window.menuBar().actions()[0].menu().font().pointSizeF() == usual
