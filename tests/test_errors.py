"""Bad input: one `path:line: error: message` line per problem, exit 1, nothing lost."""

from pathlib import Path

import pytest

from helpers import run_cli, run_subprocess, tree_snapshot

GOOD = '+++\ntitle = "Good"\nweight = 1\n+++\n## 說明知識\n內容。\n'

BAD_INPUTS = {
    "malformed front matter": (
        '+++\ntitle = "x"\nweight = = 3\n+++\n',
        "content/bad.md:3: error: invalid TOML front matter",
    ),
    "unterminated front matter": (
        '+++\ntitle = "x"\n\n## 說明知識\n',
        "content/bad.md:1: error: unterminated TOML front matter: no closing '+++' line",
    ),
    "unclosed shortcode": (
        '+++\ntitle = "x"\n+++\n## 說明知識\n{{< ask_chatgpt >}}\nprompt\n',
        "content/bad.md:5: error: unclosed shortcode {{< ask_chatgpt >}}",
    ),
    "unknown shortcode": (
        '+++\ntitle = "x"\n+++\n## 說明知識\n\n{{< youtube id="x" >}}\n',
        "content/bad.md:6: error: unknown shortcode 'youtube' (known: ask_chatgpt, figure, highlight, loss_curve, param, ref, relref, training_curve)",
    ),
    "mismatched shortcode": (
        '+++\ntitle = "x"\n+++\n## 說明知識\n{{< ask_chatgpt >}}\nprompt\n{{< /training_curve >}}\n',
        "content/bad.md:7: error: mismatched shortcode: {{< /training_curve >}} closes {{< ask_chatgpt >}}",
    ),
    "invalid UTF-8": (
        b'+++\ntitle = "x"\n+++\n## \xe8\xaa\xaa\n\xc3\x28 broken\n',
        "content/bad.md:5: error: invalid UTF-8: byte 0xc3 at column 1; save the file as UTF-8",
    ),
    "non-numeric weight": (
        '+++\ntitle = "x"\nweight = "first"\n+++\n',
        "content/bad.md:3: error: weight must be a whole number, got 'first'",
    ),
    "escaping slug": (
        '+++\ntitle = "x"\n\nslug = "../../x"\n+++\n',
        "content/bad.md:4: error: slug '../../x' must be one URL segment such as 'loss-function' (no '/' or '..')",
    ),
    "YAML front matter": (
        "---\ntitle: x\ntags: [a\n---\n",
        "content/bad.md:4: error: invalid YAML front matter",
    ),
}


@pytest.fixture
def built_site(make_site):
    site = make_site({"content/good.md": GOOD})
    assert run_cli("build", site).code == 0
    return site


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_gives_one_line_exit_1_and_keeps_the_old_site(built_site, case):
    text, expected = BAD_INPUTS[case]
    before = tree_snapshot(built_site / "public")
    bad = built_site / "content/bad.md"
    bad.write_bytes(text if isinstance(text, bytes) else text.encode())
    result = run_cli("build", built_site)
    assert result.code == 1
    assert len(result.error_lines) == 1, result.err
    assert result.error_lines[0].startswith(expected), result.err
    assert "Traceback" not in result.err
    assert tree_snapshot(built_site / "public") == before
    assert sorted(p.name for p in built_site.iterdir()) == [".studysite", "content", "public"]


def test_every_error_in_every_file_is_reported(make_site):
    site = make_site(
        {
            "content/a.md": '+++\nweight = "x"\n+++\n## A\n{{< nope >}}\n',
            "content/sub/b.md": "+++\ntitle = \n+++\n",
            "content/c.md": GOOD,
        }
    )
    result = run_cli("build", site)
    assert result.code == 1
    assert [line.split(": error: ")[0] for line in result.error_lines] == [
        "content/a.md:2",
        "content/a.md:5",
        "content/sub/b.md:2",
    ]
    assert "3 errors" in result.err


def test_two_files_with_one_url_name_each_other(make_site):
    site = make_site({"content/Loss Function.md": GOOD, "content/loss-function.md": GOOD})
    result = run_cli("build", site)
    assert result.code == 1
    (line,) = result.error_lines
    assert line.startswith("content/loss-function.md:1: error: URL /loss-function/ is also the URL of content/Loss Function.md")


def test_page_url_may_not_take_a_reserved_name(make_site):
    result = run_cli("build", make_site({"content/assets.md": GOOD}))
    assert result.code == 1
    assert "reserved for the site's own files" in result.error_lines[0]


def test_nothing_is_written_outside_the_output_folder(make_site, tmp_path):
    site = make_site(
        {
            "content/a.md": '+++\ntitle = "a"\nslug = "../../../escaped"\n+++\n',
            "content/..md": GOOD,
        }
    )
    def written() -> list[Path]:
        # The site's own cache folder (.studysite) is the one place a build writes besides OUT.
        return sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if ".studysite" not in p.parts)

    before = written()
    result = run_cli("build", site)
    assert result.code == 1
    assert written() == before


def test_usage_errors_exit_2(make_site, tmp_path):
    assert run_cli("build", tmp_path / "missing").code == 2
    assert run_cli("build", make_site({"content/a.md": GOOD}), "--jobs", "0").code == 2
    assert run_cli("frobnicate").code == 2


def test_errors_through_the_real_command(make_site):
    site = make_site({"content/bad.md": "+++\ntitle = 'x'\n"})
    result = run_subprocess("build", site)
    assert result.code == 1
    assert result.err.splitlines()[0] == "content/bad.md:1: error: unterminated TOML front matter: no closing '+++' line"
    assert "Traceback" not in result.err
