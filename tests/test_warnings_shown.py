"""`build` and `serve` show the count of `check`'s warnings and the first few, where the
author looks; `--quiet` hides them."""

from helpers import ServeProcess, run_cli, write_site
from test_serve import lesson, site_files

UNANSWERED = '+++\ntitle = "{title}"\n+++\n## 知識測驗\n\n1. One?\n\n2. Two?\n\n3. Three?\n'


def unanswered_site(tmp_path):
    """Seven warnings: two lessons with three unanswered questions each, one broken link."""
    return write_site(tmp_path / "site", {
        "content/a.md": UNANSWERED.format(title="A"),
        "content/b.md": UNANSWERED.format(title="B").replace("## 知識測驗", "See [c](c.md).\n\n## 知識測驗"),
        "studysite.toml": 'baseURL = "https://example.org/"\n\n[check]\nignore = ["missing-section"]\n',
    })


def test_build_prints_the_first_five_warnings_as_check_does_and_their_count(tmp_path):
    site = unanswered_site(tmp_path)
    checked = run_cli("check", site).out.splitlines()
    assert len(checked) == 7
    for jobs in ("1", "2"):
        result = run_cli("build", site, "--jobs", jobs, "-o", tmp_path / f"out-{jobs}")
        assert result.code == 0
        assert result.err.splitlines() == checked[:5] + [
            "studysite: 7 warnings; the first 5 above, and `studysite check` lists them all (--quiet hides them)"
        ]
    quiet = run_cli("build", site, "--quiet", "-o", tmp_path / "out-quiet")
    assert quiet.code == 0 and quiet.err == ""


def test_build_prints_all_of_a_few_warnings(tmp_path):
    site = write_site(tmp_path / "site", {
        "content/a.md": '+++\ntitle = "A"\nweight = 2.5\n+++\nx\n', "studysite.toml": 'baseURL = "https://example.org/"\n',
    })
    result = run_cli("build", site)
    assert result.err.splitlines() == [
        "content/a.md:3:1: warning: weight 2.5 is not a whole number; Hugo cuts it to 2, and so does studysite [fractional-weight]",
        "studysite: 1 warning (--quiet hides them)",
    ]


def test_serve_prints_the_warnings_and_after_an_edit_the_new_ones(tmp_path):
    site = write_site(tmp_path / "site", site_files())
    running = ServeProcess(site)
    try:
        startup = [line.rstrip("\n") for line in running.messages]
        checked = run_cli("check", site).out.splitlines()
        assert len(checked) == 12  # every lesson lacks two sections of the question list
        assert startup[:-1] == checked[:5] + [
            "studysite: 12 warnings; the first 5 above, and `studysite check` lists them all (--quiet hides them)"
        ]
        assert startup[-1].startswith(f"studysite: serving {site} at ")
        edited = site / "content/part1/l3.md"
        edited.write_text(lesson("L3", 4) + "\n2. 沒有答案？\n", encoding="utf-8")
        rebuilt = running.until("studysite: 13 warnings")
        assert rebuilt[0].startswith("studysite: rebuilt in ")
        assert rebuilt[1:] == [
            "content/part1/l3.md:12:1: warning: test question 2 has no answer [no-answer]",
            "studysite: 13 warnings, 1 new (--quiet hides them)",
        ]
    finally:
        running.stop()


def test_serve_quiet_prints_no_warnings(tmp_path):
    site = write_site(tmp_path / "site", site_files())
    running = ServeProcess(site, "--quiet")
    try:
        # Everything printed up to the address: the address alone, although there are warnings.
        assert [line.split(" at ")[0] for line in running.messages] == [f"studysite: serving {site}"]
    finally:
        running.stop()
