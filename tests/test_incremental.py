"""Rebuilding after a change writes only the files whose bytes changed: every other file
of the output is the very file the previous build left (same inode, same time), and the
whole output is byte for byte what a build from scratch makes — with one process, and
with workers."""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import generator.build
from generator.resources import bundled_dir
from helpers import REPO, run_cli, tree_snapshot
from multilingual_site import FILES as MULTILINGUAL_FILES
from multilingual_site import lesson as multilingual_lesson


def lesson(title: str, weight: int = 0, body: str = "", extra: str = "") -> str:
    front = f'+++\ntitle = "{title}"\n' + (f"weight = {weight}\n" if weight else "") + extra + "+++\n"
    return front + f"## 說明知識\n{title} 的內容。{body}\n\n## 知識測驗\n1. {title} 是什麼？\n答案：{title}。\n"


def site_files() -> dict[str, str]:
    files = {"studysite.toml": 'title = "增量"\nbaseURL = "https://example.org/"\n'}
    for folder in ("機器學習", "統計", "最佳化"):
        files[f"content/{folder}/_index.md"] = f'+++\ntitle = "{folder}"\n+++\n'
        for number in range(1, 13):
            files[f"content/{folder}/lesson {number:02}.md"] = lesson(f"{folder} {number}", number)
    files["content/機器學習/lesson 03.md"] = lesson("機器學習 3", 3, "均方誤差 (MSE) 與平均絕對誤差 (MAE) 的比較。")
    files["content/統計/lesson 05.md"] = lesson("統計 5", 5, "見 [另一課](../最佳化/lesson 07.md)。")
    return files


@pytest.fixture(params=["1", "2"], ids=["one process", "workers"])
def jobs(request, monkeypatch):
    if request.param == "2":
        # Workers even for one edited lesson (the build parses few lessons in one process).
        monkeypatch.setattr(generator.build, "_PARSE_IN_WORKERS", 1)
    return request.param


def files_of(out: Path) -> dict[str, tuple[int, int, bytes]]:
    """Each file of *out*: (inode, modification time, bytes)."""
    found = {}
    for path in sorted(out.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found[path.relative_to(out).as_posix()] = (stat.st_ino, stat.st_mtime_ns, path.read_bytes())
    return found


def from_scratch(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """What a build of *site*'s sources into an empty folder, without any cache, makes."""
    copy = tmp_path / "from-scratch"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".studysite", "public"))
    result = run_cli("build", copy, "--jobs", "1")
    assert result.code == 0, result.err
    return tree_snapshot(copy / "public")


def rebuild(site: Path, jobs: str, tmp_path: Path) -> set[str]:
    """Build *site* again; check that exactly the files whose bytes changed were written
    and that the output is what a build from scratch makes; return those files."""
    before = files_of(site / "public")
    result = run_cli("build", site, "--jobs", jobs)
    assert result.code == 0, result.err
    after = files_of(site / "public")
    assert {name: data for name, (_, _, data) in after.items()} == from_scratch(site, tmp_path)
    changed = {name for name in after if name not in before or after[name][2] != before[name][2]}
    written = {name for name in after if name not in before or after[name][0] != before[name][0]}
    assert written == changed
    kept = after.keys() - changed
    assert all(after[name][:2] == before[name][:2] for name in kept)
    assert f"wrote {len(changed)} files" in result.out
    return changed


def edit(site: Path, relative: str, old: str, new: str) -> None:
    path = site / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_edited_lesson_rewrites_its_page_and_its_search_file_only(make_site, tmp_path, jobs):
    site = make_site(site_files())
    assert run_cli("build", site, "--jobs", jobs).code == 0
    for round_number in range(3):  # the first rebuild stages a new tree, the later ones the spare copy
        edit(site, "content/統計/lesson 02.md", "的內容。", f"的內容。第 {round_number} 次修改。")
        changed = rebuild(site, jobs, tmp_path)
        assert len(changed) == 2 and "統計/lesson-02/index.html" in changed, changed
        (search,) = changed - {"統計/lesson-02/index.html"}
        assert search.startswith("search/text-") and f"第 {round_number} 次修改" in (site / "public" / search).read_text()


CHANGES = [
    ("a title", lambda site: edit(site, "content/統計/lesson 04.md", 'title = "統計 4"', 'title = "統計 四"')),
    ("an order", lambda site: edit(site, "content/統計/lesson 09.md", "weight = 9", "weight = 1")),
    ("a lesson added", lambda site: (site / "content/統計/lesson 13.md").write_text(lesson("統計 13", 13), encoding="utf-8")),
    ("a lesson removed", lambda site: (site / "content/最佳化/lesson 12.md").unlink()),
    ("a link's target moved", lambda site: edit(site, "content/最佳化/lesson 07.md", "weight = 7\n", 'weight = 7\nslug = "seven"\n')),
    ("a folder's title", lambda site: edit(site, "content/最佳化/_index.md", 'title = "最佳化"', 'title = "最佳化方法"')),
    ("a new figure", lambda site: edit(site, "content/最佳化/lesson 02.md", "的內容。", "的內容。Hinge loss 與交叉熵 (cross entropy)。")),
    ("a figure gone", lambda site: edit(site, "content/機器學習/lesson 03.md", "均方誤差 (MSE) 與平均絕對誤差 (MAE) 的比較。", "")),
    ("a static file", lambda site: (site / "static").mkdir() or (site / "static/robots.txt").write_text("User-agent: *\n")),
    ("the lesson template", lambda site: (site / "templates").mkdir() or (site / "templates/lesson.html").write_text(
        (bundled_dir("templates") / "lesson.html").read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}<!-- 新的 -->", 1),
        encoding="utf-8")),
    ("a stylesheet", lambda site: (site / "static/assets").mkdir(parents=True) or (site / "static/assets/site.css").write_text(
        (bundled_dir("static") / "assets/site.css").read_text(encoding="utf-8") + "\n/* 新的 */\n", encoding="utf-8")),
    ("the config", lambda site: edit(site, "studysite.toml", 'title = "增量"', 'title = "增量建置"')),
]


def test_each_kind_of_change_rewrites_what_changed_and_no_more(make_site, tmp_path, jobs):
    site = make_site(site_files())
    assert run_cli("build", site, "--jobs", jobs).code == 0
    pages = {name for name in files_of(site / "public") if name.endswith("index.html")}
    for name, change in CHANGES:
        change(site)
        changed = rebuild(site, jobs, tmp_path)
        assert changed, name
        if name == "a static file":
            assert changed == {"robots.txt"}
        elif name == "the lesson template":
            # Lesson pages only: folder pages are made from other templates.
            assert changed and all(not page.endswith(("統計/index.html", "最佳化/index.html")) for page in changed)
            assert "index.html" not in changed
        elif name in ("a title", "an order", "a folder's title"):
            assert len(changed & pages) < len(pages), name


def test_a_new_translation_rewrites_the_pages_whose_language_menu_changed(make_site, tmp_path, jobs):
    site = make_site(MULTILINGUAL_FILES)
    assert run_cli("build", site, "--jobs", jobs).code == 0
    target = "content/zh-cn/AI Knowledge Hub/IT/Only in English.md"
    (site / target).write_text(multilingual_lesson("zh-cn", "只有英文"), encoding="utf-8")
    changed = rebuild(site, jobs, tmp_path)
    assert "ai-knowledge-hub/it/only-in-english/index.html" in changed  # its menu now links the translation
    assert "zh-tw/ai-knowledge-hub/it/loss-function/index.html" not in changed


def test_what_was_done_to_the_output_or_the_spare_copy_is_undone(make_site, tmp_path):
    site = make_site(site_files())
    for number in range(3):  # the third build brings the spare copy up to date
        edit(site, "content/統計/lesson 02.md", "的內容。", f"的內容。{number}")
        assert run_cli("build", site).code == 0
    (spare,) = (site / ".studysite/output").glob("*/site")
    page = site / "public/機器學習/lesson-01/index.html"
    assert page.stat().st_ino == (spare / "機器學習/lesson-01/index.html").stat().st_ino  # one file, two names
    with page.open("a") as handle:  # edited in place: the spare copy's name sees it too
        handle.write("<!-- 改過 -->")
    (spare / "extra.html").write_text("not ours")
    (site / "public/統計/lesson-03/index.html").unlink()
    edit(site, "content/統計/lesson 02.md", "的內容。", "的內容。再")
    assert run_cli("build", site).code == 0
    assert tree_snapshot(site / "public") == from_scratch(site, tmp_path)


KILLED_WHILE_WRITING = r"""
import os, signal, sys
import generator.output
from generator.cli import main

write = generator.output.StagedOutput._write
def write_then_die(self, relative, data, digest):
    write(self, relative, data, digest)
    os.kill(os.getpid(), signal.SIGKILL)

generator.output.StagedOutput._write = write_then_die
sys.exit(main(sys.argv[1:]))
"""


def test_a_rebuild_killed_while_writing_leaves_the_old_site_and_the_next_one_is_right(make_site, tmp_path):
    site = make_site(site_files())
    for number in range(2):  # the next build brings the spare copy up to date
        edit(site, "content/統計/lesson 02.md", "的內容。", f"的內容。{number}")
        assert run_cli("build", site).code == 0
    old = tree_snapshot(site / "public")
    edit(site, "content/統計/lesson 02.md", "的內容。", "的內容。被中斷")
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_WHILE_WRITING, "build", str(site), "--jobs", "1"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
    )
    assert killed.returncode == -signal.SIGKILL
    assert tree_snapshot(site / "public") == old
    assert run_cli("build", site).code == 0
    assert tree_snapshot(site / "public") == from_scratch(site, tmp_path)
