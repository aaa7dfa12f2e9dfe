"""Write plugin files: one from a typed formula, or the commented template to fill in.

Both files use only the public API (``from actviz import ...``) and torch, so
they load from any plugin folder exactly like a hand-written plugin.
"""

from __future__ import annotations

import ast
import os
import textwrap
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from ..api import Param
from .build import Formula, FormulaParts, activation_from, check_name
from .errors import FormulaError
from .sandbox import compile_bounded

TEMPLATE = "plugin_template.txt"
_PLACEHOLDER = "{{name}}"


class PluginWriteError(OSError):
    """The plugin file could not be written (the path exists, is read-only, ...)."""


def plugin_path(path: str | os.PathLike[str], name: str) -> Path:
    """The file to write: ``path`` itself if it ends in ``.py``, else ``path/NAME.py``."""
    p = Path(path).expanduser()
    if p.suffix == ".py" and not p.is_dir():
        return p
    return p / f"{name}.py"


def write_formula_plugin(
    path: str | os.PathLike[str],
    name: str,
    text: str,
    params: Sequence[Param] = (),
    *,
    description: str = "",
    overwrite: bool = False,
    limit_s: float | None = None,
) -> Path:
    """Write a plugin file computing the formula ``text`` and its symbolic derivative.

    ``path`` is the file, or a folder to write ``NAME.py`` into. The formula is
    compiled in the stoppable child (:mod:`.sandbox`, at most ``limit_s`` seconds)
    and its activation validated before anything is written. Raises
    :class:`FormulaError` for a bad, too complex or invalid formula,
    :class:`FileExistsError` when the file exists and ``overwrite`` is false,
    :class:`PluginWriteError` otherwise.
    """
    name = check_name(name)
    formula = compile_bounded(text, params, limit_s=limit_s)
    return write_compiled_plugin(path, name, formula, description=description, overwrite=overwrite)


def write_compiled_plugin(
    path: str | os.PathLike[str],
    name: str,
    formula: Formula,
    *,
    description: str = "",
    overwrite: bool = False,
) -> Path:
    """Write an already compiled ``formula`` as a plugin, refusing one that fails validation."""
    name = check_name(name)
    refuse_invalid(name, formula)
    target = plugin_path(path, name)
    _write(target, formula_plugin_source(name, formula, description=description), overwrite)
    return target


def refuse_invalid(name: str, formula: Formula) -> None:
    """Raise :class:`FormulaError` with the validation reason when the plugin would not load."""
    from ..host.validation import validate_activation

    report = validate_activation(activation_from(name, formula))
    if not report.ok:
        raise FormulaError(f"the plugin would fail validation: {report.error}")


def write_template(path: str | os.PathLike[str], name: str, *, overwrite: bool = False) -> Path:
    """Write the commented, working plugin template with ``name`` filled in."""
    name = check_name(name)
    target = plugin_path(path, name)
    _write(target, template_source(name), overwrite)
    return target


def template_source(name: str) -> str:
    """The template text for an activation called ``name``."""
    raw = resources.files("actviz").joinpath("templates", TEMPLATE).read_text(encoding="utf-8")
    return raw.replace(_PLACEHOLDER, check_name(name))


def formula_plugin_source(name: str, formula: FormulaParts, *, description: str = "") -> str:
    """Python source of a plugin file for ``formula`` (checked to parse)."""
    text = formula.text.strip()
    if any(c in text for c in "\"'\\\n\r"):  # the parser refuses these; never emit them
        raise ValueError("formula text contains quotes, backslashes or newlines")
    params = formula.params
    signature = ", ".join(["x", *(f"{p.name}={float(p.default)!r}" for p in params)])
    conversions = [f"    {p.name} = _as_tensor({p.name}, x)" for p in params]
    f_body = list(formula.f_lines)
    d_body = list(formula.d_lines)
    uses_math = any("math." in line for line in f_body + d_body)
    derivative_text = textwrap.fill(
        formula.derivative_text,
        width=80,
        initial_indent="    f'(x) = ",
        subsequent_indent="            ",
        break_on_hyphens=False,
    )
    description = description or f"Built from the formula {text}."
    lines = [
        f'"""{name}: an activation built from the formula ``{text}``.',
        "",
        "Written by actviz from the formula below; the derivative is the symbolic",
        "derivative of the formula, written out as torch code. Edit freely.",
        "",
        f"    f(x)  = {text}",
        derivative_text,
        '"""',
        "",
        "from __future__ import annotations",
        "",
        *(["import math", ""] if uses_math else []),
        "import torch",
        "",
        "from actviz import Activation, Param, hookimpl",
        "",
        f"FORMULA = {_quoted(text)}",
        f"DERIVATIVE = {_quoted(formula.derivative_text)}",
        f"LATEX = {_string(formula.latex)}",
        f"DERIVATIVE_LATEX = {_string(formula.derivative_latex)}",
        "",
        "",
        "def _as_tensor(value, x):",
        '    """Parameters arrive as floats (sliders) or tensors (learnable): make tensors."""',
        "    if isinstance(value, torch.Tensor):",
        "        return value",
        "    return torch.as_tensor(value, dtype=x.dtype, device=x.device)",
        "",
        "",
        f"def activation({signature}):",
        f'    """f(x) = {text}"""',
        *conversions,
        *f_body,
        "",
        "",
        f"def derivative({signature}):",
        '    """f\'(x), derived symbolically from the formula."""',
        *conversions,
        *d_body,
        "",
        "",
        "@hookimpl",
        "def actviz_activations():",
        "    return [",
        "        Activation(",
        f"            name={_quoted(name)},",
        "            fn=activation,",
        "            derivative=derivative,",
        *_params_lines(params),
        "            formula=LATEX,",
        f"            description={_quoted(description)},",
        '            family="formula",',
        "            extra={",
        '                "formula_text": FORMULA,',
        '                "derivative_text": DERIVATIVE,',
        '                "derivative_latex": DERIVATIVE_LATEX,',
        "            },",
        "        ),",
        "    ]",
        "",
    ]
    source = "\n".join(lines)
    ast.parse(source)  # our own output: a syntax error here is a bug, not user input
    return source


def _string(value: str) -> str:
    """A raw string literal when that is exact and readable, else ``repr``."""
    if '"' not in value and not value.endswith("\\") and "\n" not in value:
        return f'r"{value}"'
    return repr(value)


def _quoted(value: str) -> str:
    """A double-quoted literal for plain text, ``repr`` for anything needing escapes."""
    if value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return repr(value)


def _params_lines(params: Sequence[Param]) -> list[str]:
    if not params:
        return ["            params=[],"]
    return [
        "            params=[",
        *(f"                {_param(p)}," for p in params),
        "            ],",
    ]


def _param(p: Param) -> str:
    parts = [_quoted(p.name), f"default={float(p.default)!r}"]
    if p.min is not None:
        parts.append(f"min={float(p.min)!r}")
    if p.max is not None:
        parts.append(f"max={float(p.max)!r}")
    if p.learnable:
        parts.append("learnable=True")
    if p.description:
        parts.append(f"description={_quoted(p.description)}")
    return f"Param({', '.join(parts)})"


def _write(target: Path, source: str, overwrite: bool) -> None:
    """Write atomically (a watcher never sees half a file); refuse to replace unless asked."""
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} already exists")
    if target.is_dir():
        raise PluginWriteError(f"{target} is a folder, not a file")
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(source, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        reason = exc.strerror or str(exc)
        raise PluginWriteError(f"cannot write {target}: {reason}") from exc
