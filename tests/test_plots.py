"""Drawing loss figures: deterministic SVG with text as text, names, the cache, batches."""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import os
import pickle
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from generator.core import FOCAL_GAMMAS, LOSSES, focal_family, train
from generator.plots import spec as plot_spec
from generator.plots.cache import PlotCache, render_figures
from generator.plots.captions import describe
from generator.plots.draw import draw
from generator.plots.spec import DEFAULT_RANGES, FigureSpec, canonical_loss, figure_id, with_setting

REPO = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


def curves(*names: str, axis: str = "residual", language: str = "zh-TW", **fields) -> FigureSpec:
    return FigureSpec(
        "loss_curve", tuple(canonical_loss(name) for name in names), axis, DEFAULT_RANGES[axis],
        language=language, **fields,
    )


REGRESSION = curves("mse", "mae", "huber")
FOCAL = FigureSpec("focal_family", (canonical_loss("focal", {"alpha": None}),), "probability", (0.0, 1.0),
                   language="en", family="gamma", family_values=FOCAL_GAMMAS)
LINE = FigureSpec("training_curve", tuple(canonical_loss(name) for name in ("mse", "mae", "huber")),
                  dataset="line-with-outliers", language="zh-CN")
BLOBS = FigureSpec("training_curve", tuple(canonical_loss(name) for name in ("bce_with_logits", "mse")),
                   dataset="two-blobs", language="en", training=(("epochs", 60), ("seed", 1)))


def texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def run_python(code: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONHASHSEED": "random"},
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


# --- imports and names ----------------------------------------------------------------


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module, inside a function) for every import statement of a source file."""
    package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend((alias.name, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = importlib.util.resolve_name("." * child.level + (child.module or ""), package)
                found.extend((f"{base}.{alias.name}", in_function) for alias in child.names)
                found.append((base, in_function))
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def test_only_plots_draw_imports_matplotlib_and_only_render_figures_imports_it():
    importers: dict[str, set[str]] = {"matplotlib": set(), "generator.plots.draw": set()}
    for path in sorted((REPO / "generator").rglob("*.py")):
        for module, in_function in _imports(path):
            for target in importers:
                if module == target or module.startswith(target + "."):
                    importers[target].add(f"{path.relative_to(REPO)}{' (in a function)' if in_function else ''}")
    assert importers == {
        "matplotlib": {"generator/plots/draw.py"},
        "generator.plots.draw": {"generator/plots/cache.py (in a function)"},
    }


def test_every_module_but_plots_draw_imports_without_matplotlib():
    out = run_python(
        """
        import importlib, pkgutil, sys
        import generator
        for module in pkgutil.walk_packages(generator.__path__, "generator."):
            if module.name not in ("generator.plots.draw", "generator.__main__"):
                importlib.import_module(module.name)
        from generator.plots.captions import describe
        from generator.plots.spec import figure_id, FigureSpec, canonical_loss
        spec = FigureSpec("loss_curve", (canonical_loss("mse"),), "residual", (-3.0, 3.0))
        figure_id(spec); describe(spec)
        print(len(sys.modules) > 100, sorted(name for name in sys.modules if name.split(".")[0] == "matplotlib"))
        """
    )
    assert out == "True []"


def test_spec_is_hashable_and_picklable():
    assert hash(REGRESSION) == hash(curves("mse", "mae", "huber"))
    assert pickle.loads(pickle.dumps(REGRESSION)) == REGRESSION
    assert {REGRESSION: 1}[curves("mse", "mae", "huber")] == 1


def test_canonical_loss_fills_defaults_so_equal_figures_are_equal_specs():
    assert canonical_loss("huber") == canonical_loss("Huber", {"delta": 1}) == ("huber", (("delta", 1.0),))
    assert canonical_loss("均方誤差") == ("mse", ())
    assert canonical_loss("focal") == ("focal", (("alpha", 0.25), ("gamma", 2.0)))
    with pytest.raises(ValueError, match="valid losses: mse"):
        canonical_loss("msee")
    with pytest.raises(ValueError, match="delta must be > 0"):
        canonical_loss("huber", {"delta": 0})


def test_figure_id_is_short_stable_and_tells_specs_apart():
    ident = figure_id(REGRESSION)
    assert re.fullmatch(r"[0-9a-f]{16}", ident)
    assert figure_id(curves("mse", "mae", "huber")) == ident
    others = {
        figure_id(replace(REGRESSION, language="en")),
        figure_id(replace(REGRESSION, gradient=True)),
        figure_id(replace(REGRESSION, x_range=(-2.0, 2.0))),
        figure_id(curves("mse", "mae", "huber", family="delta", family_values=(0.5, 1.0))),
        figure_id(with_setting(REGRESSION, 2, "delta", 2.0)),
    }
    assert ident not in others and len(others) == 5
    out = run_python(
        """
        from generator.plots.spec import FigureSpec, canonical_loss, figure_id
        spec = FigureSpec("loss_curve", tuple(canonical_loss(n) for n in ("mse", "mae", "huber")), "residual",
                          (-3.0, 3.0), language="zh-TW")
        print(figure_id(spec))
        """
    )
    assert out == ident


def test_figure_id_depends_on_draw_version_and_library_versions(monkeypatch):
    ident = figure_id(REGRESSION)
    figure_id.cache_clear()
    monkeypatch.setattr(plot_spec, "DRAW_VERSION", plot_spec.DRAW_VERSION + "-next")
    assert figure_id(REGRESSION) != ident
    figure_id.cache_clear()
    monkeypatch.undo()
    monkeypatch.setattr(plot_spec, "_versions", lambda: ("0.0", "0.0"))
    assert figure_id(REGRESSION) != ident
    figure_id.cache_clear()


# --- captions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "prefix", "names", "axis_word"),
    [
        ("zh-TW", "圖：", ("均方誤差", "平均絕對誤差", "胡伯損失"), "殘差"),
        ("zh-CN", "图：", ("均方误差", "平均绝对误差", "胡伯损失"), "残差"),
        ("en", "Figure: ", ("mean squared error", "mean absolute error", "Huber loss"), "residual"),
    ],
)
def test_describe_names_losses_and_axes_in_the_language(language, prefix, names, axis_word):
    caption, alt = describe(replace(REGRESSION, language=language))
    assert caption.startswith(prefix)
    for name in names:
        assert name in caption
        assert name.lower() in alt.lower()
    assert axis_word in caption and axis_word in alt
    assert "δ = 1" in caption


def test_describe_margin_probability_focal_and_training():
    caption, alt = describe(curves("bce_with_logits", "hinge", axis="margin", language="en"))
    assert "cross-entropy" in caption and "0-1 loss" in alt and "margin" in alt
    caption, alt = describe(curves("cross_entropy", "dice", axis="probability", language="zh-CN", gradient=True))
    assert caption.startswith("图：交叉熵") and "y = 1" in alt and "y = 0" in alt and "梯度" in caption
    caption, alt = describe(FOCAL)
    assert "γ = 0, 0.5, 1, 2 and 5" in caption and "Lin et al. 2017" in caption and "p_t" in alt
    caption, alt = describe(LINE)
    assert caption.startswith("图：") and "离群值" in caption and "均方误差" in alt
    caption, _ = describe(replace(BLOBS, title="Why not MSE?"))
    assert caption.startswith("Figure: Why not MSE? Logistic regression")


# --- drawing --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def regression_svg() -> bytes:
    return draw(REGRESSION)


def test_svg_keeps_text_as_text_with_the_chinese_axis_label_and_a_legend(regression_svg):
    svg = regression_svg
    root = ET.fromstring(svg)  # well-formed XML
    assert root.get("viewBox") == "0 0 640 400"
    words = texts(svg)
    assert "殘差 r = ŷ − y" in words
    assert "損失" in words
    assert {"均方誤差", "平均絕對誤差", "胡伯損失（δ = 1）"} <= set(words)
    assert b'id="legend_1"' in svg
    assert b"Noto Sans CJK TC" in svg  # the reader's CJK fonts come first
    assert b"DejaVuSans-" not in svg  # no glyphs turned into paths


def test_svg_has_no_date_or_metadata_and_short_numbers(regression_svg):
    svg = regression_svg
    assert b"<dc:date" not in svg and b"<metadata" not in svg and b"Created with" not in svg
    path_data = b" ".join(re.findall(rb' d="([^"]*)"', svg))
    assert not re.search(rb"\d\.\d\d", path_data)  # coordinates rounded to 0.1 px
    assert len(svg) < 30_000


def test_draw_is_deterministic_within_a_process(regression_svg):
    assert draw(REGRESSION) == regression_svg
    draw(FOCAL)  # drawing something else in between changes nothing
    assert draw(REGRESSION) == regression_svg


def test_draw_is_byte_identical_across_fresh_processes(regression_svg):
    code = """
        import hashlib
        from generator.plots.draw import draw
        from generator.plots.spec import FigureSpec, canonical_loss
        spec = FigureSpec("loss_curve", tuple(canonical_loss(n) for n in ("mse", "mae", "huber")), "residual",
                          (-3.0, 3.0), language="zh-TW")
        blobs = FigureSpec("training_curve", tuple(canonical_loss(n) for n in ("bce_with_logits", "mse")),
                           dataset="two-blobs", language="en", training=(("epochs", 60), ("seed", 1)))
        print(hashlib.sha256(draw(spec)).hexdigest(), hashlib.sha256(draw(blobs)).hexdigest())
        """
    first, second = run_python(code), run_python(code)
    assert first == second
    assert first == f"{hashlib.sha256(regression_svg).hexdigest()} {hashlib.sha256(draw(BLOBS)).hexdigest()}"


def test_missing_cjk_glyph_warnings_are_suppressed(recwarn):
    draw(replace(REGRESSION, title="損失比較 $x$ ☃"))
    assert not [w for w in recwarn if "Glyph" in str(w.message) or "findfont" in str(w.message)]


def test_gradient_adds_panels():
    svg = draw(replace(REGRESSION, gradient=True))
    assert b'id="axes_2"' in svg and b'id="axes_3"' not in svg
    assert any(text.startswith("梯度") for text in texts(svg))
    svg = draw(curves("cross_entropy", "focal", "dice", axis="probability", gradient=True))
    assert b'id="axes_4"' in svg
    assert {"y = 1", "y = 0"} <= set(texts(svg))


def test_margin_figure_has_the_zero_one_reference():
    words = texts(draw(curves("bce_with_logits", "hinge", "squared_hinge", axis="margin", language="en")))
    assert {"0-1 loss", "Logistic loss (cross-entropy)", "Hinge loss", "margin m = y·f(x)"} <= set(words)


def test_focal_family_figure_has_five_curves_labelled_by_gamma():
    # The paper's numbers come from the core: at p_t = 0.9, γ = 2 is 100 times below cross-entropy.
    family = focal_family(p_t=np.array([0.9]))
    by_label = {series.label: float(series.loss[0]) for series in family.series}
    assert by_label["γ = 2"] == pytest.approx(by_label["γ = 0"] / 100)
    words = texts(draw(FOCAL))
    labels = [word for word in words if word.startswith("γ = ")]
    assert labels == ["γ = 0 (cross-entropy)", "γ = 0.5", "γ = 1", "γ = 2", "γ = 5"]


@pytest.mark.parametrize("spec", [LINE, BLOBS], ids=["line-with-outliers", "two-blobs"])
def test_training_figures_show_history_and_fit(spec):
    svg = draw(spec)
    words = texts(svg)
    assert b'id="axes_2"' in svg
    if spec.dataset == "line-with-outliers":
        assert {"每轮的损失", "拟合的直线", "真实直线", "均方误差", "平均绝对误差"} <= set(words)
    else:
        run = train("two-blobs", epochs=60, seed=1).runs[0]
        assert f"Cross-entropy (error {run.error_rate:.0%})" in words
        assert {"Loss per epoch", "Decision boundaries", "Bayes boundary", "y = 0", "y = 1"} <= set(words)
    assert not any("$" in word or "mathdefault" in word for word in words)  # plain log-scale labels


def test_every_drawable_loss_draws_on_each_of_its_axes():
    for name, spec in LOSSES.items():
        for axis in spec.axes:
            svg = draw(curves(name, axis=axis, language="en"))
            assert svg.startswith(b"<?xml") and svg.rstrip().endswith(b"</svg>")


def test_user_text_with_dollars_is_not_mathtext():
    words = texts(draw(replace(REGRESSION, title="Cost in $ and $x$")))
    assert "Cost in $ and $x$" in words


# --- cache and batches ----------------------------------------------------------------


def test_plot_cache_round_trip_seals_the_file(tmp_path):
    cache = PlotCache(tmp_path)
    assert cache.get(REGRESSION) is None
    cache.put(REGRESSION, b"<svg>x</svg>\n")
    assert cache.get(REGRESSION) == b"<svg>x</svg>\n"
    folder = tmp_path / ".studysite" / "plots"
    assert [path.name for path in folder.iterdir()] == [f"{figure_id(REGRESSION)}.svg.sealed"]
    stored = (folder / f"{figure_id(REGRESSION)}.svg.sealed").read_bytes()
    assert stored.startswith(b"studysite-sealed-1\n") and stored.endswith(b"<svg>x</svg>\n")


@pytest.fixture(scope="module")
def mse_figure() -> tuple[FigureSpec, bytes]:
    spec = curves("mse", language="en")
    return spec, draw(spec)


def test_a_foreign_svg_in_the_cache_is_never_published(tmp_path, mse_figure):
    spec, fresh = mse_figure
    cache = PlotCache(tmp_path)
    foreign = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>\n'
    cache.folder.mkdir(parents=True)
    for planted in (foreign, b"studysite-sealed-1\n" + bytes(32) + foreign):  # bare, and with a made-up seal
        cache.path(spec).write_bytes(planted)
        svgs, drawn = render_figures([spec], cache)
        assert drawn == 1 and svgs[spec] == fresh


def test_a_sealed_svg_of_another_figure_is_not_taken_for_this_one(tmp_path, mse_figure):
    spec, fresh = mse_figure
    other = curves("mae", language="en")
    cache = PlotCache(tmp_path)
    cache.put(other, b"<svg>the mae figure</svg>")
    cache.path(other).rename(cache.path(spec))
    svgs, drawn = render_figures([spec], cache)
    assert drawn == 1 and svgs[spec] == fresh


def test_any_flipped_byte_or_truncation_makes_the_cache_draw_again(tmp_path, mse_figure):
    spec, fresh = mse_figure
    cache = PlotCache(tmp_path)
    cache.put(spec, fresh)
    sealed = cache.path(spec).read_bytes()
    rng = np.random.default_rng(8)
    # Positions in the header, the MAC, the SVG's start and end, and random ones.
    positions = [0, 18, 19, 40, 51, 52, 60, len(sealed) - 1, *rng.integers(0, len(sealed), 12)]
    damaged = [sealed[:position] + bytes([sealed[position] ^ (1 << int(rng.integers(8)))]) + sealed[position + 1:]
               for position in positions]
    damaged += [sealed[:-1], sealed[: len(sealed) // 2], sealed + b" ", b""]
    for blob in damaged:
        cache.path(spec).write_bytes(blob)
        assert cache.get(spec) is None
        svgs, drawn = render_figures([spec], cache)
        assert drawn == 1 and svgs[spec] == fresh
        assert cache.path(spec).read_bytes() == sealed  # redrawn and sealed again


def test_plot_cache_survives_an_unwritable_folder(tmp_path):
    blocker = tmp_path / "site"
    blocker.write_text("a file where the site folder should be")
    cache = PlotCache(blocker)
    cache.put(REGRESSION, b"<svg/>")  # no exception
    assert cache.get(REGRESSION) is None
    svgs, drawn = render_figures([curves("mse", language="en")], cache)
    assert drawn == 1 and svgs[curves("mse", language="en")].startswith(b"<?xml")


def test_render_figures_draws_misses_once_and_nothing_when_warm(tmp_path):
    cache = PlotCache(tmp_path)
    specs = [curves("mse", "mae", language="en"), curves("hinge", axis="margin", language="en")]
    svgs, drawn = render_figures(specs * 3, cache)
    assert drawn == 2 and list(svgs) == specs
    again, drawn = render_figures(specs, cache)
    assert drawn == 0 and again == svgs


def test_a_thousand_lessons_with_the_same_figure_draw_it_once(tmp_path):
    same = [curves("mse", "mae", language="en") for _ in range(1000)]
    svgs, drawn = render_figures(same, PlotCache(tmp_path))
    assert drawn == 1 and len(svgs) == 1


def test_the_drawing_process_draws_what_it_is_asked_for_as_drawing_here_does(tmp_path):
    specs = [curves("mse", "mae"), curves("hinge", "focal", axis="margin"), FOCAL, BLOBS]
    serial, drawn = render_figures(specs, PlotCache(tmp_path / "here"))
    assert drawn == 4
    # In a fresh interpreter, to see that the one asking never imports matplotlib.
    (tmp_path / "specs.pickle").write_bytes(pickle.dumps(specs))
    run_python(
        f"""
        import pickle, sys
        from pathlib import Path
        from generator.plots.cache import FigureDrawer, PlotCache
        work = Path({str(tmp_path)!r})
        drawer = FigureDrawer(PlotCache(work / "drawer"))
        for spec in pickle.loads((work / "specs.pickle").read_bytes()):
            drawer.ask(spec)
        svgs = drawer.results()
        (work / "drawn.pickle").write_bytes(pickle.dumps((svgs, "matplotlib" in sys.modules)))
        """
    )
    svgs, imported_matplotlib = pickle.loads((tmp_path / "drawn.pickle").read_bytes())
    assert svgs == serial and not imported_matplotlib
    # What it drew is in the cache.
    assert render_figures(specs, PlotCache(tmp_path / "drawer")) == (serial, 0)
