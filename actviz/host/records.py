"""Plain records of what a plugin load found: plugins, activations, errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..api import Activation
from ..paths import PLUGIN_HINT


@dataclass
class LoadError:
    """One thing that went wrong while loading a plugin, with enough to fix it."""

    plugin: str
    source: str
    stage: str  # import | register | hook | validate | duplicate
    message: str
    activation: str | None = None
    exception: str | None = None
    traceback: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "plugin": self.plugin,
            "source": self.source,
            "stage": self.stage,
            "activation": self.activation,
            "message": self.message,
            "exception": self.exception,
            "traceback": self.traceback,
        }

    def summary(self) -> str:
        where = f"{self.plugin}" + (f":{self.activation}" if self.activation else "")
        return f"[{self.stage}] {where}: {self.message}"


@dataclass
class PluginRecord:
    """A plugin module and what it contributed."""

    name: str
    source: str  # "built-in" | "entry point" | "folder"
    location: str
    version: str | None = None
    activations: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    lessons: list[str] = field(default_factory=list)
    architectures: list[str] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    #: Changes the plugin made to torch's global state (undone), and other notes.
    warnings: list[str] = field(default_factory=list)
    #: What the isolated check found (see :mod:`.verdicts`); ``None`` when none ran.
    verdict: Any = field(default=None, repr=False)

    @property
    def status(self) -> str:
        if not self.errors:
            return "ok"
        loaded = self.activations or self.tasks or self.lessons or self.architectures
        return "partial" if loaded else "error"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "location": self.location,
            "version": self.version,
            "status": self.status,
            "activations": list(self.activations),
            "tasks": list(self.tasks),
            "lessons": list(self.lessons),
            "architectures": list(self.architectures),
            "errors": [e.to_dict() for e in self.errors],
            "warnings": list(self.warnings),
        }


@dataclass
class ActivationEntry:
    """An activation as loaded: the object, where it came from, and whether it passed."""

    activation: Activation
    plugin: str
    source: str
    location: str
    error: LoadError | None = None
    report: Any = None  # the ValidationReport, when validation ran

    @property
    def name(self) -> str:
        return self.activation.name

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        data = self.activation.metadata()
        data.update(
            {
                "plugin": self.plugin,
                "source": self.source,
                "location": self.location,
                "status": "ok" if self.ok else "error",
                "error": self.error.message if self.error else None,
            }
        )
        return data


@dataclass
class Catalogue:
    """Everything one load produced. ``activations`` holds only the usable ones."""

    plugins: list[PluginRecord] = field(default_factory=list)
    entries: list[ActivationEntry] = field(default_factory=list)
    tasks: dict[str, Any] = field(default_factory=dict)
    lessons: dict[str, Any] = field(default_factory=dict)
    errors: list[LoadError] = field(default_factory=list)
    architectures: dict[str, Any] = field(default_factory=dict)

    @property
    def activations(self) -> dict[str, Activation]:
        return {e.name: e.activation for e in self.entries if e.ok}

    def copy(self) -> Catalogue:
        """A snapshot whose lists later loading does not change (for another thread)."""
        return Catalogue(
            list(self.plugins),
            list(self.entries),
            dict(self.tasks),
            dict(self.lessons),
            list(self.errors),
            dict(self.architectures),
        )

    @property
    def warnings(self) -> list[tuple[str, str]]:
        """``(plugin, warning)`` for every plugin, in load order."""
        return [(p.name, w) for p in self.plugins for w in p.warnings]

    def entry(self, name: str) -> ActivationEntry:
        for e in self.entries:
            if e.name == name and e.ok:
                return e
        for e in self.entries:
            if e.name == name:
                return e
        raise KeyError(name)

    def get(self, name: str) -> Activation:
        """Return a usable activation, or raise ``KeyError`` naming close matches."""
        acts = self.activations
        if name in acts:
            return acts[name]
        import difflib

        close = difflib.get_close_matches(name, list(acts), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        broken = [e for e in self.entries if e.name == name and not e.ok]
        if broken:
            raise KeyError(f"activation {name!r} failed to load: {broken[0].error.message}")
        raise KeyError(f"no activation named {name!r}{hint} ({PLUGIN_HINT})")

    def to_dict(self) -> dict[str, Any]:
        return {
            "activations": [e.to_dict() for e in self.entries],
            "plugins": [p.to_dict() for p in self.plugins],
            "tasks": sorted(self.tasks),
            "lessons": sorted(self.lessons),
            "architectures": sorted(self.architectures),
            "errors": [e.to_dict() for e in self.errors],
        }
