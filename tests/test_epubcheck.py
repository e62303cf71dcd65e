"""Every book export-epub writes passes the W3C's epubcheck with no error and no warning:
the bundled site's book, the fixture's (folders, formulas, plots, images, tests and
hostile raw HTML), each book of the multilingual Hugo repo, and the lesson corpus's (real
lessons by many authors). The checks run side by side: each takes a Java start and
several seconds."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from epub_fixture import FIXTURE_SITE
from test_epub_multilingual import BOOKS, MULTILINGUAL_SITE
from helpers import CORPUS, REPO, corpus_files, run_cli, write_site

EPUBCHECK = Path("/usr/share/java/epubcheck.jar")  # Debian's /usr/bin/epubcheck wrapper does not start


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, tuple[int, str]]:
    if not EPUBCHECK.is_file():
        pytest.fail(f"{EPUBCHECK} is missing: install Debian's epubcheck (tests/system-deps.sh does)")
    folder = tmp_path_factory.mktemp("epubcheck")
    sites = {"bundled": REPO, "fixture": write_site(folder / "site", FIXTURE_SITE)}
    if CORPUS.is_dir():
        (folder / "corpus" / "content").mkdir(parents=True)
        for path in corpus_files():
            shutil.copy(path, folder / "corpus" / "content" / path.name)
        sites["corpus"] = folder / "corpus"
    books = {}
    for name, site in sites.items():
        books[name] = folder / f"{name}.epub"
        result = run_cli("export-epub", site, "-o", books[name])
        assert result.code == 0, result.err
    multilingual = write_site(folder / "multilingual", MULTILINGUAL_SITE)
    result = run_cli("export-epub", multilingual, "-o", folder / "books")
    assert result.code == 0, result.err
    books.update((f"multilingual {key}", folder / "books" / f"{key}.epub") for key in BOOKS)
    checks = {
        name: subprocess.Popen(
            # The client compiler alone: half the CPU time for a run this short.
            ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(EPUBCHECK), str(book)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for name, book in books.items()
    }
    outputs = {name: check.communicate(timeout=600)[0] for name, check in checks.items()}
    return {name: (checks[name].returncode, output) for name, output in outputs.items()}


@pytest.mark.parametrize("name", ["bundled", "fixture", *(f"multilingual {key}" for key in BOOKS), "corpus"])
def test_epubcheck_finds_no_error_and_no_warning(reports, name):
    if name not in reports:
        pytest.skip(f"the lesson corpus is not beside the project ({CORPUS} is missing)")
    code, output = reports[name]
    assert code == 0, output
    assert "Messages: 0 fatals / 0 errors / 0 warnings / 0 infos" in output, output
    assert "No errors or warnings detected." in output, output
