"""The live server: the same bytes as a build, quick incremental rebuilds, errors shown
while the last good pages stay, and no file outside the site ever served."""

import html
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from generator.serve import FILE_POLICY, LiveSite, allowed_hosts, make_server, resolve_request
from helpers import REPO, ServeProcess, run_cli, tree_snapshot, write_site

LESSON = '+++\ntitle = "{title}"\nweight = {weight}\n+++\n## 說明知識\n{body}\n\n## 知識測驗\n1. 問？\n答案：答。\n'


def lesson(title: str, weight: int = 1, body: str = "內容。") -> str:
    return LESSON.format(title=title, weight=weight, body=body)


def site_files(count: int = 6) -> dict[str, str]:
    files = {f"content/part{n % 2}/l{n}.md": lesson(f"L{n}", n + 1) for n in range(count)}
    files["content/part0/_index.md"] = '+++\ntitle = "Part zero"\n+++\n介紹。\n'
    files["static/robots.txt"] = "User-agent: *\n"
    return files


def built(site: Path, tmp_path: Path, name: str = "public") -> dict[str, bytes]:
    out = tmp_path / name
    assert run_cli("build", site, "-o", out).code == 0
    snapshot = tree_snapshot(out)
    snapshot.pop(".studysite")
    return snapshot


def test_served_files_are_byte_identical_to_a_build(tmp_path):
    for site in (write_site(tmp_path / "site", site_files()), REPO):
        live = LiveSite(site)
        live.full_build()
        assert live.errors == []
        assert live.files == built(site, tmp_path, f"out-{site.name}")


def test_editing_a_lesson_rebuilds_just_that_and_matches_a_fresh_build(tmp_path):
    site = write_site(tmp_path / "site", site_files())
    live = LiveSite(site)
    live.full_build()
    before = dict(live.files)
    path = site / "content/part1/l3.md"
    path.write_text(lesson("L3", 4, "改過的內容。"), encoding="utf-8")
    live.rebuild({path})
    assert live.build == 2
    changed = {name for name in live.files if live.files[name] != before.get(name)}
    assert changed and all(name == "part1/l3/index.html" or name.startswith("search/") for name in changed)
    assert "改過的內容" in live.files["part1/l3/index.html"].decode()
    assert live.files == built(site, tmp_path)


def test_mermaid_is_served_once_an_edit_adds_a_diagram_and_dropped_when_it_goes(tmp_path):
    site = write_site(tmp_path / "site", site_files())
    live = LiveSite(site)
    live.full_build()
    assert not any(name.startswith("assets/vendor/mermaid/") for name in live.files)
    path = site / "content/part1/l3.md"
    path.write_text(lesson("L3", 4, "```mermaid\ngraph TD\n  A --> B\n```"), encoding="utf-8")
    live.rebuild({path})
    assert live.files["assets/vendor/mermaid/mermaid.min.js"] == (REPO / "static/assets/vendor/mermaid/mermaid.min.js").read_bytes()
    assert live.files == built(site, tmp_path, "with-diagram")
    path.write_text(lesson("L3", 4), encoding="utf-8")
    live.rebuild({path})
    assert live.files == built(site, tmp_path, "without-diagram")
    assert not any(name.startswith("assets/vendor/mermaid/") for name in live.files)


def test_renaming_or_adding_lessons_updates_every_listing(tmp_path):
    site = write_site(tmp_path / "site", site_files())
    live = LiveSite(site)
    live.full_build()
    (site / "content/part0/l2.md").write_text(lesson("Renamed", 3), encoding="utf-8")
    (site / "content/part0/new.md").write_text(lesson("New", 9), encoding="utf-8")
    (site / "content/part1/l5.md").unlink()
    live.rebuild({site / "content/part0/l2.md", site / "content/part0/new.md", site / "content/part1/l5.md"})
    assert "part1/l5/index.html" not in live.files
    assert "Renamed" in live.files["index.html"].decode() and "New" in live.files["part0/l0/index.html"].decode()
    assert live.files == built(site, tmp_path)


def test_a_broken_lesson_keeps_the_last_good_pages_until_fixed(tmp_path):
    site = write_site(tmp_path / "site", site_files())
    live = LiveSite(site)
    live.full_build()
    good = dict(live.files)
    broken = site / "content/part0/l0.md"
    broken.write_text(lesson("L0", 1, "{{< youtube x >}}"), encoding="utf-8")
    live.rebuild({broken})
    assert live.errors == ["content/part0/l0.md:6: error: unknown shortcode 'youtube' (known: ask_chatgpt, figure, highlight, loss_curve, param, ref, relref, training_curve)"]
    assert live.files == good and live.build == 1
    # Edits elsewhere while broken are not lost once the error is fixed.
    other = site / "content/part1/l1.md"
    other.write_text(lesson("L1", 2, "別處的修改。"), encoding="utf-8")
    live.rebuild({other})
    assert live.errors and live.files == good
    broken.write_text(lesson("L0", 1, "修好了。"), encoding="utf-8")
    live.rebuild({broken})
    assert live.errors == [] and live.build == 2
    assert "別處的修改" in live.files["part1/l1/index.html"].decode()
    assert live.files == built(site, tmp_path)


def test_template_and_static_changes_rebuild_everything(tmp_path):
    site = write_site(tmp_path / "site", site_files())
    live = LiveSite(site)
    live.full_build()
    write_site(site, {"templates/404.html": '{% extends "base.html" %}{% block main %}不見了{% endblock %}', "static/extra.txt": "x"})
    live.rebuild({site / "templates/404.html", site / "static/extra.txt"})
    assert "不見了" in live.files["404.html"].decode() and live.files["extra.txt"] == b"x"
    assert live.files == built(site, tmp_path)


@pytest.mark.parametrize(
    "path",
    ["/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/a/./b", "/a%5c..%5cb", "/x%00.html", "/a\\..\\b"],
)
def test_request_paths_that_could_leave_the_site_are_refused(path):
    assert resolve_request(path) is None


def test_request_paths_map_to_output_files():
    assert resolve_request("/") == "index.html"
    assert resolve_request("/%E6%A9%9F/loss/?q=1#x") == "機/loss/index.html"
    assert resolve_request("/assets/site.css") == "assets/site.css"


# --- The real server, in its own process --------------------------------------------


class Server(ServeProcess):
    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def raw_get(self, path: str, host: str | None = None) -> int:
        """Send the path exactly as written (urllib would normalise '..')."""
        host = host if host is not None else f"127.0.0.1:{self.port}"
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as connection:
            connection.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode("latin-1"))
            head = connection.recv(100).decode("latin-1")
        return int(head.split()[1])


@pytest.fixture
def server(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    site = write_site(tmp_path / "site", site_files())
    os.symlink(secret, site / "static" / "leak.txt")
    os.symlink(tmp_path, site / "static" / "up")
    running = Server(site)
    yield running, site
    if running.process.poll() is None:
        running.process.kill()


def test_serves_pages_with_the_reload_script_and_never_writes_public(server):
    running, site = server
    status, body = running.get("/part0/l0/")
    assert status == 200
    assert body.count(b'<script src="/__studysite/live.js"') == 1
    status, body = running.get("/robots.txt")
    assert (status, body) == (200, b"User-agent: *\n")
    assert running.get("/part0/l0")[0] == 200  # redirected to the folder URL
    status, body = running.get("/no/such/page/")
    assert status == 404 and "找不到頁面".encode() in body
    assert not (site / "public").exists()


def test_every_response_carries_a_policy_and_nosniff(server):
    running, _ = server
    for path, policy in (
        ("/part0/l0/", "page"),
        ("/no/such/page/", "page"),
        ("/assets/site.css", "file"),
        ("/robots.txt", "file"),
        ("/__studysite/live.js", "file"),
    ):
        try:
            response = urllib.request.urlopen(f"http://127.0.0.1:{running.port}{path}", timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        body = response.read()
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        header = response.headers["Content-Security-Policy"]
        if policy == "page":
            meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', body.decode())
            assert header == html.unescape(meta.group(1))
            assert "script-src 'self'" in header and "connect-src 'self'" in header
        else:
            assert header == FILE_POLICY and "sandbox" in header


def test_traversal_and_symlinks_out_of_the_site_get_404(server):
    running, _ = server
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/leak.txt", "/up/secret.txt", "/../../../../etc/passwd"):
        assert running.raw_get(path) == 404, path
        status, body = running.get(path.replace("..", "%2e%2e"))
        assert status == 404 and b"TOP SECRET" not in body


def test_reload_is_signalled_after_an_edit(server):
    running, site = server
    status, body = running.get("/__studysite/poll?build=0&errors=-1")
    state = json.loads(body)
    (site / "content/part0/l0.md").write_text(lesson("L0", 1, "剛剛存檔。"), encoding="utf-8")
    # The poll answers at once on a new build; with none it would answer, unchanged, after its 25 s.
    _, body = running.get(f"/__studysite/poll?build={state['build']}&errors={state['errors_version']}")
    assert json.loads(body)["build"] == state["build"] + 1
    assert "剛剛存檔".encode() in running.get("/part0/l0/")[1]


def test_ctrl_c_stops_cleanly(server):
    running, _ = server
    code, err = running.stop()
    assert code == 0
    assert "Traceback" not in err and "stopped" in err


def test_a_port_in_use_is_one_clear_line(tmp_path):
    site = write_site(tmp_path / "site", site_files())
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "generator", "serve", str(site), "--port", str(port)],
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.match(rf"studysite: error: cannot listen on 127\.0\.0\.1:{port}: .*--port", lines[0])


# --- Failures, strangers and load ------------------------------------------------------


def test_a_rebuild_that_raises_keeps_the_last_good_site_and_the_next_save_retries(tmp_path, capsys):
    site = write_site(tmp_path / "site", site_files())
    live = LiveSite(site)
    live.full_build()
    good = dict(live.files)
    update = live._update
    live._update = lambda changed: 1 / 0  # a bug anywhere in a rebuild
    edited = site / "content/part0/l0.md"
    edited.write_text(lesson("L0", 1, "第一次存檔。"), encoding="utf-8")
    live.rebuild({edited})
    assert live.errors == [
        "studysite: internal error: ZeroDivisionError: division by zero (the last good pages are kept; details in the terminal)"
    ]
    assert "Traceback" in capsys.readouterr().err  # for the bug report, in the terminal only
    assert live.files == good and live.building is False
    assert live.current() == (good, 1)  # requests are answered, not left waiting
    live._update = update
    edited.write_text(lesson("L0", 1, "第二次存檔。"), encoding="utf-8")
    live.rebuild({edited})
    assert live.errors == [] and live.build == 2
    assert "第二次存檔" in live.files["part0/l0/index.html"].decode()
    assert live.files == built(site, tmp_path)


def poll_until(running, done) -> dict:
    """Long-poll the server until *done(state)*; each poll returns at the next change."""
    state = json.loads(running.get("/__studysite/poll?build=0&errors=-1")[1])
    for _ in range(10):
        if done(state):
            return state
        state = json.loads(running.get(f"/__studysite/poll?build={state['build']}&errors={state['errors_version']}")[1])
    raise AssertionError(f"the server never reached the state: {state}")


def test_a_broken_template_is_one_line_and_the_server_keeps_answering(server):
    running, site = server
    template = site / "templates/lesson.html"
    template.parent.mkdir()
    template.write_text('{% extends "base.html" %}{% block main %}{% if %}{% endblock %}', encoding="utf-8")
    state = poll_until(running, lambda state: state["errors"])
    assert state["errors"] == ["templates/lesson.html:1: error: template: Expected an expression, got 'end of statement block'"]
    status, page = running.get("/part0/l0/")
    assert status == 200 and b"L0" in page  # the last good page
    # Saved as editors save, by a rename: a truncate-then-write lets the watcher build the
    # empty file in between, a valid template that shows nothing.
    saved = template.with_suffix(".tmp")
    saved.write_text('{% extends "base.html" %}{% block main %}<p>own template</p>{% endblock %}', encoding="utf-8")
    saved.replace(template)
    poll_until(running, lambda state: not state["errors"] and state["build"] > 1)
    assert b"own template" in running.get("/part0/l0/")[1]
    code, err = running.stop()
    assert "Traceback" not in err
    assert "templates/lesson.html:1: error: template: Expected an expression" in err


def test_requests_for_another_host_are_refused(server):
    running, _ = server
    port = running.port
    for host in (f"evil.example:{port}", "evil.example", "127.0.0.1:1", "localhost", "", f"127.0.0.2:{port}", f"[::1]:{port}"):
        for path in ("/part0/l0/", "/__studysite/live.js", "/__studysite/poll?build=0&errors=-1"):
            assert running.raw_get(path, host=host) == 403, (host, path)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        assert running.raw_get("/part0/l0/", host=host) == 200, host


def test_which_hosts_a_bound_address_answers():
    assert allowed_hosts("127.0.0.1", 1313) == {"127.0.0.1:1313", "localhost:1313"}
    assert allowed_hosts("::1", 8000) == {"[::1]:8000", "localhost:8000", "127.0.0.1:8000"}
    assert allowed_hosts("localhost", 1) == {"localhost:1", "127.0.0.1:1"}
    assert allowed_hosts("0.0.0.0", 1313) is None and allowed_hosts("192.168.1.20", 1313) is None


def test_every_page_answers_while_200_idle_connections_are_open_and_they_are_closed(tmp_path):
    site = write_site(tmp_path / "site", site_files())
    live = LiveSite(site)
    live.full_build()
    server = make_server(live, "127.0.0.1", 0, idle_seconds=1.0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    port = server.server_address[1]

    def get(path: str) -> int:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=30) as response:
            return response.status

    idle = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(200)]
    try:
        slowest = 0.0
        for path in live.files:
            started = time.monotonic()
            assert get(path) == 200, path
            slowest = max(slowest, time.monotonic() - started)
        # Generous: each is answered at once in practice (tests/serve_load.py measures it).
        assert slowest < 5, f"slowest of {len(live.files)} files: {slowest:.2f} s"
        # 200 clients at once, on top of the idle ones: every one answered.
        answers: list[int] = []
        clients = [threading.Thread(target=lambda: answers.append(get("part0/l0/"))) for _ in range(200)]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        assert answers == [200] * 200
        # The idle connections are closed by the server, not left to pile up.
        assert all(connection.recv(10) == b"" for connection in idle)
    finally:
        for connection in idle:
            connection.close()
        server.shutdown()
        server.server_close()
    assert server.request_queue_size >= 128
