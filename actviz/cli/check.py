"""``actviz check FILE``: validate one plugin file the way the app will load it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..host import PluginHost
from ..host.sources import builtin_dir


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="validate a plugin file: exit 0 if every activation passes, 1 otherwise",
    )
    p.add_argument("path", type=Path, help="the plugin file (.py)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path: Path = args.path.expanduser()
    if not path.is_file():
        print(f"actviz check: no such file: {path}", file=sys.stderr)
        return 1
    if path.suffix != ".py":
        print(f"actviz check: {path} is not a Python file (.py)", file=sys.stderr)
        return 1
    # Built-ins are loaded too so a name clash with them is reported, unless this is one.
    is_builtin = path.resolve().parent == builtin_dir().resolve()
    host = PluginHost(
        use_user_dir=False,
        use_entry_points=False,
        use_env=False,
        include_builtins=not is_builtin,
        plugin_files=[path],
    )
    catalogue = host.load()
    location = str(path.resolve())
    records = [r for r in catalogue.plugins if r.location == location]
    entries = [e for e in catalogue.entries if e.location == location]
    errors = [e for r in records for e in r.errors]
    gave = sum(len(r.activations) + len(r.tasks) + len(r.lessons) for r in records)
    ok = not errors and gave > 0
    if args.json:
        data = {
            "path": location,
            "ok": ok,
            "activations": [
                {
                    **e.to_dict(),
                    "checks": [
                        {"name": c.name, "ok": c.ok, "detail": c.detail}
                        for c in (e.report.checks if e.report else [])
                    ],
                }
                for e in entries
            ],
            "errors": [e.to_dict() for e in errors],
        }
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0 if ok else 1
    print(f"{location}")
    for entry in entries:
        mark = "ok" if entry.ok else "FAILED"
        print(f"  {entry.name}: {mark}")
        for check in entry.report.checks if entry.report else []:
            detail = f" ({check.detail})" if check.detail else ""
            print(f"    [{'x' if check.ok else ' '}] {check.name}{detail}")
    for error in errors:
        print(f"  error: {error.summary()}")
        if error.traceback and error.stage in ("import", "hook"):
            print("    " + error.traceback.rstrip().splitlines()[-1])
    if gave == 0 and not errors:
        print("  error: the file defines no actviz hook (e.g. @hookimpl def actviz_activations())")
    print("ok" if ok else "FAILED")
    return 0 if ok else 1
