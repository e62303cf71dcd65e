"""The words of a figure: its caption, its alt text and the names in its legend.

Every word comes from the one table of interface words, :mod:`generator.i18n`, where each
sentence is one entry per language; this module only picks the entries and fills them in.
"""

from __future__ import annotations

import re

from generator.core import FOCAL_GAMMAS, LOSSES
from generator.i18n import strings_for

from .spec import DEFAULT_DATASET, DEFAULT_RANGES, FigureSpec, Settings, plain_setting

AXIS_SYMBOLS = {"residual": "r", "margin": "m", "probability": "p"}
"""How formulas and gradient labels write the quantity on each axis."""

_PROPER = ("Huber", "Dice", "Poisson", "Kullback")

_TRAINING_WORDS = {
    "line-with-outliers": ("training_line_fit", "training_line_result", "training_line_truth"),
    "two-blobs": ("training_blobs_fit", "training_blobs_result", "training_blobs_truth"),
}
"""Each dataset's words in the table: what is fitted, what the right panel shows, and the
reference drawn there."""


def parenthesised(text: str, language: str) -> str:
    return strings_for(language)["parenthesised"].format(text=text)


def _join(items: list[str], language: str, last: str = "list_and") -> str:
    """``a, b and c`` (``a、b與c``): ``last`` is the table's word before the last item."""
    if len(items) <= 1:
        return "".join(items)
    words = strings_for(language)
    return words["list_separator"].join(items[:-1]) + words[last] + items[-1]


def number(value: float) -> str:
    """A number as a label shows it: short, with a true minus sign."""
    return f"{value:g}".replace("-", "−")


def _shown_settings(name: str, settings: Settings) -> list[str]:
    """Settings worth naming: those with a slider family, and those off their default."""
    shown = []
    values = dict(settings)
    for param in LOSSES[name].params:
        if param.name not in values:
            continue
        value = values[param.name]
        if param.family is None and value == plain_setting(param.default):
            continue
        symbol = param.symbol or param.name
        if value is None:
            text = "none"
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = number(value)
        shown.append(f"{symbol} = {text}")
    return shown


def _with_settings(display: str, name: str, settings: Settings, language: str) -> str:
    shown = _shown_settings(name, settings)
    return display + parenthesised(", ".join(shown), language) if shown else display


def loss_label(name: str, settings: Settings, language: str, *, axis: str | None = None,
               dataset: str | None = None) -> str:
    """The name a legend or caption gives one loss with its settings."""
    display = LOSSES[name].display[language]
    if name == "bce_with_logits" and (axis == "margin" or dataset is not None):
        # On a score, the logistic loss *is* binary cross-entropy: say so.
        display = strings_for(language)["plot_logistic_cross_entropy"]
    if name == "mse" and dataset == "two-blobs":
        display += parenthesised(strings_for(language)["plot_on_sigmoid"], language)
    return _with_settings(display, name, settings, language)


_SHORT_EN = {
    "mse": "MSE", "mae": "MAE", "huber": "Huber", "smooth_l1": "Smooth L1", "log_cosh": "Log-cosh",
    "pinball": "Pinball", "bce": "BCE", "bce_with_logits": "Cross-entropy", "focal": "Focal",
    "hinge": "Hinge", "squared_hinge": "Squared hinge",
}
"""English names short enough for a legend in half a figure (Chinese names are short already)."""


def short_label(name: str, settings: Settings, language: str, dataset: str) -> str:
    """A legend entry narrow enough for half a figure (training curves)."""
    words = strings_for(language)
    if language == "en":
        display = _SHORT_EN.get(name, LOSSES[name].display[language])
    elif name == "bce_with_logits":
        display = words["plot_cross_entropy"]
    else:
        display = LOSSES[name].display[language]
    if name == "mse" and dataset == "two-blobs":
        display += words["plot_on_sigmoid_short"]
    return _with_settings(display, name, settings, language)


def _in_sentence(label: str, language: str) -> str:
    if language != "en" or label.startswith(_PROPER) or label[1:2].isupper():
        return label
    return label[:1].lower() + label[1:]


_CJK_LATIN = re.compile(r"(?<=[\u3400-\u9fff])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9)\]])(?=[\u3400-\u9fff])")


def _spaced(text: str, language: str) -> str:
    """A space between Chinese and Latin letters or digits, as Chinese typesetting has it."""
    return text if language == "en" else _CJK_LATIN.sub(" ", text)


def describe(spec: FigureSpec) -> tuple[str, str]:
    """(caption, alt text) of ``spec`` in ``spec.language``."""
    language = spec.language
    words = strings_for(language)
    if spec.kind == "training_curve":
        caption, alt = _describe_training(spec)
    elif spec.kind == "focal_family":
        caption, alt = _describe_focal(spec)
    else:
        caption, alt = _describe_curves(spec)
    caption, alt = _spaced(caption, language), _spaced(alt, language)
    if spec.title:
        title = spec.title.strip()
        stop = "" if title.endswith(tuple(words["caption_ends"])) else words["caption_end"]
        caption = words["caption_titled"].format(title=title, stop=stop, caption=caption[:1].upper() + caption[1:])
    return words["figure"] + caption, alt


def _describe_curves(spec: FigureSpec) -> tuple[str, str]:
    language, axis = spec.language, spec.axis or "residual"
    words = strings_for(language)
    labels = [loss_label(name, settings, language, axis=axis) for name, settings in spec.losses]
    names = _join([_in_sentence(label, language) for label in labels], language)
    noun = words[f"caption_{axis}"]
    low, high = (number(value) for value in spec.x_range or DEFAULT_RANGES[axis])
    caption = words["caption_curves"].format(names=names, noun=noun)
    alt = words["alt_curves"].format(names=names, noun=noun, range=words["caption_range"].format(low=low, high=high))
    if spec.gradient:
        caption += words["caption_with_gradients"]
    if axis == "margin":
        caption += words["caption_zero_one"]
    if axis == "probability":
        alt += words["alt_panels"]
    if spec.gradient:
        alt += words["alt_gradient"].format(symbol=AXIS_SYMBOLS[axis])
    if axis == "margin":
        alt += words["alt_zero_one"]
    alt += words["alt_curve_list"].format(curves=words["alt_curve_separator"].join(labels))
    return caption + words["caption_end"], alt


def _describe_focal(spec: FigureSpec) -> tuple[str, str]:
    words = strings_for(spec.language)
    gammas = _join([number(gamma) for gamma in spec.family_values or FOCAL_GAMMAS], spec.language,
                   last="list_and_numbers")
    return words["caption_focal"].format(gammas=gammas), words["alt_focal"].format(gammas=gammas)


def _describe_training(spec: FigureSpec) -> tuple[str, str]:
    language, dataset = spec.language, spec.dataset or DEFAULT_DATASET
    words = strings_for(language)
    labels = [loss_label(name, settings, language, dataset=dataset) for name, settings in spec.losses]
    names = _join([_in_sentence(label, language) for label in labels], language)
    fit, result, truth = (words[key] for key in _TRAINING_WORDS[dataset])
    return (words["caption_training"].format(fit=fit, names=names, result=result),
            words["alt_training"].format(names=names, result=result, truth=truth))
