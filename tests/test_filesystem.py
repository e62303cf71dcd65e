"""File-system failures and hostile file names: each is one error line, and the previous
output stays whole.

The full disk, the read-only file system and the mount points are real: a shell in its own
user and mount namespace (``unshare``) mounts a small tmpfs or a bind mount and runs the
build beside it, and the test reads what is on the mount through ``/proc/PID/root``."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import Run, run_cli, tree_snapshot

LESSON = '+++\ntitle = "A"\n+++\n## 說明知識\n內容。\n'


class Namespace:
    """A shell in a user and mount namespace of its own: what it mounts is seen by the
    commands it runs, by nothing else, and goes away with it."""

    def __init__(self, logs: Path):
        self.logs = logs
        logs.mkdir()
        self.shell = subprocess.Popen(
            ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", 'while read -r line; do eval "$line"; echo $?; done'],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def run(self, *command: str | Path) -> Run | None:
        """Run *command* in the namespace; None if the namespace's shell is gone."""
        out, err = self.logs / "out", self.logs / "err"
        line = " ".join(shlex.quote(str(part)) for part in command)
        try:
            self.shell.stdin.write(f"{line} >{shlex.quote(str(out))} 2>{shlex.quote(str(err))}\n")
            self.shell.stdin.flush()
        except BrokenPipeError:
            return None
        code = self.shell.stdout.readline()
        if not code:
            return None
        return Run(int(code), out.read_text(), err.read_text())

    def must(self, *command: str | Path) -> None:
        result = self.run(*command)
        assert result is not None and result.code == 0, (command, result)

    def build(self, *args: str | Path) -> Run:
        return self.run(sys.executable, "-m", "generator", "build", *args)

    def seen(self, path: Path) -> Path:
        """*path* as the namespace sees it, mounts included."""
        return Path(f"/proc/{self.shell.pid}/root") / path.relative_to("/")

    def close(self) -> None:
        self.shell.stdin.close()
        self.shell.wait()
        self.shell.stdout.close()


@pytest.fixture
def namespace(tmp_path):
    if shutil.which("unshare") is None or not Path("/proc/self/root").exists():
        pytest.skip("needs util-linux's unshare and Linux's /proc")
    namespace = Namespace(tmp_path / "namespace-logs")
    probe = tmp_path / "probe"
    probe.mkdir()
    mounted = namespace.run("mount", "-t", "tmpfs", "none", probe)
    if mounted is None or mounted.code != 0:
        namespace.close()
        pytest.skip(f"cannot mount in a user namespace here: {mounted.err if mounted else 'unshare failed'}")
    yield namespace
    namespace.close()


def error_lines(run: Run) -> list[str]:
    return [line for line in run.err.splitlines() if "error" in line]


# --- the output folder's file system --------------------------------------------------


@pytest.mark.parametrize("filler", ["a large file beside a lesson", "large pages, --jobs 2"])
def test_a_full_disk_is_one_error_line_and_the_old_site_stays(namespace, make_site, tmp_path, filler):
    volume = tmp_path / "volume"
    volume.mkdir()
    # Room for the site (no diagram, so no Mermaid), not for the filler as well.
    namespace.must("mount", "-t", "tmpfs", "-o", "size=2m", "none", volume)
    site = make_site({"content/a.md": LESSON})
    out = volume / "public"
    assert namespace.build(site, "-o", out).code == 0
    before = tree_snapshot(namespace.seen(out))

    jobs = "1"
    if filler.startswith("a large file"):
        (site / "content/big.bin").write_bytes(os.urandom(3 << 20))
        expected = re.escape(f"studysite: error: cannot write {out}/big.bin: No space left on device; {out} is left as it was")
    else:
        jobs = "2"
        # More than the room left, even with the unchanged files hard-linked from the old site.
        paragraph = "長長的說明。" * 10_000
        for number in range(60):
            (site / f"content/l{number}.md").write_text(LESSON.replace("內容。", paragraph), encoding="utf-8")
        expected = re.escape(f"studysite: error: cannot write {out}/") + r"\S+: " + re.escape(
            f"No space left on device; {out} is left as it was"
        )
    result = namespace.build(site, "-o", out, "--jobs", jobs)
    assert result.code == 1
    assert len(error_lines(result)) == 1 and re.fullmatch(expected, error_lines(result)[0]), result.err
    assert "Traceback" not in result.err
    assert tree_snapshot(namespace.seen(out)) == before
    assert sorted(os.listdir(namespace.seen(volume))) == ["public"]


@pytest.mark.parametrize("how", ["tmpfs remounted read-only", "read-only bind mount"])
def test_a_read_only_file_system_is_one_error_line_and_the_old_site_stays(namespace, make_site, tmp_path, how):
    volume = tmp_path / "volume"
    volume.mkdir()
    if how.startswith("tmpfs"):
        namespace.must("mount", "-t", "tmpfs", "none", volume)
    site = make_site({"content/a.md": LESSON})
    out = volume / "public"
    assert namespace.build(site, "-o", out).code == 0
    if how.startswith("tmpfs"):
        namespace.must("mount", "-o", "remount,ro", volume)
    else:
        namespace.must("mount", "--bind", volume, volume)
        namespace.must("mount", "-o", "remount,bind,ro", volume)
    before = tree_snapshot(namespace.seen(out))
    (site / "content/a.md").write_text(LESSON.replace("內容", "新的內容"), encoding="utf-8")
    result = namespace.build(site, "-o", out)
    assert result.code == 1
    assert error_lines(result) == [f"studysite: error: cannot write beside {out}: Read-only file system; {out} is left as it was"]
    assert tree_snapshot(namespace.seen(out)) == before


def test_an_output_folder_that_is_a_mount_point_is_refused(namespace, make_site):
    site = make_site({"content/a.md": LESSON})
    out = site / "public"
    out.mkdir()
    namespace.must("mount", "-t", "tmpfs", "none", out)
    result = namespace.build(site)
    assert result.code == 2
    assert error_lines(result) == [
        f"studysite: error: output folder {out} is a mount point, which cannot be replaced as a whole; "
        f"build into a folder inside it, such as {out}/site"
    ]
    assert os.listdir(namespace.seen(out)) == []
    assert namespace.build(site, "-o", out / "site").code == 0
    assert (namespace.seen(out) / "site/a/index.html").is_file()


def test_an_output_folder_bind_mounted_on_itself_is_refused_at_the_swap(namespace, make_site):
    # A bind mount of a folder of the same file system looks like a plain folder
    # (os.path.ismount cannot tell): the swap finds out, and keeps the old site.
    site = make_site({"content/a.md": LESSON})
    out = site / "public"
    assert run_cli("build", site).code == 0
    namespace.must("mount", "--bind", out, out)
    before = tree_snapshot(namespace.seen(out))
    (site / "content/a.md").write_text(LESSON.replace("內容", "新的內容"), encoding="utf-8")
    result = namespace.build(site)
    assert result.code == 2
    assert error_lines(result) == [
        f"studysite: error: output folder {out} is a mount point, which cannot be replaced as a whole; "
        f"build into a folder inside it, such as {out}/site"
    ]
    assert tree_snapshot(namespace.seen(out)) == before
    assert sorted(os.listdir(namespace.seen(site))) == [".studysite", "content", "public"]


def test_an_output_folder_under_a_regular_file_is_a_usage_error(make_site):
    site = make_site({"content/a.md": LESSON, "notes.txt": "notes"})
    result = run_cli("build", site, "-o", site / "notes.txt/public")
    assert result.code == 2
    assert result.err == f"studysite: error: output folder {site}/notes.txt/public cannot be made: {site}/notes.txt is a file\n"
    assert (site / "notes.txt").read_text() == "notes"


# --- hostile names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, expected",
    [
        ("content/index.html.md", "content/index.html.md:1: error: URL /index.html/ is reserved for the site's own files; rename the file or set a slug"),
        ("content/sub/index.html.md", "content/sub/index.html.md:1: error: URL /sub/index.html/ has a part named index.html, the file of a folder's own page; rename it or set a slug"),
        ("content/sub/INDEX.HTML.md", "content/sub/INDEX.HTML.md:1: error: URL /sub/index.html/ has a part named index.html, the file of a folder's own page; rename it or set a slug"),
        ("content/sub/index.html/b.md", "content/sub/index.html:1: error: folder name gives the URL part 'index.html', the file of its parent folder's own page; rename the folder"),
        ("content/(..)/b.md", "content/(..):1: error: folder name gives the URL part '..', and dots alone cannot name a folder in a URL; rename the folder"),
        ("content/sub/«...»/b.md", "content/sub/«...»:1: error: folder name gives the URL part '...', and dots alone cannot name a folder in a URL; rename the folder"),
    ],
)
def test_names_that_would_clash_with_an_index_page_or_leave_their_folder_are_errors(make_site, path, expected):
    site = make_site({"content/sub/_index.md": LESSON, "content/keep.md": LESSON})
    assert run_cli("build", site).code == 0
    before = tree_snapshot(site / "public")
    (site / path).parent.mkdir(parents=True, exist_ok=True)
    (site / path).write_text(LESSON, encoding="utf-8")
    for jobs in ("1", "2"):
        result = run_cli("build", site, "--jobs", jobs)
        assert result.code == 1
        assert result.error_lines == [expected]
        assert tree_snapshot(site / "public") == before
    assert sorted(p.name for p in site.iterdir()) == [".studysite", "content", "public"]


def test_control_characters_in_a_file_name_are_shown_escaped(make_site):
    forged = "x\ncontent/other.md:9: error: forged\x1b[2K\u202e.md"
    site = make_site({"content/a.md": LESSON, f"content/{forged}": "+++\ntitle = \n+++\n"})
    result = run_cli("build", site)
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines == [
        "content/x\\ncontent/other.md:9: error: forged\\x1b[2K\\u202e.md:2: error: invalid TOML front matter: "
        + lines[0].split("invalid TOML front matter: ", 1)[1],
        "studysite: 1 error; nothing was written",
    ]
    check = run_cli("check", site)
    assert [line for line in check.out.splitlines() if "forged" in line][0].startswith("content/x\\ncontent/other.md:9")
