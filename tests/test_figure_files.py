"""Exported figures read by renderers actviz did not write: librsvg and cairosvg for SVG,
poppler for PDF, Pillow for PNG. Same figure at 800x600: the curves are where the PNG
has them, relu's kink sits on the x=0 tick, curves stay inside their axes, a curve is a
line (not a filled band), text is text, and every PDF font is embedded."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from actviz.analysis.curves import evaluate, grid
from actviz.figures import Size, render_bytes, style_named
from actviz.figures.boundaries import boundaries
from actviz.figures.curves import curve_stack
from actviz.figures.palette import colour_for
from actviz.figures.runs import overlay
from actviz.storage import RunStore, store_race
from actviz.training import RaceConfig
from actviz.training.events import Started

W, H = 800, 600
SIZE = Size(W / 100, H / 100, 100.0)
needs_tools = pytest.mark.skipif(
    not (shutil.which("rsvg-convert") and shutil.which("pdftoppm") and shutil.which("pdffonts")),
    reason="librsvg2-bin and poppler-utils are installed by scripts/install.sh --test",
)
pytestmark = needs_tools


# -- rasterising with other people's renderers --------------------------------------------


def _rgb(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    white = Image.new("RGBA", image.size, "white")
    return np.asarray(Image.alpha_composite(white, image).convert("RGB"), dtype=int)


def rasters(fig, style="screen") -> dict[str, np.ndarray]:
    """The figure as PNG (matplotlib's Agg) and as SVG and PDF drawn by librsvg,
    cairosvg and poppler, every one 800x600."""
    import cairosvg

    style = style_named(style)
    svg = render_bytes(fig, "svg", style, SIZE)
    pdf = render_bytes(fig, "pdf", style, SIZE)
    out = {"png": _rgb(render_bytes(fig, "png", style, SIZE))}
    out["rsvg"] = _rgb(
        subprocess.run(
            ["rsvg-convert", "-w", str(W), "-h", str(H)], input=svg, capture_output=True, check=True
        ).stdout
    )
    out["cairosvg"] = _rgb(cairosvg.svg2png(bytestring=svg, output_width=W, output_height=H))
    out["pdftoppm"] = _rgb(
        subprocess.run(
            ["pdftoppm", "-png", "-scale-to-x", str(W), "-scale-to-y", str(H), "-singlefile", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout
    )
    for name, image in out.items():
        assert image.shape == (H, W, 3), name
    return out


def mask(image: np.ndarray, colour: str, tolerance: float = 60) -> np.ndarray:
    """Pixels within ``tolerance`` (RGB distance) of ``colour``."""
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return np.linalg.norm(image - target, axis=2) <= tolerance


def dilate(m: np.ndarray, r: int) -> np.ndarray:
    out = m.copy()
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            out |= np.roll(np.roll(m, dy, 0), dx, 1)
    return out


def assert_same_place(a: np.ndarray, b: np.ndarray, what: str, r: int = 2) -> None:
    """Every pixel of each mask lies within ``r`` px of the other (aside from fringes:
    where curves overlap, renderers blend the antialiased edges differently, so at most
    1% of the pixels may miss)."""
    assert a.sum() > 200 and b.sum() > 200, f"{what}: a mask is (nearly) empty"
    for x, y, label in ((a, b, "first"), (b, a, "second")):
        missed = (x & ~dilate(y, r)).sum() / x.sum()
        assert missed < 0.01, f"{what}: {missed:.2%} of the {label} mask is > {r} px off"


def dark_lines(image: np.ndarray) -> np.ndarray:
    """Dark grey pixels: the axes' ink (#222222), not a dark curve colour."""
    grey = image.max(axis=2) - image.min(axis=2) < 30
    return grey & (image.sum(axis=2) < 3 * 170)  # a 1 px line split over 2 px still counts


def spines(image: np.ndarray) -> tuple[list[int], list[int]]:
    """Rows of horizontal axis lines and columns of vertical ones (long dark runs)."""
    dark = dark_lines(image)
    rows = [y for y in range(H) if dark[y].sum() > 0.4 * W]
    cols = [x for x in range(W) if dark[:, x].sum() > 0.6 * dark.sum(axis=0).max()]
    return _groups(rows), _groups(cols)


def _groups(indices: list[int]) -> list[int]:
    """Runs of neighbouring indices, each as its first index."""
    return [i for k, i in enumerate(indices) if k == 0 or i - indices[k - 1] > 1]


def tick_columns(image: np.ndarray, spine_row: int) -> list[float]:
    """Centres of the tick marks hanging below a horizontal spine."""
    ink = image.sum(axis=2) < 500
    below = spine_row
    while ink[below].sum() > 0.4 * W:  # past the spine (1-2 px thick)
        below += 1
    cols = np.flatnonzero(ink[below : below + 2].all(axis=0))  # ticks hang ~3 px below
    groups: list[list[int]] = []
    for c in cols:
        if groups and c - groups[-1][-1] <= 1:
            groups[-1].append(c)
        else:
            groups.append([c])
    return [float(np.mean(g)) for g in groups]


# -- the figures, from real curves and real stored races ------------------------------------


@pytest.fixture(scope="module")
def stack(builtin_catalogue):
    xs = grid(-6, 6, 2001)
    # relu last: drawn on top, its flat left part is not hidden under sigmoid's tail
    sets = [evaluate(builtin_catalogue.get(n), xs) for n in ("tanh", "sigmoid", "relu")]
    return curve_stack(sets, ["f", "d1", "d2"])


@pytest.fixture(scope="module")
def races(builtin_catalogue, tmp_path_factory):
    """Two races stored in a real run database and loaded back, as Compare shows them."""
    started = []
    ids = []
    with RunStore(tmp_path_factory.mktemp("db") / "runs.sqlite") as store:
        for acts in (["relu", "tanh"], ["relu", "gelu"]):
            config = RaceConfig(
                task="moons", activations=acts, seeds=2, steps=60, hidden=(8,), points=120,
                boundary_grid=32,
            )  # fmt: skip
            run_id, _ = store_race(
                config,
                builtin_catalogue.activations,
                builtin_catalogue.tasks["moons"],
                store,
                on_event=lambda e: started.append(e) if isinstance(e, Started) else None,
            )
            ids.append(run_id)
        runs = [store.load_run(i) for i in ids]
    return runs, started[0]


@pytest.fixture(scope="module")
def decision(races):
    runs, started = races
    grids = {
        m["activation"]: np.asarray(m["final_grid"]) for m in runs[0]["runs"] if m["seed"] == 0
    }
    return boundaries(grids, started.domain, (started.data["x_train"], started.data["y_train"]))


# -- the checks ---------------------------------------------------------------------------------


def coloured(image: np.ndarray) -> np.ndarray:
    """Ink of any curve: saturated pixels (axes, text and grid are grey)."""
    return image.max(axis=2) - image.min(axis=2) > 60


def test_curves_stack_is_drawn_alike_by_every_renderer(stack):
    images = rasters(stack)
    f_panel = spines(images["png"])[0][0]  # rows above the first panel's x axis
    for other in ("rsvg", "cairosvg", "pdftoppm"):
        # every curve of every panel
        assert_same_place(coloured(images["png"]), coloured(images[other]), f"curves {other}")
        # each activation by its colour where the curves are apart (in f'' they meet at 0
        # and each renderer blends the overlap its own way)
        for name in ("relu", "tanh", "sigmoid"):
            reference = mask(images["png"], colour_for(name))[:f_panel]
            theirs = mask(images[other], colour_for(name))[:f_panel]
            assert_same_place(reference, theirs, f"{name} {other}")


def test_relu_kink_lands_on_the_zero_tick_and_curves_stay_in_their_axes(stack):
    for renderer, image in rasters(stack).items():
        rows, cols = spines(image)
        assert len(rows) == 3 and len(cols) == 1, (renderer, rows, cols)  # 3 panels, one x
        left = cols[0]
        ticks = tick_columns(image, rows[-1])
        assert len(ticks) == 7, (renderer, ticks)  # -6 -4 -2 0 2 4 6
        zero, right = ticks[3], ticks[-1]
        assert abs((ticks[3] - ticks[0]) - (ticks[-1] - ticks[3])) < 1.5  # evenly spaced
        # the legend sits right of the axes: look up to 15 px past the right edge
        top_panel = mask(image, colour_for("relu"))[: rows[0], : int(right) + 15]
        ys, xs = np.nonzero(top_panel)
        assert xs.min() >= left - 1 and xs.max() <= right + 2, renderer  # inside the x range
        assert ys.max() <= rows[0], renderer
        # the kink: where the flat left part meets the straight rising right part
        columns = np.unique(xs)
        centre = np.array([ys[xs == c].mean() for c in columns])
        flat = np.median(centre[columns < left + 0.3 * (right - left)])
        rising = columns > zero + 0.3 * (right - zero)
        slope, offset = np.polyfit(columns[rising], centre[rising], 1)
        kink = (flat - offset) / slope
        assert abs(kink - zero) <= 2, f"{renderer}: kink at {kink:.1f}, 0 tick at {zero:.1f}"


def test_a_curve_is_a_line_not_a_filled_region(stack):
    for renderer, image in rasters(stack).items():
        rows, _ = spines(image)
        for name in ("tanh", "sigmoid"):
            top = mask(image, colour_for(name))[: rows[0]]
            per_column = top.sum(axis=0)
            drawn = per_column[per_column > 0]
            assert len(drawn) > 0.5 * W, (renderer, name)
            assert np.median(drawn) <= 5, f"{renderer} {name}: {np.median(drawn)} px a column"
            assert np.mean(drawn > 15) < 0.03, f"{renderer} {name} looks filled"


def test_decision_boundaries_agree_across_renderers(decision):
    images = rasters(decision)
    for image in images.values():
        _, cols = spines(image)
        assert len(cols) >= 2  # small multiples side by side
    bluish = {k: (v[..., 2] - v[..., 0]) > 40 for k, v in images.items()}
    orange = {k: (v[..., 0] - v[..., 2]) > 40 for k, v in images.items()}
    for other in ("rsvg", "cairosvg", "pdftoppm"):
        assert_same_place(bluish["png"], bluish[other], f"class 1 {other}")
        assert_same_place(orange["png"], orange[other], f"class 0 {other}")


def test_compare_overlay_agrees_across_renderers(races):
    runs, _ = races
    fig = overlay(runs, "test_metric")
    labels = [c.label for c in fig.panels[0].curves]
    assert len(labels) == 4 and len(set(labels)) == 4  # relu in both runs, told apart
    images = rasters(fig)
    for name in ("tanh", "gelu"):
        reference = mask(images["png"], colour_for(name), tolerance=40)
        for other in ("rsvg", "cairosvg", "pdftoppm"):
            assert_same_place(reference, mask(images[other], colour_for(name), 40), name + other)


@pytest.mark.parametrize("style", ["paper", "slides", "screen", "dark"])
def test_pdf_embeds_every_font_and_svg_keeps_text(stack, style, tmp_path):
    pdf = tmp_path / "f.pdf"
    pdf.write_bytes(render_bytes(stack, "pdf", style_named(style)))
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    fonts = listing.stdout.splitlines()[2:]
    assert fonts, listing.stdout
    header = listing.stdout.splitlines()[0]
    emb = header.index("emb")  # the column of the "embedded" flag
    for line in fonts:
        assert line[emb : emb + 3] == "yes" and "Type 3" not in line, line
    svg = render_bytes(stack, "svg", style_named(style)).decode()
    root = ET.fromstring(svg)
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "f(x)" in texts and "x" in texts and "0" in texts
    assert "\u22126" in texts  # tick labels with a real minus, as text


def test_styles_set_font_size_and_line_width(stack):
    paper = render_bytes(stack, "svg", style_named("paper")).decode()
    slides = render_bytes(stack, "svg", style_named("slides")).decode()

    def font_sizes(svg: str) -> list[float]:
        return [float(v) for v in re.findall(r"font-size:\s*([\d.]+)px", svg)]

    def stroke_widths(svg: str) -> list[float]:
        return [float(v) for v in re.findall(r"stroke-width:\s*([\d.]+)", svg)]

    assert max(font_sizes(paper)) <= 12 and min(font_sizes(slides)) >= 16
    assert max(stroke_widths(paper)) <= 1.2 and max(stroke_widths(slides)) >= 3


def test_peak_decimation_keeps_spikes_and_ends():
    from actviz.analysis.decimate import peak_decimate

    x = np.linspace(-6, 6, 10_000)
    y = np.maximum(x, 0)
    y[5003] = 50.0
    xd, yd = peak_decimate(x, y, 800)
    assert len(xd) < 2000 and yd.max() == 50.0 and xd[0] == -6 and xd[-1] == 6
    assert np.all(np.diff(xd) > 0)
    gappy = y.copy()
    gappy[10] = np.nan
    gx, gy = peak_decimate(x, gappy, 800)
    assert len(gx) < 2000 and np.isnan(gy).sum() == 1  # still reduced, and the gap stays
    gap = int(np.flatnonzero(np.isnan(gy))[0])
    assert gx[gap] == x[10] and gx[gap - 1] == x[9] and gx[gap + 1] == x[11]
    assert list(peak_decimate(x[::-1], y, 800)[0]) == list(x[::-1])  # unsorted: as it is


def test_latex_table_escapes_and_keeps_rows():
    from actviz.figures.tables import latex_table

    tex = latex_table(
        {"name": ["leaky_relu", "a&b"], "E[f(z)]": [0.5, float("nan")], "ok": [True, None]},
        caption="Properties 100%",
    )
    assert r"leaky\_relu" in tex and r"a\&b" in tex and r"Properties 100\%" in tex
    assert r"\begin{tabular}{lrl}" in tex  # numbers right-aligned
    body = tex.split(r"\midrule")[1].split(r"\bottomrule")[0].strip().splitlines()
    assert body == [r"leaky\_relu & 0.5 & yes \\", r"a\&b & -- & -- \\"]


def test_bundle_figures_are_written_in_every_format(races, tmp_path):
    from actviz.figures.bundle import write_run_figures

    runs, _ = races
    written = write_run_figures(runs, tmp_path, leaderboard={"activation": ["relu"], "x": [1.0]})
    names = {p.name for p in written}
    assert {"metric.png", "metric.svg", "metric.pdf", "loss.pdf"} <= names
    assert {f"run{runs[0]['id']}-gradient-norms.pdf", "leaderboard.tex"} <= names
    page = subprocess.run(["pdfinfo", str(tmp_path / "metric.pdf")], capture_output=True, text=True)
    assert re.search(r"^Pages:\s+1$", page.stdout, re.M) and "240.945 x 170.079 pts" in page.stdout


def test_cli_sizes_apply_to_every_format(run_cli, tmp_path):
    code, _, err = run_cli(
        "plot", "relu,tanh", "-d", "--width", "85mm", "--height", "60mm", "--style", "paper",
        "-o", str(tmp_path / "f.pdf"),
    )  # fmt: skip
    assert code == 0, err
    info = subprocess.run(["pdfinfo", str(tmp_path / "f.pdf")], capture_output=True, text=True)
    w, h = (float(v) for v in re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info.stdout).groups())
    assert (round(w / 72 * 25.4), round(h / 72 * 25.4)) == (85, 60)
    for suffix in ("png", "svg"):
        out = tmp_path / f"g.{suffix}"
        code, _, err = run_cli("plot", "relu", "--size", "800x600", "--dpi", "100", "-o", str(out))
        assert code == 0, err
    assert Image.open(tmp_path / "g.png").size == (800, 600)
    root = ET.parse(tmp_path / "g.svg").getroot()
    assert (root.get("width"), root.get("height")) == ("576pt", "432pt")  # 8 x 6 in
