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
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from jinja2 import Environment

from generator.build import (
    BuildOptions,
    Shard,
    SiteInputs,
    asset_version,
    draw_figures,
    load_inputs,
    load_statics,
    new_shards,
    plan_site,
    published_statics,
    render_shared,
    scan_trees,
    search_indexes,
    site_figures,
    write_figures,
)
from generator.cache import bucket_of, tree_state
from generator.check import by_place, site_warnings, warnings_report
from generator.config import CONFIG_NAMES
from generator.content.site import Sites, is_ignored_name
from generator.errors import ContentError, Diagnostic, UsageError
from generator.output import MemoryOutput, place_static
from generator.render.csp import DIAGRAM_ASSETS, content_security_policy
from generator.render.environment import create_environment, plot_path

LIVE_PATH = "/__studysite/"
POLL_SECONDS = 25

_PAGE_POLICY = re.compile(rb'<meta http-equiv="Content-Security-Policy" content="([^"]*)"')
FILE_POLICY = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"
"""The policy of everything but pages: an SVG or other file opened by itself may show
itself (plots carry their own styles) but never run a script."""

LIVE_SCRIPT = (Path(__file__).parent / "live.js").read_bytes()
"""The script the dev server adds to every page it serves (never published)."""


@dataclass
class _State:
    inputs: SiteInputs
    shard: Shard
    environment: Environment
    sites: Sites | None = None
    search: dict[str, str] | None = None
    pending: set[str] | None = None
    """Lessons edited while the site had errors, whose pages still need rendering."""


class LiveSite:
    """The published files in memory, and the state needed to update them quickly: the
    build's own stages (:mod:`generator.build`), of which an edit runs only those it needs."""

    def __init__(self, site_root: Path, *, drafts: bool = False):
        self.options = BuildOptions(site_root=site_root, drafts=drafts)
        self.condition = threading.Condition()
        self.files: dict[str, bytes] = {}
        self.build = 0
        self.errors: list[str] = []
        self.errors_version = 0
        self.warnings: list[Diagnostic] = []
        """The warnings of the last good build, as ``check`` reports them."""
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

    def watched_folders(self) -> list[Path]:
        """The folders whose changes rebuild the site: every language's content folder
        (or content/), templates/ and static/."""
        root = self.options.site_root
        content = [root / language.content_root for language in self._state.inputs.config.languages] if self._state else []
        candidates = [root / "content", *content, root / "templates", root / "static"]
        folders = [folder for folder in dict.fromkeys(candidates) if folder.is_dir()]
        return [folder for folder in folders if not any(other in folder.parents for other in folders)]

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
                        self.warnings = by_place(p for p in problems if p.severity == "warning")
                self.last_seconds = time.perf_counter() - started
                self.condition.notify_all()
        try:
            if self._state is not None:
                self._state.shard.save_cache()
        except Exception as error:  # noqa: BLE001 - the pages are served all the same
            print(f"studysite: cannot save the lesson cache: {describe_failure(error, self.options.site_root)}", file=sys.stderr)

    def _load(self) -> _State:
        inputs = load_inputs(self.options)
        (shard,) = new_shards(inputs, self.options.site_root)
        shard.parse()
        shard.read_all()  # every page may need rendering again at the next edit
        return _State(inputs, shard, create_environment(self.options.site_root))

    def _build_everything(self) -> tuple[dict[str, bytes] | None, list[Diagnostic]]:
        self._state = self._load()
        return self._render_everything(self._state)

    def _render_everything(self, state: _State) -> tuple[dict[str, bytes] | None, list[Diagnostic]]:
        sites, problems = plan_site(state.inputs, list(state.shard.summaries.values()), self.options.drafts)
        problems = state.shard.all_problems() + problems
        if any(p.severity == "error" for p in problems):
            return None, problems
        figures, _ = draw_figures(sites, self.options.site_root)
        output = MemoryOutput()
        search_files = state.shard.render(sites, state.environment, state.inputs.version, output)
        state.search = {name: output.files[name] for name in search_files}
        render_shared(state.inputs, sites, state.environment, output)
        write_figures(figures, output)
        for name, script in search_indexes(sites, search_files).items():
            output.write(name, script)
        state.sites = sites
        return output.files, problems + site_warnings(state.inputs, sites)

    def _update(self, changed: set[Path]) -> tuple[dict[str, bytes] | None, list[Diagnostic]]:
        state = self._state
        root = self.options.site_root.resolve()
        kinds = {_kind_of(path, root) for path in changed}
        if state is None or "config" in kinds:
            return self._build_everything()
        everything = self._reload_inputs(state, kinds) or state.sites is None
        edited, replanned = self._reparse(state)
        paths = (state.pending or set()) | edited
        if everything or replanned:
            state.pending = None
            files, problems = self._render_everything(state)
            if files is None:
                state.sites = None  # render everything once the errors are fixed
            return files, problems
        # Titles, order, URLs and translations are as before: the site plan still holds.
        problems = state.shard.all_problems()
        if any(p.severity == "error" for p in problems):
            state.pending = paths
            return None, problems
        state.pending = None
        if not paths:
            return None, problems
        files = self._render_edited(state, paths)
        return files, problems + site_warnings(state.inputs, state.sites)

    def _reload_inputs(self, state: _State, kinds: set[str]) -> bool:
        """Read the templates and static files again where they changed; whether they did
        (every page is then rendered again)."""
        if "templates" in kinds:
            state.environment = create_environment(self.options.site_root)
        if "static" in kinds:
            statics = load_statics(self.options.site_root)
            state.inputs = replace(state.inputs, statics=statics, version=asset_version(statics))
        return bool(kinds & {"templates", "static"})

    @staticmethod
    def _reparse(state: _State) -> tuple[set[str], bool]:
        """Parse the edited lessons again and forget the removed ones: the paths of the
        edited ones, and whether the site plan may have changed (a lesson added or
        removed, a title, an order, a folder or a resource changed)."""
        trees = scan_trees(state.inputs.config)
        before = {source.path: source for source in state.inputs.sources}
        after = {source.path: source for tree in trees for source in tree.sources}
        edited = [source for path, source in after.items() if before.get(path) != source]
        removed = [source for path, source in before.items() if path not in after]
        summaries = state.shard.summaries
        old_summaries = {source.path: summaries[source.path] for source in edited if source.path in summaries}
        state.shard.update(edited, removed)
        replanned = bool(removed) or any(
            (new.folders, new.resources) != (old.folders, old.resources) for new, old in zip(trees, state.inputs.trees)
        )
        replanned = replanned or any(
            source.path not in summaries or old_summaries.get(source.path) != summaries[source.path] for source in edited
        )
        state.inputs = replace(state.inputs, trees=trees)
        return {source.path for source in edited}, replanned

    def _render_edited(self, state: _State, paths: set[str]) -> dict[str, bytes]:
        """The pages and search text of the lessons at *paths*, whose place in the site
        has not changed, and the figures they now show."""
        sites = state.sites
        _refresh_summaries(sites, state.shard.summaries, paths)
        output = MemoryOutput()
        output.files = dict(self.files)
        for site in sites.editions:
            state.shard.render_pages(site, sites, state.environment, state.inputs.version, output, only=paths)
        self._replace_search_text(state, paths, output)
        statics = published_statics(state.inputs, sites)  # Mermaid comes and goes with the site's diagrams
        for name in [name for name in output.files if name.startswith(DIAGRAM_ASSETS) and name not in statics]:
            del output.files[name]
        for relative, source in statics.items():
            if relative not in output.files:
                place_static(output, relative, source, None)
        needed = {plot_path(spec) for spec in site_figures(sites)}
        for name in [name for name in output.files if name.startswith("assets/plots/") and name not in needed]:
            del output.files[name]
        if not needed <= output.files.keys():
            figures, _ = draw_figures(sites, self.options.site_root)
            write_figures(figures, output)
        return output.files

    @staticmethod
    def _replace_search_text(state: _State, paths: set[str], output: MemoryOutput) -> None:
        """Make the search files of the buckets of the lessons at *paths* again, and the
        search indexes that list them."""
        lessons = state.shard.lessons
        buckets = {bucket_of(lessons[path].content_path) for path in paths if path in lessons}
        scripts = state.shard.search_scripts(state.sites, buckets)
        stale = {name.rsplit("-", 1)[0] for name in scripts}
        for name in [name for name in state.search if name.rsplit("-", 1)[0] in stale]:
            del state.search[name]
            del output.files[name]
        state.search.update(scripts)
        for name, script in scripts.items():
            output.write(name, script)
        for name, script in search_indexes(state.sites, list(state.search)).items():
            output.write(name, script)

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
    if top in ("templates", "static"):
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


def _refresh_summaries(sites: Sites, summaries: dict, paths: set[str]) -> None:
    """Give the pages and folders of the lessons at *paths* their lessons' new summaries
    (same place in the site, new text or figures)."""
    for site in sites.editions:
        for page in site.pages:
            if page.lesson.path in paths:
                page.lesson = summaries[page.lesson.path]
        for folder in site.folders:
            if folder.index is not None and folder.index.path in paths:
                folder.index = summaries[folder.index.path]


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


def _make_handler(live: LiveSite, idle_seconds: float) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (_Handler,), {"live": live, "timeout": idle_seconds})


class _Handler(BaseHTTPRequestHandler):
    """Serves the files of *live*'s last good build, and its live-reload endpoints."""

    server_version = "studysite"
    live: LiveSite
    timeout: float  # for each read and write of the connection

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
        files, build = self.live.current()
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
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_SCRIPT, head)
        elif url.path == LIVE_PATH + "poll":
            query = parse_qs(url.query)
            try:
                build = int(query.get("build", ["0"])[0])
                errors_version = int(query.get("errors", ["-1"])[0])
            except ValueError:
                self._send(HTTPStatus.BAD_REQUEST, "text/plain", b"bad poll\n", head)
                return
            state = self.live.wait_for_change(build, errors_version, POLL_SECONDS)
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


WATCH_WAKE_MS = 200
"""How often a watcher wakes without a change: its first wake-up says that it is watching."""


def _watch(live: LiveSite, stop: threading.Event, paths: list[str], recursive: bool, watching: threading.Event, quiet: bool) -> None:
    import watchfiles

    for changes in watchfiles.watch(
        *paths,
        watch_filter=_watch_filter,
        debounce=400,
        step=30,
        stop_event=stop,
        recursive=recursive,
        raise_interrupt=False,
        yield_on_timeout=True,
        rust_timeout=WATCH_WAKE_MS,
    ):
        watching.set()
        if not changes:
            continue
        known = live.warnings
        live.rebuild({Path(path) for _, path in changes})
        report = f"rebuilt in {live.last_seconds * 1000:.0f} ms" if not live.errors else "\n".join(live.errors)
        print(f"studysite: {report}", file=sys.stderr)
        if not quiet and live.warnings != known:
            print("\n".join(warnings_report(live.warnings, known=known)), file=sys.stderr)


def _watched_state(live: LiveSite, site: Path) -> list:
    """(path, time, size) of every file whose change rebuilds the site."""
    configs = [(name, (site / name).stat().st_mtime_ns) for name in CONFIG_NAMES if (site / name).is_file()]
    return [configs, *(tree_state(folder) for folder in live.watched_folders())]


def serve(site: Path, *, port: int, bind: str, drafts: bool, quiet: bool = False) -> int:
    live = LiveSite(site, drafts=drafts)
    live.full_build()
    before_watching = _watched_state(live, site)
    if not live.files and live.errors:
        print("\n".join(live.errors), file=sys.stderr)
    # A long-running process: collect cycles as usual, but not the objects built so far.
    gc.freeze()
    try:
        server = make_server(live, bind, port)
    except OSError as error:
        raise UsageError(f"cannot listen on {bind}:{port}: {error.strerror} (is another server using it? try --port)") from None
    stop = threading.Event()
    folders = [str(folder) for folder in live.watched_folders()]
    # The site folder itself only for its config file: not recursively (it may hold .venv/).
    watchers = []
    for paths, recursive in ((folders, True), ([str(site)], False)):
        watching = threading.Event()
        threading.Thread(target=_watch, args=(live, stop, paths, recursive, watching, quiet), daemon=True).start()
        watchers.append(watching)
    for watching in watchers:
        watching.wait(timeout=10)
    # A file saved between the first build and the watchers' start has no event: look once.
    if _watched_state(live, site) != before_watching:
        live.full_build()
    if not quiet:
        for line in warnings_report(live.warnings):
            print(line, file=sys.stderr)
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
