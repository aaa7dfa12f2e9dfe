"""Between a handout file's setup and the Playground's widgets: read the form and views
into plain data, and put plain data back into them.

Fields the form lists in ``PlaygroundForm.fields`` are handled here; one without a
known setter is filled by widget kind (combo, spin box, line edit, check box), and
whatever still reads back differently is named, never silently dropped.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from ..handouts.handout import NOT_IN_FORM
from ..training import layered
from ..training.config import RaceConfig
from ..training.features import FEATURES
from .panels.playground import PlaygroundPanel
from .panels.playground_form import PlaygroundForm

#: Fields that share a widget with another (params are edited with the activations).
ALIASES = {"params": "activations"}
#: Applied first: choosing a task resets points, noise and split to its defaults;
#: choosing an architecture shows its options at their defaults.
FIRST = ("task", "arch")


def lockable(form: PlaygroundForm) -> dict[str, str]:
    """The form's controls a handout can lock: field name -> the label the user sees."""
    out: dict[str, str] = {}
    for name, widget in form.fields.items():
        if name in ALIASES:
            continue
        out[name] = _label(widget) or name.replace("_", " ")
    return out


def _label(widget: QWidget) -> str:
    named = widget.property("lockLabel")  # a control inside a compound widget names itself
    if isinstance(named, str) and named:
        return named
    parent = widget.parentWidget()
    layouts = [parent.layout()] if parent is not None and parent.layout() is not None else []
    while layouts:  # the row's label, in the parent's layout or one nested in it
        layout = layouts.pop()
        if isinstance(layout, QFormLayout):
            label = layout.labelForField(widget)
            if isinstance(label, QLabel):
                return label.text().replace("&", "")
        children = (layout.itemAt(i).layout() for i in range(layout.count()))
        layouts.extend(child for child in children if child is not None)
    box = parent.title() if parent is not None and hasattr(parent, "title") else ""
    return str(box).split("(")[0].strip()


def form_setup(form: PlaygroundForm) -> dict[str, Any] | None:
    """The race the form describes as plain data, or ``None`` while a field is wrong."""
    config = form.config()
    return None if config is None else config.to_dict()


def apply_setup(panel: PlaygroundPanel, setup: dict[str, Any]) -> list[str]:
    """Put ``setup`` (already checked) into the form and the activation selection;
    returns what could not be restored, each named."""
    form, state = panel.form, panel.state
    problems: list[str] = []
    keys = [k for k in FIRST if k in setup] + [k for k in setup if k not in FIRST]
    for key in keys:
        value = setup[key]
        if key == "activations":
            names = list(value)
            state.set_selected([n for n in names if not layered.is_layered(n)])
            form.per_layer.setText(", ".join(n for n in names if layered.is_layered(n)))
        elif key == "features":
            problems += _set_features(form, value)
        elif key == "params":
            for act, values in value.items():
                for pname, v in values.items():
                    state.set_param(act, pname, v)
        elif key in NOT_IN_FORM:
            if value != getattr(RaceConfig(), key):
                problems.append(
                    f"{key}={value!r}: the Playground has no control for it; not restored"
                )
        elif key == "arch_options" and any(p.startswith("arch:") for p in problems):
            problems.append("arch_options: not restored (its architecture was not)")
        else:
            reason = _set_field(form, key, value)
            if reason:
                problems.append(f"{key}: {reason}")
    problems += _differences(form, setup, problems)
    return problems


def _set_features(form: PlaygroundForm, value: Any) -> list[str]:
    """Check exactly the listed extra inputs; unknown ones are named."""
    chosen = list(value) if isinstance(value, (list, tuple)) else []
    for fid, box in form.features.items():
        box.setChecked(fid in chosen)
    unknown = [str(f) for f in chosen if f not in FEATURES]
    return [f"features: unknown {', '.join(unknown)}; not restored"] if unknown else []


def _set_field(form: PlaygroundForm, key: str, value: Any) -> str | None:
    """Set one form field; why it could not be set (``None`` when it was)."""
    widget = form.fields.get(key)
    if widget is None:
        return "the Playground has no control for it; not restored"
    if key == "arch":
        return form.arch.set_arch(str(value))
    if key == "arch_options":
        problems = form.arch.set_options(value if isinstance(value, dict) else {})
        return "; ".join(p.partition(":")[2].strip() for p in problems) or None
    if key == "hidden":
        form.hidden.setText(", ".join(str(w) for w in value))
    elif key == "seeds":
        form.seeds.setText(str(value) if isinstance(value, int) else ", ".join(map(str, value)))
    elif key == "batch_size":
        form.batch.setText("" if value is None else str(value))
    elif key == "lr":
        form.lr.setText(repr(float(value)))
    elif key in ("points", "noise", "test_fraction") and value is None:
        return None  # the task's own default, set with the task
    elif key == "device" and form.device.findText(str(value)) < 0:
        return f"{value!r} is not available on this machine; kept {form.device.currentText()!r}"
    else:
        return _set_widget(widget, value)
    return None


def _set_widget(widget: QWidget, value: Any) -> str | None:
    """Set a widget by its kind (fields added to the form later need no code here)."""
    if isinstance(widget, QComboBox):
        index = widget.findData(value)
        if index < 0:
            index = widget.findText(str(value))
        if index < 0:
            return f"{value!r} is not one of the choices; not restored"
        widget.setCurrentIndex(index)
    elif isinstance(widget, QSpinBox) and isinstance(value, int) and not isinstance(value, bool):
        widget.setValue(value)
    elif isinstance(widget, QDoubleSpinBox) and isinstance(value, (int, float)):
        widget.setValue(float(value))
    elif isinstance(widget, QLineEdit):
        text = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
        widget.setText(text)
    elif isinstance(widget, QAbstractButton) and widget.isCheckable() and isinstance(value, bool):
        widget.setChecked(value)
    else:
        return f"cannot be set from {value!r}; not restored"
    return None


def _differences(form: PlaygroundForm, setup: dict[str, Any], named: list[str]) -> list[str]:
    """Fields that read back differently from the handout (a spin box's range, ...)."""
    config = form.config()
    if config is None:
        return [f"the restored form has problems: {'; '.join(form.problems)}"]
    now = config.to_dict()
    already = {p.split(":", 1)[0].split("=", 1)[0] for p in named}
    out = []
    for key, value in setup.items():
        if key in already or key not in now or key in NOT_IN_FORM:
            continue
        if key in ("points", "noise", "test_fraction") and value is None:
            continue
        if key == "arch_options" and isinstance(value, dict):
            value = form.arch.normalised(value)  # an option at its default reads back as unset
        if not _same(now[key], value):
            out.append(f"{key}: the form shows {now[key]!r}, the handout has {value!r}")
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def view_state(window: Any, panel: PlaygroundPanel) -> dict[str, Any]:
    """What the Playground's views show now (see ``handouts.VIEW_FIELDS``)."""
    curves = panel.curves
    return {
        "tab": "playground",
        "playground_view": panel.views.currentIndex(),
        "log_loss": curves.log_scale.isChecked(),
        "show_train": curves.show_train.isChecked(),
        "smoothing": curves.weight(),
        "threshold": panel.threshold.value(),
    }


def apply_view(window: Any, panel: PlaygroundPanel, view: dict[str, Any]) -> list[str]:
    """Show what ``view`` names; returns what could not be shown."""
    problems = []
    tab = view.get("tab", "playground")
    if window.panel(tab) is None:
        problems.append(f"view.tab: there is no panel {tab!r}; the Playground is shown")
        tab = "playground"
    window.show_panel(tab)
    index = view.get("playground_view")
    if index is not None:
        if index < panel.views.count():
            panel.views.setCurrentIndex(index)
        else:
            problems.append(f"view.playground_view: there is no view {index}; not restored")
    curves = panel.curves
    if "log_loss" in view:
        curves.log_scale.setChecked(view["log_loss"])
    if "show_train" in view:
        curves.show_train.setChecked(view["show_train"])
    if "smoothing" in view:
        curves.smoothing.setValue(round(view["smoothing"] * 100))
    if "threshold" in view:
        panel.threshold.setValue(view["threshold"])
    return problems
