"""Killed builds: the workers of a killed build end with it, and what it leaves behind is
cleaned up by the next build."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmark import generate_site
from helpers import REPO, children, run_cli, tree_snapshot, wait_until_gone

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds processes through Linux's /proc")


def python(*args: str, **options) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, *args], cwd=REPO, env=env, **options)


def test_the_workers_of_a_killed_build_end_with_it(tmp_path):
    site = generate_site(tmp_path / "site", 400)
    build = python("-m", "generator", "build", str(site), "--jobs", "2", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        workers: set[int] = set()
        while len(workers) < 2:
            if build.poll() is not None:
                pytest.fail(f"the build ended before its workers were seen: {build.stderr.read().decode()}")
            workers = children(build.pid)
            time.sleep(0.005)
        # Still parsing: the staging folder is made only once every lesson has been read.
        assert not [p for p in site.iterdir() if ".staging-" in p.name]
        build.send_signal(signal.SIGKILL)
        build.wait()
    finally:
        build.kill()
        build.stderr.close()
    assert wait_until_gone(workers, 2.0) == set()

    again = python("-m", "generator", "build", str(site), "--jobs", "2", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err.decode()
    assert sorted(p.name for p in site.iterdir()) == [".studysite", "content", "public"]


def test_a_worker_without_the_kernel_signal_notices_its_parent_is_gone():
    # The fallback for systems without PR_SET_PDEATHSIG: the worker polls its parent's pid.
    middle = python(
        "-c",
        "import os, signal, sys\n"
        "from generator.workers import watch_parent\n"
        "parent = os.getpid()\n"
        "ready_read, ready_write = os.pipe()\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        "    os.write(ready_write, b'x')\n"
        "    watch_parent(parent)\n"
        "    os._exit(3)\n"
        "os.read(ready_read, 1)\n"
        "print(child, flush=True)\n"
        "os.kill(parent, signal.SIGKILL)\n",
        stdout=subprocess.PIPE,
    )
    worker = int(middle.stdout.readline())
    middle.wait()
    middle.stdout.close()
    assert middle.returncode == -signal.SIGKILL
    assert wait_until_gone({worker}, 2.0) == set()


LESSON = '+++\ntitle = "A"\n+++\n## 說明知識\n{}\n'

KILLED_AT_THE_SWAP = r"""
import os, signal, sys
import generator.output
from generator.cli import main

generator.output._exchange = lambda first, second: False  # as where renameat2 is missing
rename = os.rename

def rename_then_die(source, target):
    rename(source, target)
    if ".previous-" in os.fspath(target):  # OUT has just been moved aside
        os.kill(os.getpid(), signal.SIGKILL)

os.rename = rename_then_die
sys.exit(main(sys.argv[1:]))
"""


def test_a_build_killed_while_out_is_moved_aside_leaves_the_old_site_and_the_next_build_puts_it_back(make_site):
    site = make_site({"content/a.md": LESSON.format("舊的內容。")})
    assert run_cli("build", site).code == 0
    old = tree_snapshot(site / "public")
    (site / "content/a.md").write_text(LESSON.format("新的內容。"), encoding="utf-8")
    killed = python("-c", KILLED_AT_THE_SWAP, "build", str(site))
    assert killed.wait() == -signal.SIGKILL
    assert not (site / "public").exists()
    (previous,) = [p for p in site.iterdir() if ".previous-" in p.name]
    assert tree_snapshot(previous) == old

    (site / "content/broken.md").write_text("+++\n", encoding="utf-8")
    assert run_cli("build", site).code == 1
    assert tree_snapshot(site / "public") == old
    assert sorted(p.name for p in site.iterdir()) == [".studysite", "content", "public"]

    (site / "content/broken.md").unlink()
    assert run_cli("build", site).code == 0
    assert "新的內容" in (site / "public/a/index.html").read_text(encoding="utf-8")


def test_here_the_swap_is_one_step(tmp_path):
    from generator.output import _exchange

    (tmp_path / "new").mkdir()
    (tmp_path / "new/page").write_text("new")
    (tmp_path / "out").mkdir()
    (tmp_path / "out/page").write_text("old")
    assert _exchange(tmp_path / "new", tmp_path / "out")
    assert (tmp_path / "out/page").read_text() == "new"
    assert (tmp_path / "new/page").read_text() == "old"
