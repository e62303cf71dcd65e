"""The acceptance check: a site whose content/ is the whole corpus builds, page by page."""

import shutil

import pytest

from helpers import CORPUS, corpus_files, parse_html, run_cli
from test_corpus import DESIGN_KINDS, manifest


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip(f"the lesson corpus is not beside the project ({CORPUS} is missing)")
    site = tmp_path_factory.mktemp("corpus")
    (site / "content").mkdir()
    for path in corpus_files():
        shutil.copy(path, site / "content" / path.name)
    result = run_cli("build", site)
    assert result.code == 0, result.err
    return site / "public"


def test_every_corpus_file_becomes_a_page_with_its_sections_and_answers(corpus_site):
    rows = manifest()
    assert len(rows) == 54
    for name, row in rows.items():
        document = parse_html((corpus_site / name.removesuffix(".md") / "index.html").read_bytes())
        kinds = [s.attrs["data-kind"] for s in document.find_all("section", cls="lesson-section")]
        assert kinds == [DESIGN_KINDS[h.strip()] for h in row["sections"].split("|")], name
        qas = document.find_all(cls="qa")
        assert len(qas) == 5, name
        for qa in qas:
            assert qa.find(cls="question").text().strip(), name
            answer = qa.find("details", cls="answer")
            assert answer is not None and answer.find(cls="answer-text").text().strip(), name
        assert len(document.find(cls="warmup").find_all("input", type="checkbox")) == 5, name
        assert len(document.find_all(cls="ask-chatgpt")) == len(kinds), name


def test_home_lists_every_corpus_lesson(corpus_site):
    home = parse_html((corpus_site / "index.html").read_bytes())
    listed = home.find("main").find_all("li", data_lesson=True)
    assert len(listed) == 54
