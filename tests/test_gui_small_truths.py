"""Small things the window said wrong: a family header counting hidden entries, and the
last race's speed shown for a new race started paused with Step (F10)."""

from __future__ import annotations


def test_a_family_header_counts_what_the_search_shows(open_playground):
    window, _panel = open_playground(("relu",))
    tree = window.activation_list.tree
    groups = {tree.topLevelItem(i).text(0).split(" (")[0]: tree.topLevelItem(i)
              for i in range(tree.topLevelItemCount())}  # fmt: skip
    family, group = max(groups.items(), key=lambda kv: kv[1].childCount())
    total = group.childCount()
    assert total >= 3 and group.text(0) == f"{family} ({total})"
    first = group.child(0).text(0)
    window.activation_list.search.setText(first)
    shown = sum(not group.child(j).isHidden() for j in range(total))
    assert 1 <= shown < total
    assert group.text(0) == f"{family} ({shown} of {total})"
    window.activation_list.search.setText("")
    assert group.text(0) == f"{family} ({total})"


def test_a_new_race_started_with_step_shows_no_old_speed(open_playground, qtbot):
    _window, panel = open_playground(("relu", "tanh"))
    form = panel.form
    form.task.setCurrentIndex(form.task.findData("moons"))
    form.points.setValue(80)
    form.seeds.setText("1")
    form.steps.setValue(200)
    with qtbot.waitSignal(panel.raceFinished, timeout=60_000):
        panel.train_button.click()
    assert "steps/s" in panel.rate_label.text()
    assert panel.step_race(1)  # F10 on an idle Playground: a new race, paused after a step
    assert "steps/s" not in panel.rate_label.text()
    panel.stop_race()
    with qtbot.waitSignal(panel.raceFinished, timeout=60_000):
        panel.toggle_pause()


def test_every_view_tab_shows_at_1024(open_playground, qtbot):
    window, panel = open_playground(("relu",))
    window.resize(1024, 700)
    qtbot.wait(50)
    bar = panel.views.tabBar()
    assert not bar.usesScrollButtons()
    for i in range(bar.count()):
        assert bar.rect().contains(bar.tabRect(i)), bar.tabText(i)
        assert panel.views.tabToolTip(i) == bar.tabText(i)
