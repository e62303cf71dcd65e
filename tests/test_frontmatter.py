"""Front matter in every form Hugo reads, with the file's own line numbers in errors."""

from datetime import datetime, timezone

import pytest

from generator.content.frontmatter import (
    FrontMatterError,
    cast_weight,
    normalize_text,
    read_meta,
    split_front_matter,
)
from helpers import run_cli


def test_toml_front_matter_and_body_offset():
    fm = split_front_matter('+++\ntitle = "Loss"\nweight = "3"\n+++\n## 習題預習\n')
    assert fm.format == "toml"
    assert fm.data == {"title": "Loss", "weight": "3"}
    assert fm.body == "## 習題預習\n"
    assert fm.body_offset == 4
    assert fm.key_lines == {"title": 2, "weight": 3}


def test_yaml_front_matter():
    fm = split_front_matter("---\ntitle: Loss\ntags: [ml, loss]\ndraft: true\n---\nbody\n")
    assert fm.format == "yaml"
    assert fm.data["tags"] == ["ml", "loss"]
    assert fm.body == "body\n"
    assert fm.body_offset == 5


def test_json_front_matter():
    fm = split_front_matter('{\n  "title": "Loss",\n  "weight": 2\n}\n## Preview\n')
    assert fm.format == "json"
    assert fm.data == {"title": "Loss", "weight": 2}
    assert fm.body == "## Preview\n"
    assert fm.body_offset == 4
    assert fm.key_lines["weight"] == 3


def test_no_front_matter():
    fm = split_front_matter("## 習題預習\n1. a\n")
    assert fm.format is None and fm.data == {} and fm.body_offset == 0


def test_bom_and_crlf_are_accepted():
    text = normalize_text('\ufeff+++\r\ntitle = "x"\r\n+++\r\nbody\r\n')
    fm = split_front_matter(text)
    assert fm.data == {"title": "x"} and fm.body == "body\n"


def test_keys_are_case_insensitive_like_hugo():
    fm = split_front_matter('+++\nTitle = "A"\nWeight = 2\n+++\n')
    meta, problems = read_meta(fm)
    assert (meta.title, meta.weight, problems) == ("A", 2, [])


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ('+++\ntitle = "a"\nweight = \n+++\n', 3, "invalid TOML front matter"),
        ('+++\ntitle = "a"\n', 1, "unterminated TOML front matter"),
        ("---\ntitle: a\n", 1, "unterminated YAML front matter"),
        ("---\ntitle: [a\nweight: 2\n---\n", 3, "invalid YAML front matter"),
        ("---\n- a\n- b\n---\n", 2, "must be a mapping"),
        ('{\n  "title": "a",\n  "weight": \n}\n', 4, "invalid JSON front matter"),
    ],
)
def test_front_matter_errors_point_at_the_line(text, line, fragment):
    with pytest.raises(FrontMatterError) as caught:
        split_front_matter(text)
    assert caught.value.line == line
    assert fragment in caught.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), ("3", 3), ("3.0", 3), (2.9, 2), ("-1", -1), ("0x10", 16), ("010", 8), (True, 1), ("1_000", 1000)],
)
def test_weight_is_cast_as_hugo_casts_it(value, expected):
    assert cast_weight(value) == expected


@pytest.mark.parametrize("value", ["three", "3.5", "", " 3", [1], {"a": 1}, None])
def test_non_numeric_weight_is_an_error_not_zero(value):
    with pytest.raises(ValueError, match="weight must be a whole number"):
        cast_weight(value)


def test_weight_error_names_the_weight_line():
    fm = split_front_matter('+++\ntitle = "x"\nweight = "third"\n+++\n')
    meta, problems = read_meta(fm)
    assert problems == [(3, "weight must be a whole number, got 'third'")]


def test_known_fields_and_params():
    fm = split_front_matter(
        '+++\ntitle = "T"\ndate = 2024-05-01\ndraft = "true"\ntags = ["a"]\nplots = false\n'
        'lang = "zh-TW"\nslug = "s"\ndescription = "d"\ncolor = "red"\n+++\n'
    )
    meta, problems = read_meta(fm)
    assert problems == []
    assert meta.date == datetime(2024, 5, 1, tzinfo=timezone.utc)
    assert (meta.draft, meta.tags, meta.plots, meta.lang, meta.slug) == (True, ["a"], False, "zh-TW", "s")
    assert meta.params == {"color": "red"}


def test_bad_date_is_an_error_on_its_line():
    fm = split_front_matter('+++\ntitle = "x"\n\ndate = "next tuesday"\n+++\n')
    _, problems = read_meta(fm)
    assert problems[0][0] == 4 and "not an ISO 8601 date" in problems[0][1]


# --- Every mistake a parser can hit is one line at its place, never a traceback ---------

DEEP = 5000
PARSER_FAILURES = {
    "impossible date": ("---\ntitle: x\ndate: 2024-02-30\n---\n", 3, "invalid YAML front matter: '2024-02-30' is not a valid timestamp: day is out of range for month"),
    "impossible time": ("---\ndate: 2024-1-1 5:61:00\n---\n", 2, "invalid YAML front matter: '2024-1-1 5:61:00' is not a valid timestamp: minute must be in 0..59"),
    "!!int of a word": ("---\ntitle: x\nweight: !!int a\n---\n", 3, "invalid YAML front matter: 'a' is not a valid int: invalid literal for int() with base 10: 'a'"),
    "!!float of a word": ("---\nx: !!float a\n---\n", 2, "invalid YAML front matter: 'a' is not a valid float: could not convert string to float: 'a'"),
    "empty !!timestamp": ("---\nx: !!timestamp\n---\n", 2, "invalid YAML front matter: '' is not a valid timestamp"),
    "deep YAML": ("---\nx: " + "[" * DEEP + "]" * DEEP + "\n---\n", 2, "invalid YAML front matter: exceeded maximum nesting depth"),
    "deep YAML blocks": ("---\n" + "".join("  " * n + f"k{n}:\n" for n in range(200)) + "---\n", 2, "front matter nests deeper than 32 levels"),
    "deep JSON": ('{"x": ' + "[" * DEEP + "]" * DEEP + "}\n", 1, "invalid JSON front matter: nested too deeply"),
    "deep TOML": ("+++\nx = " + "[" * DEEP + "]" * DEEP + "\n+++\n", 1, "invalid TOML front matter: nested too deeply"),
    "deep but parsed": ('{"x": ' + "[" * 40 + "]" * 40 + "}\n", 1, "front matter nests deeper than 32 levels"),
    "YAML alias bomb": ("---\na: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n---\n", 6, "front matter holds more than 20,000 values"),
    "YAML alias to itself": ("---\nx: 1\nloop: &a [*a]\n---\n", 3, "front matter nests deeper than 32 levels"),
    "4,301-digit JSON number": ('{"x": ' + "7" * 4301 + "}\n", 1, "invalid JSON front matter: a number has more than 4300 digits"),
    "4,301-digit TOML number": ("+++\nx = " + "7" * 4301 + "\n+++\n", 1, "invalid TOML front matter: a number has more than 4300 digits"),
    "4,301-digit YAML number": ("---\nx: " + "7" * 4301 + "\n---\n", 2, "invalid YAML front matter: '" + "7" * 39 + "…' is not a valid int: a number has more than 4300 digits"),
    "4,301-digit weight string": ('+++\nweight = "' + "7" * 4301 + '"\n+++\n', 2, "weight must be a whole number, got '" + "7" * 38 + "…"),
    "lone surrogate in JSON": ('{"title": "\\ud800"}\n', 1, "front matter holds \\ud800, half of a UTF-16 surrogate pair, not a character"),
    "lone surrogate in a JSON list": ('{"title": "t",\n "tags": ["a", "\\udfff"]}\n', 2, "front matter holds \\udfff, half of a UTF-16 surrogate pair, not a character"),
    "lone surrogate in YAML": ('---\ntags: ["a", "\\udfff"]\n---\n', 2, "invalid YAML front matter: found invalid Unicode character escape code"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(PARSER_FAILURES))
def test_every_parser_failure_is_one_line_at_its_place(make_site, case):
    text, line, message = PARSER_FAILURES[case]
    site = make_site({"content/bad.md": text + "## 說明知識\n內容。\n", "content/good.md": "## 說明知識\n好。\n"})
    result = run_cli("build", site)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    assert len(result.error_lines) == 1, result.err
    assert result.error_lines[0].startswith(f"content/bad.md:{line}: error: {message}"), result.err
    assert not (site / "public").exists()
