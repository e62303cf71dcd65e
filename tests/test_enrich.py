"""Plots in lessons: shortcodes to figures, errors with choices, detection of named losses."""

from __future__ import annotations


import pytest

from generator.content.lesson import FigurePart, ShortcodePart, parse_lesson
from generator.content.markdown import create_markdown
from generator.core import DATASETS, FOCAL_GAMMAS, LOSSES
from generator.enrich import shortcodes as enrich_shortcodes
from generator.enrich import (
    Figure,
    automatic_specs,
    detect_losses,
    enrich,
    figure_from_shortcode,
    lesson_text,
)
from generator.plots.captions import describe
from generator.plots.spec import FigureSpec
from helpers import corpus_files

MD = create_markdown()


def parse(text: str, name: str = "x.md"):
    lesson, problems = parse_lesson(f"content/{name}", name, text.encode("utf-8"), MD)
    assert lesson is not None, problems
    return lesson


def figures(lesson) -> list[tuple[str, Figure]]:
    return [(section.kind, part.figure) for section in lesson.sections for part in section.parts
            if isinstance(part, FigurePart)]


def shortcode(name: str, **params: str) -> ShortcodePart:
    return ShortcodePart(7, name, params)


def loss_names(figure: Figure) -> list[str]:
    return [name for name, _ in figure.spec.losses]


LESSON = """+++
title = "Losses"
+++
## 說明知識
{{{{< ask_chatgpt >}}}}
以中文說明
{{{{< /ask_chatgpt >}}}}

{body}

## 知識測驗
{{{{< ask_chatgpt >}}}}
出題
{{{{< /ask_chatgpt >}}}}

1. 什麼是損失函數？
答案：衡量預測與真實值差距的函數。
"""


# --- detection ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("迴歸常用均方誤差當作損失函數。", ["mse"]),
        ("回归常用均方误差作为损失函数。", ["mse"]),
        ("Regression often minimises the Mean Squared Error.", ["mse"]),
        ("分類問題常用交叉熵。", ["cross_entropy"]),
        ("分类问题常用交叉熵损失。", ["cross_entropy"]),
        ("Classification uses cross entropy.", ["cross_entropy"]),
        ("Classification uses Cross-Entropy.", ["cross_entropy"]),
        ("keras: loss='CategoricalCrossEntropy'", ["cross_entropy"]),
        ("torch.nn.functional.mse_loss and F.l1_loss", ["mse", "mae"]),
        ("MSE, MAE, Huber loss and the hinge loss of SVMs", ["mse", "mae", "huber", "hinge"]),
        ("二元交叉熵與類別交叉熵", ["bce", "cross_entropy"]),
        ("logistic loss, also called log loss", ["bce", "bce_with_logits"]),
        ("Focal Loss Function 用於類別不平衡", ["focal"]),
        ("The CE loss of the model", ["cross_entropy"]),
        ("Dice 損失常用於分割", ["dice"]),
        ("Huber 在離群值下比較穩健的損失", ["huber"]),
        ("平滑 L1 損失（Smooth L1）", ["smooth_l1"]),
    ],
)
def test_detects_losses_by_any_alias_in_three_scripts(text, expected):
    assert detect_losses(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "MAERSK ships containers; AMSE is not a word.",
        "交叉验证（Cross-Validation）把数据分成 k 份。",
        "交叉驗證用來評估模型。",
        "sigmoid, tanh, ReLU and softmax are activation functions.",
        "Since the CE edge has weight 1, add vertex E.",  # Prim's algorithm
        "The SIFT detector is invariant to focal length and scale.",
        "Roll the dice: a game of chance.",
        "L1 and L2 caches are faster than RAM.",
        "Logistic regression predicts probabilities.",
        "A Poisson process models arrivals; quantile and KL are statistics words.",
        "The reward function of reinforcement learning.",
        "Precision, recall and the F1 score.",
    ],
)
def test_ignores_words_that_are_not_losses(text):
    assert detect_losses(text) == []


def test_ambiguous_aliases_count_only_near_a_word_for_loss():
    assert detect_losses("We use the L1 loss.") == ["mae"]
    assert detect_losses("L1 regularisation. " + "x " * 60 + "The loss is the usual one.") == []
    assert detect_losses("Hinge and squared hinge losses.") == ["hinge", "squared_hinge"]
    assert detect_losses("鉸鏈損失") == ["hinge"]  # specific aliases need no loss word


def test_detection_order_is_the_registry_order():
    assert detect_losses("Dice, then focal loss, then cross-entropy, then MSE") == [
        "mse", "cross_entropy", "focal", "dice"]


def test_lesson_text_reads_headings_prompts_prose_questions_answers_and_math():
    lesson = parse(LESSON.format(body="公式：$\\text{Huber loss}$ 與 **MSE**。<span>Dice&nbsp;loss</span>"))
    text = lesson_text(lesson)
    for piece in ("說明知識", "以中文說明", "Huber loss", "MSE", "什麼是損失函數", "衡量預測與真實值差距"):
        assert piece in text
    assert "<" not in text
    assert detect_losses(text) == ["mse", "huber", "dice"]


# --- the corpus -----------------------------------------------------------------------

# Only 022 discusses loss functions. The others were read for near misses: 007 (SIFT) never
# says "focal"; 020 (activation functions) names sigmoid/softmax, which are not losses;
# 058 and 073 say 交叉驗證/交叉验证 and Cross-Validation, not 交叉熵; 032 (F1) is about metrics;
# 068 (reward function) has no loss words; 079 (Prim) writes "edge CE", far from any loss word
# ("objective" there means a goal, and is 200 characters away).
CORPUS_FIGURES = {
    "022-loss-function.md": [
        ("residual", ["mse", "mae"]),
        ("margin", ["bce_with_logits", "hinge", "focal"]),
        ("probability", ["cross_entropy", "focal", "dice"]),
    ],
}


def test_corpus_lessons_with_automatic_figures(corpus_dir):
    found = {}
    for path in corpus_files():
        lesson, _ = parse_lesson(f"content/{path.name}", path.name, path.read_bytes(), MD)
        if lesson is None:
            continue
        assert enrich(lesson, lesson.lang or "zh-TW") == []
        placed = figures(lesson)
        if placed:
            found[path.name] = [(figure.spec.axis, loss_names(figure)) for _, figure in placed]
    assert found == CORPUS_FIGURES
    for name in ("007-sift-features.md", "020-activation-functions.md", "058-grid-search.md", "032-f1-score.md",
                 "073-cross-validation.md", "068-reward-function.md"):
        assert (corpus_dir / name).is_file() and name not in found


def test_loss_function_lesson_gets_its_figures_in_the_explanation_section(corpus_dir):
    data = (corpus_dir / "022-loss-function.md").read_bytes()
    lesson, _ = parse_lesson("content/022-loss-function.md", "022-loss-function.md", data, MD)
    assert enrich(lesson, "zh-TW") == []
    placed = figures(lesson)
    assert [kind for kind, _ in placed] == ["explanation"] * 3
    explanation = next(section for section in lesson.sections if section.kind == "explanation")
    assert [part.kind for part in explanation.parts][-3:] == ["figure"] * 3
    regression, margin, probability = (figure for _, figure in placed)
    assert regression.caption.startswith("圖：均方誤差與平均絕對誤差對殘差")
    assert not regression.variants
    assert "邏輯斯損失（交叉熵）" in margin.caption and "鉸鏈損失" in margin.caption
    assert margin.parameter == "gamma" and margin.symbol == "γ"
    assert [value for value, _ in margin.variants] == list(FOCAL_GAMMAS)
    assert margin.variants[margin.default_index][1] == margin.spec
    assert probability.spec.axis == "probability" and "Dice 損失" in probability.caption
    assert all(figure.spec.language == "zh-TW" for _, figure in placed)


# --- automatic figures ----------------------------------------------------------------


def test_plots_false_turns_automatic_figures_off():
    lesson = parse(LESSON.format(body="常見的損失函數有 MSE 與交叉熵。").replace('title = "Losses"',
                                                                            'title = "Losses"\nplots = false'))
    assert lesson.meta.plots is False
    assert enrich(lesson, "zh-TW") == []
    assert figures(lesson) == []


def test_an_explicit_shortcode_suppresses_automatic_figures():
    body = '常見的損失函數有 MSE 與交叉熵。\n\n{{< loss_curve losses="huber(delta=2)" >}}'
    lesson = parse(LESSON.format(body=body))
    assert enrich(lesson, "zh-TW") == []
    placed = figures(lesson)
    assert len(placed) == 1 and loss_names(placed[0][1]) == ["huber"]
    assert placed[0][1].parameter == "delta" and placed[0][1].symbol == "δ"


def test_shortcode_becomes_a_figure_part_in_place():
    body = '前文。\n\n{{< loss_curve losses="mse, mae" gradient="true" >}}\n\n後文提到 MSE。'
    lesson = parse(LESSON.format(body=body))
    enrich(lesson, "zh-TW")
    explanation = lesson.sections[0]
    assert [part.kind for part in explanation.parts] == ["prompt", "html", "figure", "html"]
    part = explanation.parts[2]
    assert part.line == 11 and part.figure.spec.gradient and part.figure.spec.language == "zh-TW"


def test_shortcode_errors_become_diagnostics_and_the_shortcode_is_dropped():
    body = '{{< loss_curve losses="msee, mae" >}}\n\n{{< training_curve data="spiral" >}}'
    lesson = parse(LESSON.format(body=body))
    problems = enrich(lesson, "en")
    assert [(problem.path, problem.line, problem.severity) for problem in problems] == [
        ("content/x.md", 9, "error"), ("content/x.md", 11, "error")]
    assert "loss_curve: unknown loss 'msee'; valid losses: mse, mae" in problems[0].message
    assert "training_curve: unknown data 'spiral'; valid datasets: line-with-outliers, two-blobs" in problems[1].message
    assert figures(lesson) == []
    assert all(not isinstance(part, ShortcodePart) for section in lesson.sections for part in section.parts)


def test_figures_go_to_the_first_section_with_text_without_an_explanation():
    lesson = parse("# Notes\n\nThe hinge loss and the squared hinge loss.\n")
    enrich(lesson, "en")
    placed = figures(lesson)
    assert len(placed) == 1 and loss_names(placed[0][1]) == ["hinge", "squared_hinge"]
    assert placed[0][1].caption.startswith("Figure: hinge loss and squared hinge loss against the margin")


def test_equal_losses_in_the_same_language_give_equal_specs():
    first = parse(LESSON.format(body="均方誤差、MAE 與 Huber loss。"), "a.md")
    second = parse(LESSON.format(body="這課提到 Huber 損失、L1 loss 和 MSE。"), "b.md")
    enrich(first, "zh-TW")
    enrich(second, "zh-TW")
    (_, one), = figures(first)
    (_, two), = figures(second)
    assert one == two
    assert one.parameter == "delta" and [value for value, _ in one.variants] == [0.25, 0.5, 1.0, 2.0, 4.0]
    assert len({spec for spec in one.specs}) == 5
    assert automatic_specs(["mse"], "en") != automatic_specs(["mse"], "zh-TW")


def test_automatic_grouping():
    specs = automatic_specs(list(LOSSES), "en")
    assert [(spec.axis, [name for name, _ in spec.losses]) for spec in specs] == [
        ("residual", ["mse", "mae", "huber", "smooth_l1", "log_cosh", "pinball"]),
        ("margin", ["bce_with_logits", "hinge", "squared_hinge", "focal"]),
        ("probability", ["bce", "focal", "dice"]),
    ]
    assert automatic_specs(["cross_entropy"], "en")[0].axis == "probability"  # alone: no margin figure
    assert [spec.axis for spec in automatic_specs(["poisson_nll", "kl_div"], "en")] == []
    assert [spec.axis for spec in automatic_specs(["focal"], "en")] == ["margin"]


# --- loss_curve -----------------------------------------------------------------------


def test_loss_curve_defaults_and_slider():
    figure = figure_from_shortcode(shortcode("loss_curve", losses="mse, mae, huber(delta=1.5)"), "en")
    assert figure.spec.axis == "residual" and figure.spec.x_range == (-3.0, 3.0)
    assert [value for value, _ in figure.variants] == [0.25, 0.5, 1.0, 1.5, 2.0, 4.0]
    assert figure.default_index == 3 and figure.variants[3][1] == figure.spec
    for value, spec in figure.variants:
        assert dict(spec.losses[2][1])["delta"] == value and spec.losses[:2] == figure.spec.losses[:2]
    assert (figure.caption, figure.alt) == describe(figure.spec)
    plain = figure_from_shortcode(shortcode("loss_curve", losses="mse, mae, huber", slider="false"), "en")
    assert plain.variants == () and plain.parameter is None and plain.spec.family is None


def test_loss_curve_axis_range_gradient_title():
    figure = figure_from_shortcode(
        shortcode("loss_curve", losses="bce, focal(gamma=1)", x="probability", range="0.05, 0.95",
                  gradient="true", title="Two   losses"), "zh-CN")
    spec = figure.spec
    assert (spec.axis, spec.x_range, spec.gradient, spec.title) == ("probability", (0.05, 0.95), True, "Two losses")
    assert figure.caption.startswith("图：Two losses。")
    assert figure.parameter == "gamma" and figure.default_index == 2  # γ = 1 among 0, 0.5, 1, 2, 5


def test_focal_family_and_other_families():
    figure = figure_from_shortcode(shortcode("loss_curve", losses="focal", family="gamma"), "en")
    assert figure.spec.kind == "focal_family" and figure.spec.family_values == FOCAL_GAMMAS
    assert figure.variants == ()
    huber = figure_from_shortcode(shortcode("loss_curve", losses="huber", family="delta", values="0.5, 1, 2"), "en")
    assert huber.spec.kind == "loss_curve"
    assert [dict(settings)["delta"] for _, settings in huber.spec.losses] == [0.5, 1.0, 2.0]
    margin = figure_from_shortcode(shortcode("loss_curve", losses="focal", family="gamma", x="margin"), "en")
    assert margin.spec.kind == "loss_curve" and len(margin.spec.losses) == 5


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"losses": "msee"}, "unknown loss 'msee'; valid losses: mse, mae, huber"),
        ({"losses": "huber(delta=-1)"}, "huber: delta must be > 0, got -1"),
        ({"losses": "huber(delta=abc)"}, "huber: delta must be > 0, got 'abc'"),
        ({"losses": "huber(sigma=1)"}, "huber: unknown parameter 'sigma'; valid parameters: delta (> 0)"),
        ({"losses": "mae", "x": "margin"}, "mae cannot be drawn against margin; axes all these losses share: residual"),
        ({"losses": "mse, hinge"}, "add x=\"margin\" (axes all these losses share: margin)"),
        ({"losses": "mae, hinge"}, "these losses share no axis (mae: residual; hinge: margin)"),
        ({"losses": "mse", "x": "logit"}, "unknown x axis 'logit'; valid axes: residual, margin, probability"),
        ({"losses": "poisson"}, "poisson_nll has no curve to draw; losses with curves: mse"),
        ({"losses": "mse", "range": "3, 1"}, "range must be two numbers \"a, b\" with a < b"),
        ({"losses": "mse", "range": "1"}, "range must be two numbers"),
        ({"losses": "mse", "range": "a, 2"}, "range must be a number, got 'a'"),
        ({"losses": "bce", "range": "0, 2"}, "range on the probability axis must lie within [0, 1]"),
        ({"losses": "mse", "range": "-1000, 1"}, "must lie within [−100, 100]"),
        ({"losses": "mse", "gradient": "maybe"}, "gradient must be true or false, got 'maybe'"),
        ({"losses": "mse", "slider": "2"}, "slider must be true or false"),
        ({"losses": "mse", "colour": "red"},
         "unknown parameter 'colour' for loss_curve; valid parameters: losses, x, range, gradient, title, slider"),
        ({"0": "mse"}, "loss_curve takes named parameters only"),
        ({"x": "residual"}, "loss_curve needs losses"),
        ({"losses": "mse", "title": "  "}, "title is empty"),
        ({"losses": "mse, mae", "family": "delta"}, "list exactly one loss"),
        ({"losses": "mse", "family": "delta"}, "mse has no parameter 'delta' to vary; its parameters: none"),
        ({"losses": "huber", "family": "delta", "values": "1, -1"}, "huber: delta must be > 0, got -1"),
        ({"losses": "huber", "values": "1, 2"}, "values goes with family"),
        ({"losses": "focal(alpha=0.5)", "family": "gamma"}, "without α"),
        ({"losses": "mse, mse"}, "the same loss with the same settings twice"),
        ({"losses": "dice(batch=true)", "x": "probability"},
         "dice: batch says how a batch is combined, which a curve of single elements cannot show"),
    ],
)
def test_loss_curve_errors_say_what_is_valid(params, message):
    with pytest.raises(ValueError) as error:
        figure_from_shortcode(shortcode("loss_curve", **params), "en")
    assert message in str(error.value)


# --- training_curve -------------------------------------------------------------------


def test_training_curve_defaults_and_options():
    figure = figure_from_shortcode(shortcode("training_curve"), "en")
    spec = figure.spec
    assert (spec.kind, spec.dataset, spec.training) == ("training_curve", "line-with-outliers", ())
    assert [name for name, _ in spec.losses] == ["mse", "mae", "huber"]
    blobs = figure_from_shortcode(
        shortcode("training_curve", data="two-blobs", epochs="50", lr="0.3", seed="7", title="CE vs MSE"), "zh-TW")
    assert [name for name, _ in blobs.spec.losses] == ["bce_with_logits", "mse"]
    assert blobs.spec.training == (("epochs", 50), ("lr", 0.3), ("seed", 7))
    assert blobs.caption.startswith("圖：CE vs MSE。") and blobs.variants == ()
    assert figure_from_shortcode(shortcode("training_curve", losses="均方誤差, Huber"), "en").spec == FigureSpec(
        "training_curve", (("mse", ()), ("huber", (("delta", 1.0),))), None, None, False, "line-with-outliers",
        (), None, "en")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"data": "spiral"}, "unknown data 'spiral'; valid datasets: line-with-outliers, two-blobs"),
        ({"data": "two-blobs", "losses": "mae"}, "two-blobs cannot be fitted with mae; valid losses: bce_with_logits"),
        ({"losses": "hinge"}, "line-with-outliers cannot be fitted with hinge; valid losses: mse, mae"),
        ({"losses": "nope"}, "unknown loss 'nope'; valid losses"),
        ({"epochs": "0"}, "epochs must be a whole number from 1 to 5000, got 0"),
        ({"epochs": "1.5"}, "epochs must be a whole number from 1 to 5000, got '1.5'"),
        ({"lr": "abc"}, "lr must be a number, got 'abc'"),
        ({"lr": "-1"}, "lr must be a number in (0, 10]"),
        ({"seed": "-3"}, "seed must be a whole number from 0 to 4294967295"),
        ({"gradient": "true"}, "unknown parameter 'gradient' for training_curve; valid parameters: losses, data"),
    ],
)
def test_training_curve_errors_say_what_is_valid(params, message):
    with pytest.raises(ValueError) as error:
        figure_from_shortcode(shortcode("training_curve", **params), "en")
    assert message in str(error.value)


def test_regularizers_norms_and_caches_are_not_losses():
    assert detect_losses("加上 L2 正則化項的損失函數") == []
    assert detect_losses("L1 regularization adds the L1 norm of w to the loss") == []
    assert detect_losses("CPU 的 L2 cache 與損失無關") == []
    assert detect_losses("L1 與 L2 正則化都加在損失函數上") == []
    assert detect_losses("L1 loss 對離群值較穩健") == ["mae"]
    assert detect_losses("L1 的限制區域是菱形，這是損失函數之外的懲罰") == []


def test_the_shortcode_reference_states_the_defaults_the_code_uses():
    # The reference is prose; this keeps it from drifting away from the one table of each default.
    reference = " ".join(enrich_shortcodes.__doc__.split())
    line, blobs = DATASETS["line-with-outliers"], DATASETS["two-blobs"]
    assert f"default: {line.epochs} for the line, {blobs.epochs} for the blobs" in reference
    assert f"default: {line.lr:g} for the line, {blobs.lr:g} for the blobs" in reference
    assert f"Default: ``{', '.join(line.losses)}`` for the line and ``{', '.join(blobs.losses)}``" in reference
    assert f"for γ ∈ {', '.join(f'{gamma:g}' for gamma in FOCAL_GAMMAS)}, without α" in reference
    assert next(iter(DATASETS)) == "line-with-outliers" and "``line-with-outliers`` (default:" in reference
