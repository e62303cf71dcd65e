"""The dev server under load, for RELIABILITY.md: ``studysite serve`` on a 100-lesson site
while 200 idle connections are held open, CLIENTS clients request pages for SECONDS
seconds, and a lesson is saved every two seconds (every other save broken, then fixed).
Counts the requests answered and not, and the latency of the answered ones.

    python tests/serve_load.py [--clients 200] [--seconds 60] [--record RELIABILITY.md]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark import generate_site  # noqa: E402
from helpers import record_figures  # noqa: E402

PROCESSES = 4
IDLE = 200
ANSWER_WITHIN = 60.0
"""A request not answered in this long counts as unanswered."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def client_process(base: str, paths: list[str], threads: int, seconds: float, results) -> None:
    """*threads* clients, each requesting random pages until *seconds* have passed."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop:
            url = base + rng.choice(paths)
            started = time.monotonic()
            try:
                with urllib.request.urlopen(url, timeout=ANSWER_WITHIN) as response:
                    response.read()
                with lock:
                    latencies.append(time.monotonic() - started)
            except (OSError, urllib.error.URLError) as error:
                with lock:
                    failures.append(type(error).__name__)

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((latencies, failures))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--record", type=Path, help="write the figures into this file (RELIABILITY.md)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="studysite-load-"))
    site = generate_site(work / "site", 100)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", str(site), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=10).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("studysite serve did not start:\n" + server.stderr.read()) from None
                time.sleep(0.1)
        public = work / "public"
        subprocess.run([sys.executable, "-m", "generator", "build", str(site), "-o", str(public)], check=True, capture_output=True)
        paths = sorted("/" + p.relative_to(public).as_posix().removesuffix("index.html") for p in public.rglob("*") if p.is_file())
        paths = [quote(path) for path in paths if not path.startswith("/.studysite")]

        idle = [socket.create_connection(("127.0.0.1", port), timeout=120) for _ in range(IDLE)]
        foreign = urllib.request.Request(base + "/", headers={"Host": "rebound.example:%d" % port})
        try:
            urllib.request.urlopen(foreign, timeout=10)
            refused = False
        except urllib.error.HTTPError as error:
            refused = error.code == 403

        lesson = next((site / "content").rglob("Lesson 00001.md"))
        original = lesson.read_text(encoding="utf-8")
        saves = 0
        results = multiprocessing.get_context("fork").Queue()
        processes = [
            multiprocessing.get_context("fork").Process(
                target=client_process, args=(base, paths, args.clients // PROCESSES, args.seconds, results)
            )
            for _ in range(PROCESSES)
        ]
        started = time.monotonic()
        for process in processes:
            process.start()
        while time.monotonic() - started < args.seconds:
            saves += 1
            broken = "\n{{< youtube x >}}\n" if saves % 2 else f"\n第 {saves} 次存檔。\n"
            lesson.write_text(original + broken, encoding="utf-8")
            time.sleep(2)
        lesson.write_text(original, encoding="utf-8")
        latencies: list[float] = []
        failures: list[str] = []
        for _ in processes:
            got, failed = results.get()
            latencies += got
            failures += failed
        for process in processes:
            process.join()
        elapsed = time.monotonic() - started
        closed = sum(1 for connection in idle if _closed(connection))
        for connection in idle:
            connection.close()
    finally:
        server.terminate()
        server.wait(timeout=30)

    total = len(latencies) + len(failures)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    text = (
        f"`python tests/serve_load.py --clients {args.clients} --seconds {args.seconds:.0f}`, {time.strftime('%Y-%m-%d')}: "
        f"a 100-lesson site ({len(paths)} files), {IDLE} idle connections held open, {args.clients} clients, a lesson "
        f"saved every 2 s ({saves} saves, every other one broken). {total:,} requests in {elapsed:.0f} s "
        f"({total / elapsed * 60:,.0f} a minute); **unanswered within {ANSWER_WITHIN:.0f} s: {len(failures)}**"
        f"{' (' + ', '.join(sorted(set(failures))) + ')' if failures else ''}; latency median "
        f"{quantiles[49] * 1000:.0f} ms, 99th percentile {quantiles[98] * 1000:.0f} ms, slowest "
        f"{max(latencies, default=0) * 1000:.0f} ms. Idle connections closed by the server: {closed} of {IDLE}. "
        f"A request for another Host: {'403' if refused else 'answered (wrong)'}."
    )
    print(text)
    if args.record:
        record_figures(args.record, "server", text)
    return 0 if not failures and refused and closed == IDLE else 1


def _closed(connection: socket.socket) -> bool:
    """Whether the server has closed this connection (it sent nothing, so it reads EOF)."""
    try:
        return connection.recv(1) == b""
    except OSError:
        return True


if __name__ == "__main__":
    sys.exit(main())
