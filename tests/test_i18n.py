"""The one table of interface words: every language has every word."""

import string

from generator.i18n import STRINGS, strings_for
from generator.languages import LANGUAGES


def test_the_table_speaks_exactly_the_languages_of_the_language_table():
    assert tuple(STRINGS) == LANGUAGES


def test_every_language_has_every_word_with_the_same_placeholders():
    english = STRINGS["en"]
    for language in LANGUAGES:
        assert set(STRINGS[language]) == set(english), language
        for key, text in STRINGS[language].items():
            fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            expected = {name for _, name, _, _ in string.Formatter().parse(english[key]) if name}
            assert fields == expected, (language, key)


def test_an_unknown_language_gets_english():
    assert strings_for("fr") is STRINGS["en"]
