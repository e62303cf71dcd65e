"""``studysite serve``: the site in memory, rebuilt as files change, reloading open pages.

The whole output lives in a dict, built by the same code as ``studysite build`` (so pages
are byte-identical), and requests are answered from that dict only: nothing on disk
outside it can be served, whatever a path says. A change to one lesson re-parses that file
and re-renders its page and search text; a change to titles, order, templates or static
files re-renders every page from the lessons already in memory. While a rebuild runs,
requests wait for it. A broken lesson keeps the last good pages and shows its
``path:line: message`` over every open page until it is fixed.
"""

from __future__ import annotations

import gc
import html
import ipaddress
import json
import mimetypes
import re
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from generator.build import (
    BuildOptions,
    Shard,
    _parse_key,
    _split,
    _static_collisions,
    _titles,
    _write_shared_files,
    asset_version,
    load_site_config,
    make_site,
    draw_figures,
)
from generator.cache import LessonCache, bucket_of
from generator.config import CONFIG_NAMES, SiteConfig
from generator.content.site import ContentTree, Site, is_ignored_name, scan_content
from generator.errors import ContentError, Diagnostic, UsageError
from generator.output import MemoryOutput, static_files
from generator.plots import PlotCache, render_figures
from generator.render.csp import content_security_policy
from generator.render.environment import create_environment, plot_path
from generator.render.pages import Renderer
from generator.render.search import index_script
from generator.resources import bundled_dir

LIVE_PATH = "/__studysite/"
POLL_SECONDS = 25

_PAGE_POLICY = re.compile(rb'<meta http-equiv="Content-Security-Policy" content="([^"]*)"')
FILE_POLICY = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"
"""The policy of everything but pages: an SVG or other file opened by itself may show
itself (plots carry their own styles) but never run a script."""

LIVE_SCRIPT = r"""(function () {
  "use strict";
  var script = document.currentScript;
  var build = Number(script.getAttribute("data-build"));
  var known = -1;
  function overlay(errors) {
    var box = document.getElementById("studysite-errors");
    if (!errors.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "studysite-errors";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;z-index:2147483647;max-height:60vh;overflow:auto;" +
        "margin:0;padding:1rem 1.25rem;background:#2b0d0d;color:#ffd7d5;border-top:4px solid #ff5f56;" +
        "font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;box-shadow:0 -6px 24px rgba(0,0,0,.4)";
      document.body.appendChild(box);
    }
    box.textContent = "studysite: the last change has errors; these pages are from the last good build.\n\n" + errors.join("\n");
  }
  function poll() {
    fetch("/__studysite/poll?build=" + build + "&errors=" + known, { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.build !== build && !state.errors.length) { location.reload(); return; }
        known = state.errors_version;
        overlay(state.errors);
        poll();
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
"""


@dataclass
class _State:
    config: SiteConfig
    tree: ContentTree
    statics: dict[str, Path]
    shard: Shard
    environment: object
    version: str
    site: Site | None = None
    search: dict[str, str] | None = None
    pending: set[str] | None = None
    """Lessons edited while the site had errors, whose pages still need rendering."""


class LiveSite:
    """The published files in memory, and the state needed to update them quickly."""

    def __init__(self, site_root: Path, *, drafts: bool = False):
        self.options = BuildOptions(site_root=site_root, drafts=drafts)
        self.condition = threading.Condition()
        self.files: dict[str, bytes] = {}
        self.build = 0
        self.errors: list[str] = []
        self.errors_version = 0
        self.building = False
        self.last_seconds = 0.0
        self._state: _State | None = None
        self._build_lock = threading.Lock()

    # --- building -----------------------------------------------------------------

    def full_build(self) -> None:
        self._run(self._build_everything)

    def rebuild(self, changed: set[Path]) -> None:
        """Bring the site up to date after *changed* paths were written or removed."""
        self._run(lambda: self._update(changed))

    def _run(self, work) -> None:
        with self._build_lock:  # one rebuild at a time, whichever watcher asks
            self._run_alone(work)

    def _run_alone(self, work) -> None:
        with self.condition:
            self.building = True
        started = time.perf_counter()
        files, errors = None, []
        try:
            files, problems = work()
            errors = [problem.format() for problem in problems if problem.severity == "error"]
        except ContentError as error:  # a broken config file
            errors = [problem.format() for problem in error.diagnostics]
        except Exception as error:  # noqa: BLE001 - whatever fails, the server goes on
            # Start afresh on the next change: the failure may have left the state half-updated.
            files, self._state = None, None
            errors = [describe_failure(error, self.options.site_root)]
        finally:
            with self.condition:
                self.building = False
                if errors:
                    self.errors = errors
                    self.errors_version += 1
                else:
                    if self.errors:
                        self.errors = []
                        self.errors_version += 1
                    if files is not None:
                        self.files = files
                        self.build += 1
                self.last_seconds = time.perf_counter() - started
                self.condition.notify_all()
        try:
            if self._state is not None:
                self._state.shard.save_cache()
        except Exception as error:  # noqa: BLE001 - the pages are served all the same
            print(f"studysite: cannot save the lesson cache: {describe_failure(error, self.options.site_root)}", file=sys.stderr)

    def _load(self) -> _State:
        root = self.options.site_root
        config = load_site_config(self.options)
        tree = scan_content(config.content_dir)
        statics = static_files([bundled_dir("static"), root / "static"])
        shard = Shard(config, LessonCache(root, _parse_key(config)), _split(tree.sources, 1)[0])
        shard.parse()
        return _State(config, tree, statics, shard, create_environment(root), asset_version(statics))

    def _build_everything(self) -> tuple[dict[str, bytes] | None, list[Diagnostic]]:
        self._state = self._load()
        return self._render_everything(self._state)

    def _check(self, state: _State) -> tuple[Site, list[Diagnostic]]:
        summaries = [lesson.summary() for lesson in state.shard.lessons.values()]
        site, problems = make_site(summaries, state.tree, self.options.drafts)
        return site, state.shard.all_problems() + problems + _static_collisions(site, state.statics)

    def _render_everything(self, state: _State) -> tuple[dict[str, bytes] | None, list[Diagnostic]]:
        site, problems = self._check(state)
        if any(p.severity == "error" for p in problems):
            return None, problems
        output = MemoryOutput()
        renderer = Renderer(state.config, site, state.shard.lessons, state.environment, state.version)
        state.shard.render_pages(site, renderer, output)
        state.search = state.shard.search_scripts(site, set(state.shard.sources))
        for name, script in state.search.items():
            output.write(name, script)
        figures, _ = draw_figures(site, self.options.site_root, 1)
        for spec, svg in figures.items():
            output.write(plot_path(spec), svg)
        _write_shared_files(state.config, site, state.statics, self.options.site_root, state.version, output)
        output.write("search/index.js", index_script(list(state.search), _titles(site)))
        state.site = site
        return output.files, problems

    def _update(self, changed: set[Path]) -> tuple[dict[str, bytes] | None, list[Diagnostic]]:
        state = self._state
        root = self.options.site_root.resolve()
        kinds = {_kind_of(path, root) for path in changed}
        if state is None or "config" in kinds:
            return self._build_everything()
        everything = state.site is None
        if "templates" in kinds:
            state.environment = create_environment(self.options.site_root)
            everything = True
        if "static" in kinds:
            state.statics = static_files([bundled_dir("static"), self.options.site_root / "static"])
            state.version = asset_version(state.statics)
            everything = True
        tree = scan_content(state.config.content_dir)
        before = {source.relative: source for source in state.tree.sources}
        after = {source.relative: source for source in tree.sources}
        edited = [source for relative, source in after.items() if before.get(relative) != source]
        removed = [relative for relative in before if relative not in after]
        old_summaries = {
            source.relative: state.shard.lessons[source.relative].summary()
            for source in edited
            if source.relative in state.shard.lessons
        }
        state.shard.update(edited, removed)
        everything = everything or bool(removed) or tree.folders != state.tree.folders or tree.resources != state.tree.resources
        everything = everything or any(
            source.relative not in state.shard.lessons
            or old_summaries.get(source.relative) != state.shard.lessons[source.relative].summary()
            for source in edited
        )
        state.tree = tree
        paths = (state.pending or set()) | {source.relative for source in edited}
        if everything:
            state.pending = None
            files, problems = self._render_everything(state)
            if files is None:
                state.site = None  # render everything once the errors are fixed
            return files, problems
        # Titles, order and files are as before: the site tree still holds.
        problems = state.shard.all_problems()
        if any(p.severity == "error" for p in problems):
            state.pending = paths
            return None, problems
        state.pending = None
        if not paths:
            return None, problems
        output = MemoryOutput()
        output.files = dict(self.files)
        renderer = Renderer(state.config, state.site, state.shard.lessons, state.environment, state.version)
        state.shard.render_pages(state.site, renderer, output, only=paths)
        scripts = state.shard.search_scripts(state.site, {bucket_of(path) for path in paths})
        buckets = {name.rsplit("-", 1)[0] for name in scripts}
        for name in [name for name in state.search if name.rsplit("-", 1)[0] in buckets]:
            del state.search[name]
            del output.files[name]
        state.search.update(scripts)
        for name, script in scripts.items():
            output.write(name, script)
        output.write("search/index.js", index_script(list(state.search), _titles(state.site)))
        self._update_figures(state, output)
        return output.files, problems

    def _update_figures(self, state: _State, output: MemoryOutput) -> None:
        """Draw the figures edited lessons now need, and drop those no page shows any more."""
        published = [page.lesson for page in state.site.pages]
        published += [folder.index for folder in state.site.folders if folder.index is not None]
        current = [state.shard.lessons[summary.content_path].summary() for summary in published]
        specs = [spec for summary in current for spec in summary.figures]
        needed = {plot_path(spec) for spec in specs}
        for name in [name for name in output.files if name.startswith("assets/plots/") and name not in needed]:
            del output.files[name]
        missing = [spec for spec in specs if plot_path(spec) not in output.files]
        if missing:
            svgs, _ = render_figures(missing, PlotCache(self.options.site_root))
            for spec, svg in svgs.items():
                output.write(plot_path(spec), svg)

    # --- serving --------------------------------------------------------------------

    def current(self) -> tuple[dict[str, bytes], int]:
        """The files of the last good build, once no rebuild is running."""
        with self.condition:
            self.condition.wait_for(lambda: not self.building)
            return self.files, self.build

    def wait_for_change(self, build: int, errors_version: int, timeout: float) -> dict:
        with self.condition:
            self.condition.wait_for(
                lambda: not self.building and (self.build != build or self.errors_version != errors_version),
                timeout=timeout,
            )
            return {"build": self.build, "errors": self.errors, "errors_version": self.errors_version}


def _kind_of(path: Path, root: Path) -> str:
    try:
        relative = path.resolve().relative_to(root)
    except ValueError:
        return "other"
    top = relative.parts[0] if relative.parts else ""
    if top in ("content", "templates", "static"):
        return top
    if len(relative.parts) == 1 and top in CONFIG_NAMES:
        return "config"
    return "other"


def describe_failure(error: Exception, site_root: Path) -> str:
    """One line for a rebuild that raised: a template or file mistake as the author's
    error; anything else as an internal error, its traceback printed to the terminal."""
    from jinja2 import TemplateError, TemplateSyntaxError

    if isinstance(error, TemplateSyntaxError):
        where = _relative(error.filename or error.name or "templates", site_root)
        return f"{where}:{error.lineno}: error: template: {error.message}"
    if isinstance(error, TemplateError):
        return f"templates: error: {type(error).__name__}: {error.message}"
    if isinstance(error, OSError):
        where = _relative(error.filename, site_root) if error.filename else "studysite"
        return f"{where}: error: {error.strerror or error}"
    traceback.print_exception(error, file=sys.stderr)
    return f"studysite: internal error: {type(error).__name__}: {error} (the last good pages are kept; details in the terminal)"


def _relative(path: str, site_root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(site_root.resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def resolve_request(raw_path: str) -> str | None:
    """The output file a request path names, or None for anything that could reach
    outside the site: '..' or '.' segments (plain or percent-encoded), encoded slashes or
    backslashes, NUL bytes."""
    path = urlsplit(raw_path).path
    lowered = path.lower()
    if "%2f" in lowered or "%5c" in lowered or "%00" in lowered:
        return None
    decoded = unquote(path)
    if not decoded.startswith("/") or "\\" in decoded or "\x00" in decoded:
        return None
    segments = decoded[1:].split("/")
    if any(segment in (".", "..") for segment in segments):
        return None
    relative = decoded[1:]
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    return relative


def _watch_filter(change, path: str) -> bool:
    # Editors' backup, swap and probe files ("4913" is vim's) are not content.
    name = Path(path).name
    return not (is_ignored_name(name) or name == "4913" or name.endswith((".part", ".crdownload")))


IDLE_SECONDS = 10
"""A connection that sends nothing for this long is closed, so idle ones cannot pile up."""
BACKLOG = 512
"""Connections the system queues while the server is busy (the standard library's 5 left
hundreds of clients unanswered under load)."""


class _Server(ThreadingHTTPServer):
    request_queue_size = BACKLOG
    daemon_threads = True
    allowed_hosts: frozenset[str] | None = frozenset()
    """Set by make_server; until then no Host is answered."""


def allowed_hosts(bind: str, port: int) -> frozenset[str] | None:
    """The Host headers a server bound to *bind* answers: its own address, ``localhost``
    and ``127.0.0.1``, with the port — so that a page elsewhere cannot reach it through a
    name of its own pointed at this machine (DNS rebinding). None (any Host) when *bind*
    names an address other machines reach, under names this one cannot know."""
    try:
        loopback = ipaddress.ip_address(bind).is_loopback
    except ValueError:
        loopback = bind.lower() == "localhost"
    if not loopback:
        return None
    own = f"[{bind}]" if ":" in bind else bind
    return frozenset(f"{name}:{port}" for name in (own.lower(), "localhost", "127.0.0.1"))


def make_server(live: LiveSite, bind: str, port: int, *, idle_seconds: float = IDLE_SECONDS) -> ThreadingHTTPServer:
    server = _Server((bind, port), _make_handler(live, idle_seconds))
    server.allowed_hosts = allowed_hosts(bind, server.server_address[1])
    return server


def _make_handler(live: LiveSite, idle_seconds: float):
    class Handler(BaseHTTPRequestHandler):
        server_version = "studysite"
        timeout = idle_seconds  # for each read and write of the connection

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
            pass

        def do_HEAD(self) -> None:
            self._respond(head=True)

        def do_GET(self) -> None:
            self._respond(head=False)

        def _respond(self, head: bool) -> None:
            allowed = self.server.allowed_hosts
            if allowed is not None and (self.headers.get("Host") or "").lower() not in allowed:
                self._send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8", b"studysite: unknown Host\n", head)
                return
            if self.path.startswith(LIVE_PATH):
                self._live(head)
                return
            relative = resolve_request(self.path)
            files, build = live.current()
            if relative is not None and relative not in files and relative + "/index.html" in files:
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", urlsplit(self.path).path + "/")
                self.end_headers()
                return
            data = files.get(relative) if relative is not None else None
            status = HTTPStatus.OK
            if data is None:
                status = HTTPStatus.NOT_FOUND
                relative = "404.html"
                data = files.get("404.html", b"<!doctype html><title>studysite</title><body></body>")
            content_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
            policy = FILE_POLICY
            if content_type == "text/html":
                policy = page_policy(data)
                data = _inject_live_script(data, build)
            if content_type.startswith("text/") or content_type in ("application/javascript", "image/svg+xml"):
                content_type += "; charset=utf-8"
            self._send(status, content_type, data, head, policy)

        def _live(self, head: bool) -> None:
            url = urlsplit(self.path)
            if url.path == LIVE_PATH + "live.js":
                self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_SCRIPT.encode(), head)
            elif url.path == LIVE_PATH + "poll":
                query = parse_qs(url.query)
                try:
                    build = int(query.get("build", ["0"])[0])
                    errors_version = int(query.get("errors", ["-1"])[0])
                except ValueError:
                    self._send(HTTPStatus.BAD_REQUEST, "text/plain", b"bad poll\n", head)
                    return
                state = live.wait_for_change(build, errors_version, POLL_SECONDS)
                self._send(HTTPStatus.OK, "application/json", json.dumps(state).encode(), head)
            else:
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n", head)

        def _send(
            self, status: HTTPStatus, content_type: str, data: bytes, head: bool, policy: str = FILE_POLICY
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Security-Policy", policy)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if not head:
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

    return Handler


def page_policy(page: bytes) -> str:
    """The Content-Security-Policy a built page states in its head (the build computes it
    per page), or the base policy for a page from a template without one."""
    head_end = page.find(b"</head>")
    found = _PAGE_POLICY.search(page, 0, head_end if head_end >= 0 else len(page))
    return html.unescape(found.group(1).decode()) if found else content_security_policy()


def _inject_live_script(page: bytes, build: int) -> bytes:
    tag = f'<script src="{LIVE_PATH}live.js" data-build="{build}"></script>'.encode()
    position = page.rfind(b"</body>")
    return page[:position] + tag + page[position:] if position >= 0 else page + tag


def _watch(live: LiveSite, stop: threading.Event, paths: list[str], recursive: bool) -> None:
    import watchfiles

    for changes in watchfiles.watch(
        *paths,
        watch_filter=_watch_filter,
        debounce=400,
        step=30,
        stop_event=stop,
        recursive=recursive,
        raise_interrupt=False,
    ):
        live.rebuild({Path(path) for _, path in changes})
        report = f"rebuilt in {live.last_seconds * 1000:.0f} ms" if not live.errors else "\n".join(live.errors)
        print(f"studysite: {report}", file=sys.stderr)


def serve(site: Path, *, port: int, bind: str, drafts: bool) -> int:
    live = LiveSite(site, drafts=drafts)
    live.full_build()
    if not live.files and live.errors:
        print("\n".join(live.errors), file=sys.stderr)
    # A long-running process: collect cycles as usual, but not the objects built so far.
    gc.freeze()
    try:
        server = make_server(live, bind, port)
    except OSError as error:
        raise UsageError(f"cannot listen on {bind}:{port}: {error.strerror} (is another server using it? try --port)") from None
    stop = threading.Event()
    folders = [str(site / name) for name in ("content", "templates", "static") if (site / name).is_dir()]
    # The site folder itself only for its config file: not recursively (it may hold .venv/).
    for paths, recursive in ((folders, True), ([str(site)], False)):
        threading.Thread(target=_watch, args=(live, stop, paths, recursive), daemon=True).start()
    host = f"[{bind}]" if ":" in bind else bind
    print(f"studysite: serving {site} at http://{host}:{server.server_address[1]}/ (Ctrl-C to stop)", file=sys.stderr)
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        print("\nstudysite: stopped", file=sys.stderr)
    finally:
        stop.set()
        server.server_close()
    return 0
