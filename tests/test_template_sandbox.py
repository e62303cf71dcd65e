"""A site's own templates run in Jinja2's sandbox: a template from someone's repository
lays out pages, it cannot reach Python; and a broken template is one error line."""

import jinja2
import pytest

from helpers import run_cli, run_subprocess, tree_snapshot

LESSON = '+++\ntitle = "A"\n+++\n## 說明知識\n內容。\n'


def not_found_template(main: str) -> str:
    return '{% extends "base.html" %}\n{% block main %}\n' + main + "\n{% endblock %}\n"


@pytest.fixture
def built_site(make_site):
    site = make_site({"content/a.md": LESSON})
    assert run_cli("build", site).code == 0
    return site


def test_a_template_cannot_run_python(built_site, tmp_path):
    flag = tmp_path / "the-template-ran-code"
    payload = "{{ lipsum.__globals__.os.mkdir('%s') }}" % flag
    # The payload is live: outside the sandbox it runs.
    jinja2.Environment().from_string(payload).render()
    assert flag.is_dir()
    flag.rmdir()

    before = tree_snapshot(built_site / "public")
    (built_site / "templates").mkdir()
    (built_site / "templates/404.html").write_text(not_found_template(payload))
    result = run_cli("build", built_site)
    assert not flag.exists()
    assert result.code == 1
    assert result.error_lines == [
        "templates/404.html:3: error: template: access to attribute '__globals__' of 'function' object is unsafe."
    ]
    assert tree_snapshot(built_site / "public") == before


@pytest.mark.parametrize(
    "main, expected",
    [
        ("<p>{{ page.no_such_field }}</p>", "templates/404.html:3: error: template: 'dict object' has no attribute 'no_such_field'"),
        ("{% if %}", "templates/404.html:3: error: template: Expected an expression, got 'end of statement block'"),
        ("{{ ''.__class__.__mro__ }}", "templates/404.html:3: error: template: access to attribute '__class__' of 'str' object is unsafe."),
    ],
    ids=["undefined", "syntax", "dunder"],
)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_broken_template_is_one_error_line(built_site, main, expected, jobs):
    before = tree_snapshot(built_site / "public")
    (built_site / "templates").mkdir()
    (built_site / "templates/404.html").write_text(not_found_template(main))
    result = run_cli("build", built_site, "--jobs", jobs)
    assert result.code == 1
    assert result.error_lines == [expected]
    assert "Traceback" not in result.err
    assert tree_snapshot(built_site / "public") == before


def test_a_broken_lesson_template_in_parallel_workers_is_one_error_line(make_site):
    site = make_site({**{f"content/l{n}.md": LESSON for n in range(12)}, "templates/lesson.html": '{% extends "base.html" %}\n{% block main %}{{ page.nope }}{% endblock %}\n'})
    result = run_subprocess("build", site, "--jobs", "2")
    assert result.code == 1
    assert result.error_lines == ["templates/lesson.html:2: error: template: 'dict object' has no attribute 'nope'"]
    assert "Traceback" not in result.err
    assert not (site / "public").exists()


@pytest.mark.parametrize(
    "nav, expected",
    [
        ("<nav>\n{{ page.nav_missing.x }}\n</nav>\n", "templates/partials/nav.html:2: error: template: 'dict object' has no attribute 'nav_missing'"),
        ("<nav>\n{% for %}\n</nav>\n", "templates/partials/nav.html:2: error: template: Expected an expression, got 'end of statement block'"),
    ],
    ids=["undefined", "syntax"],
)
def test_an_error_in_an_included_template_names_that_template(make_site, nav, expected):
    site = make_site({"content/a.md": LESSON, "templates/partials/nav.html": nav})
    result = run_cli("build", site)
    assert result.code == 1
    assert result.error_lines == [expected]
