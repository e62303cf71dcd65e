"""Plots in built pages: the corpus loss lesson gets figures, SVGs are stable, figures are
drawn once per site and never again, and sites without losses never load matplotlib."""

import shutil
import subprocess
import sys

from helpers import CORPUS, parse_html, run_cli, tree_snapshot, write_site

LOSS_LESSON = '+++\ntitle = "L{n}"\n+++\n## 說明知識\n迴歸常用均方誤差 (MSE) 與平均絕對誤差 (MAE) 當作損失函數。\n'


def test_corpus_loss_lesson_builds_unchanged_into_a_page_with_plots(tmp_path, corpus_dir):
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    shutil.copy(CORPUS / "022-loss-function.md", site / "content")
    result = run_cli("build", site)
    assert result.code == 0, result.err
    page = parse_html((site / "public/022-loss-function/index.html").read_bytes())
    explanation = page.find("section", data_kind="explanation")
    figures = explanation.find_all("figure", cls="loss-plot")
    assert len(figures) >= 2
    for figure in figures:
        src = figure.find("img").attrs["src"]
        assert (site / "public/022-loss-function" / src).resolve().is_file()
        assert figure.find("img").attrs["alt"] and figure.find("figcaption").text().startswith("圖")
    captions = " ".join(f.find("figcaption").text() for f in figures)
    for name in ("均方誤差", "平均絕對誤差", "鉸鏈損失", "焦點損失", "Dice"):
        assert name in captions
    sliders = explanation.find_all("input", type="range")
    assert sliders and all(s.attrs.get("data-plot-variants") for s in sliders)


def build_in_fresh_process(site, out):
    code = (
        "import sys; from generator.cli import main; code = main(sys.argv[1:]); "
        "print('matplotlib' in sys.modules, file=sys.stderr); sys.exit(code)"
    )
    return subprocess.run(
        [sys.executable, "-c", code, "build", str(site), "-o", str(out)], capture_output=True, text=True, timeout=300
    )


def test_svgs_are_byte_identical_across_builds_and_processes(tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": LOSS_LESSON.format(n=1)})
    first = build_in_fresh_process(site, tmp_path / "one")
    shutil.rmtree(site / ".studysite")
    second = build_in_fresh_process(site, tmp_path / "two")
    assert first.returncode == second.returncode == 0
    plots_one = {k: v for k, v in tree_snapshot(tmp_path / "one").items() if k.startswith("assets/plots/")}
    assert plots_one and plots_one == {k: v for k, v in tree_snapshot(tmp_path / "two").items() if k.startswith("assets/plots/")}


def test_a_site_without_losses_never_imports_matplotlib(tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": '+++\ntitle = "Docker"\n+++\n## 說明知識\n容器。\n'})
    result = build_in_fresh_process(site, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "False"
    assert not (tmp_path / "out/assets/plots").exists()


def test_the_same_automatic_figure_is_drawn_once_and_never_again(tmp_path):
    site = write_site(tmp_path / "site", {f"content/l{n}.md": LOSS_LESSON.format(n=n) for n in range(30)})
    first = run_cli("build", site)
    assert first.code == 0 and "1 plots drawn" in first.out, first.out
    (site / "content/l0.md").write_text(LOSS_LESSON.format(n="changed"), encoding="utf-8")
    second = run_cli("build", site)
    assert "0 plots drawn" in second.out
    shutil.rmtree(site / "public")
    assert "0 plots drawn" in run_cli("build", site, "--jobs", "2").out


def test_a_planted_svg_in_the_plot_cache_is_never_published(tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": LOSS_LESSON.format(n=1)})
    assert run_cli("build", site).code == 0
    published = {k: v for k, v in tree_snapshot(site / "public").items() if k.startswith("assets/plots/")}
    (cached,) = (site / ".studysite/plots").iterdir()
    cached.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n')
    shutil.rmtree(site / "public")
    second = run_cli("build", site)
    assert "1 plots drawn" in second.out, second.out
    assert {k: v for k, v in tree_snapshot(site / "public").items() if k.startswith("assets/plots/")} == published


def test_plot_shortcodes_and_their_errors(tmp_path):
    site = write_site(
        tmp_path / "site",
        {
            "content/a.md": '+++\ntitle = "A"\n+++\n## 說明知識\n{{< loss_curve losses="mse, huber(delta=2)" x="residual" >}}\n'
            '{{< training_curve data="line-with-outliers" epochs="50" >}}\n',
            "content/b.md": '+++\ntitle = "B"\n+++\n## 說明知識\n\n{{< loss_curve losses="mse, squared_cosine" >}}\n',
        },
    )
    result = run_cli("build", site)
    assert result.code == 1
    (line,) = result.error_lines
    assert line.startswith("content/b.md:6: error: loss_curve: ") and "squared_cosine" in line and "mse" in line
    (site / "content/b.md").unlink()
    assert run_cli("build", site).code == 0
    page = parse_html((site / "public/a/index.html").read_bytes())
    assert len(page.find_all("figure", cls="loss-plot")) == 2


def test_plots_false_turns_automatic_figures_off(tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": LOSS_LESSON.format(n=1).replace('+++\n##', 'plots = false\n+++\n##')})
    assert run_cli("build", site).code == 0
    assert not parse_html((site / "public/a/index.html").read_bytes()).find_all("figure")


ANSWER_PLOT = """+++
title = "Huber"
+++
## Review
1. Which loss turns linear beyond δ?
Answer: Huber, here beside MAE:
{{< loss_curve losses="huber, mae" >}}
Past δ it grows like MAE.

2. And the one that squares every error?
Answer: MSE.
{{< loss_curve losses="mse" >}}
"""


def test_a_plot_in_an_answer_shows_inside_the_hidden_answer(tmp_path):
    site = write_site(tmp_path / "site", {"content/huber.md": ANSWER_PLOT})
    result = run_cli("build", site)
    assert result.code == 0, result.err
    raw = (site / "public/huber/index.html").read_text(encoding="utf-8")
    assert "< />" not in raw
    first, second = parse_html(raw).find_all("li", cls="qa")
    answer = first.find("details", cls="answer").find("div", cls="answer-text")
    assert [child.tag for child in answer.children if hasattr(child, "tag")] == ["p", "figure", "p"]
    figure = answer.find("figure", cls="loss-plot")
    assert figure.find("figcaption").text() == "Figure: Huber loss (δ = 1) and mean absolute error against the residual r = ŷ − y."
    assert (site / "public/huber" / figure.find("img").attrs["src"]).resolve().is_file()
    slider = figure.find("input", type="range")
    assert figure.find("label").attrs["for"] == slider.attrs["id"] == "plot-review-1-answer-1-2"
    assert second.find("div", cls="answer-text").find("figure", cls="loss-plot").find("input") is None
    # An answer's plot is the lesson's own: no figure is added by detection.
    assert len(parse_html(raw).find_all("figure", cls="loss-plot")) == 2
