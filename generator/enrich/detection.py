"""Losses named in a lesson's text, and the automatic figures of them.

A lesson without plot shortcodes whose text names known losses, by any alias in any of
the three scripts, gets up to three figures at the end of its explanation section
(``說明知識`` / ``说明知识`` / ``Explain``; failing that, the first section with text):

1. regression losses (MSE, MAE, Huber, smooth L1, log-cosh, pinball) against the residual,
   with a slider for Huber's δ (or smooth L1's β, or pinball's τ);
2. margin losses (hinge, squared hinge, logistic, focal) against the margin y·f(x), when
   one of them is named; a mention of cross-entropy / BCE / log loss adds the logistic loss,
   which is cross-entropy on a score; a slider for focal's γ;
3. when cross-entropy (or BCE) or Dice is named: cross-entropy, focal and Dice against the
   predicted probability.

Short or everyday aliases ("CE", "L1", "L2", "KL", "Dice", "Focal", "Hinge", "Huber",
"logistic", "Poisson", "quantile", "absolute error", …) count only within 60 characters
of a word for loss (loss, 損失, 损失, cost function, 代價函數, 目標函數, objective, …).
"L1" and "L2" name a loss only when the next word is loss / 損失 / 誤差 / error, and an
ambiguous alias followed by a regularizer, norm or cache word ("L2 正則化", "L1 norm",
"L2 cache") is not a loss at all.
Front matter ``plots = false`` turns automatic figures off.
"""

from __future__ import annotations

import bisect
import re

from generator.content.lesson import Lesson
from generator.core import LOSSES
from generator.core.domains import LOGITS, SCORES
from generator.plots.spec import DEFAULT_RANGES, FigureSpec, canonical_loss

from .shortcodes import figure_language

MAX_AUTOMATIC = 3

_AMBIGUOUS = {
    "ce", "l1", "l2", "kl", "dice", "focal", "hinge", "huber", "pinball", "poisson", "logistic", "quantile",
    "absoluteerror", "squarederror", "bce", "絕對誤差", "绝对误差", "relativeentropy", "相對熵", "相对熵",
}
"""Aliases (as :func:`_key` writes them) that count only near a word for loss."""

_WINDOW = 60
"""How near (in characters) an ambiguous alias must be to a word for loss."""

_LOSS_WORDS = re.compile(
    r"(?<![a-z])(?:loss(?:es)?|cost\s+functions?|objective(?:\s+functions?)?)(?![a-z])"
    r"|損失|损失|代價函數|代价函数|成本函數|成本函数|目標函數|目标函数"
)
"""Words for loss, in lower-cased text."""

_NOT_A_LOSS_AFTER = re.compile(
    r"(?:[\s\-_]*(?:與|与|和|及|或|、|/|and|or)[\s\-_]*l[12])?"
    r"[\s\-_]*(?:正則|正则|regulari[sz]|penalt|懲罰|惩罚|範數|范数|norms?(?![a-z])|cache|快取|缓存)"
)
"""What follows "L1", "L2" and the like when they mean a regularizer, a norm or a cache."""

_NAMED_BY_NEXT_WORD = frozenset({"l1", "l2"})
"""Aliases so overloaded (norms, regularizers, caches) that they name a loss only when the
next word says so: "L1 loss", "L2 損失", "L1 誤差"."""
_LOSS_RIGHT_AFTER = re.compile(r"[\s\-_]*(?:loss|損失|损失|誤差|误差|error)")

_SEPARATORS = re.compile(r"[\s\-_]+")
_SEPARATOR = r"[\s\-_]*"
_WORD_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _key(text: str) -> str:
    return _SEPARATORS.sub("", text).casefold()


def _trie_pattern(aliases: list[str]) -> str:
    """One regex for all aliases as a prefix tree: Python's ``re`` tries a flat alternation
    of 170 aliases at every position, a tree only where a first letter fits (~50× faster)."""
    separator = object()
    trie: dict = {}
    for alias in aliases:
        node = trie
        words = [word for word in _SEPARATORS.split(alias.strip().lower()) if word]
        for index, word in enumerate(words):
            if index:
                node = node.setdefault(separator, {})
            for character in word:
                node = node.setdefault(character, {})
        # A Latin alias must end a word ("mae", not the start of "maersk"); the
        # start of a word is checked by the caller, which a lookbehind here would slow.
        node[None] = "(?![a-z0-9])" if words[-1][-1] in _WORD_CHARACTERS else ""

    def emit(node: dict) -> str:
        options = []
        for key in sorted((key for key in node if key is not None), key=lambda key: (key is separator, str(key))):
            head = _SEPARATOR if key is separator else re.escape(key)
            options.append(head + emit(node[key]))
        if None in node:
            options.append(node[None])  # after the longer aliases: the longest match wins
        return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"

    return emit(trie)


def _build_matcher() -> tuple[re.Pattern[str], dict[str, tuple[str, bool]]]:
    names: dict[str, tuple[str, bool]] = {}
    aliases: list[str] = []
    for spec in LOSSES.values():
        for alias in (spec.name, *spec.aliases, *spec.display.values()):
            key = _key(alias)
            if key and key not in names:
                names[key] = (spec.name, key in _AMBIGUOUS)
                aliases.append(alias)
    return re.compile(_trie_pattern(aliases)), names


_MATCHER, _NAMES = _build_matcher()
_ORDER = {name: index for index, name in enumerate(LOSSES)}


def detect_losses(text: str) -> list[str]:
    """Canonical names of the losses ``text`` names, in the registry's order.

    Aliases match whole words, any case, with spaces, hyphens or underscores between
    their words (``cross-entropy``, ``CrossEntropy``); ambiguous short ones count only
    within :data:`_WINDOW` characters of a word for loss.
    """
    lowered = text.lower()
    found: set[str] = set()
    loss_words: list[int] | None = None
    search = _MATCHER.search
    position = 0
    while True:
        match = search(lowered, position)
        if match is None:
            break
        start, end = match.span()
        if start > 0 and lowered[start] in _WORD_CHARACTERS and lowered[start - 1] in _WORD_CHARACTERS:
            position = start + 1  # inside a word: "ce" of "since"; look again from the next letter
            continue
        position = end
        name, ambiguous = _NAMES[_key(match.group(0))]
        if name in found:
            continue
        if _key(match.group(0)) in _NAMED_BY_NEXT_WORD and not _LOSS_RIGHT_AFTER.match(lowered, end):
            continue
        if ambiguous:
            if _NOT_A_LOSS_AFTER.match(lowered, end):
                continue  # "L2 正則化", "L1 norm", "L2 cache": not a loss at all
            if loss_words is None:
                loss_words = [word.start() for word in _LOSS_WORDS.finditer(lowered)]
            at = bisect.bisect_left(loss_words, start - _WINDOW)
            if at == len(loss_words) or loss_words[at] > end + _WINDOW:
                continue
        found.add(name)
    return sorted(found, key=_ORDER.__getitem__)


def lesson_text(lesson: Lesson) -> str:
    """The lesson's words as plain text: title, headings, prompts, prose, questions and answers."""
    return "\n".join([lesson.title, *(f"{section.heading}\n{section.text()}" for section in lesson.sections)])


# --- automatic figures ----------------------------------------------------------------

_REGRESSION = tuple(name for name, spec in LOSSES.items() if spec.task == "regression" and "residual" in spec.axes)
_MARGIN_NATIVE = tuple(name for name, spec in LOSSES.items()
                       if "margin" in spec.axes and spec.y_pred in (LOGITS, SCORES))
"""Losses of a classifier's score, whose natural axis is the margin (mse has one too, but it takes any real)."""
_CROSS_ENTROPY = ("bce", "cross_entropy")


def automatic_specs(names: list[str], language: str) -> list[FigureSpec]:
    """The figures (at most three) for the losses a lesson names; equal inputs, equal specs."""
    language = figure_language(language)
    named = set(names)
    groups: list[tuple[str, list[str]]] = []
    regression = [name for name in _REGRESSION if name in named]
    if regression:
        groups.append(("residual", regression))
    if named & set(_MARGIN_NATIVE):
        margin = [name for name in _MARGIN_NATIVE if name in named or (name == "bce_with_logits"
                                                                       and named & set(_CROSS_ENTROPY))]
        groups.append(("margin", margin))
    if named & {"bce", "cross_entropy", "dice"}:
        probability = [next(name for name in _CROSS_ENTROPY if name in named)] if named & set(_CROSS_ENTROPY) else []
        probability += [name for name in ("focal", "dice") if name in named]
        groups.append(("probability", probability))
    return [
        FigureSpec("loss_curve", tuple(canonical_loss(name) for name in losses), axis, DEFAULT_RANGES[axis],
                   language=language)
        for axis, losses in groups[:MAX_AUTOMATIC]
    ]
