"""What rendering in Jinja2's sandbox costs (BENCHMARKS.md, "Template sandbox").

Renders every page of a synthetic site (tests/benchmark.py's, N lessons) with a plain
``jinja2.Environment``, with the bare ``SandboxedEnvironment`` and with studysite's
``SiteEnvironment``, in turns, and prints the CPU seconds of each full render (minimum
and median over the rounds). The three must give the same bytes.

    python tests/bench_sandbox.py [--lessons 1000] [--rounds 11]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import jinja2
import jinja2.sandbox

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark import generate_site  # noqa: E402
from generator.build import BuildOptions, load_site  # noqa: E402
from generator.output import MemoryOutput  # noqa: E402
from generator.render.environment import create_environment  # noqa: E402
from generator.render.pages import Renderer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=11)
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="studysite-sandbox-") as work:
        site = generate_site(Path(work) / "site", arguments.lessons)
        loaded = load_site(BuildOptions(site_root=site))

        def like(kind):
            ours = create_environment(site)
            environment = kind(
                loader=ours.loader, autoescape=True, undefined=jinja2.StrictUndefined,
                trim_blocks=True, lstrip_blocks=True, auto_reload=False,
            )
            environment.filters.update(ours.filters)
            return environment

        makers = {
            "jinja2.Environment": lambda: like(jinja2.Environment),
            "SandboxedEnvironment": lambda: like(jinja2.sandbox.SandboxedEnvironment),
            "SiteEnvironment": lambda: create_environment(site),
        }
        seconds: dict[str, list[float]] = {name: [] for name in makers}
        pages: dict[str, dict[str, bytes]] = {}
        for _ in range(arguments.rounds):
            for name, make in makers.items():
                renderer = Renderer(loaded.config, loaded.sites, loaded.site, loaded.lessons_by_path, make(), "v")
                output = MemoryOutput()
                started = time.process_time()
                for page in loaded.site.pages:
                    output.write(page.url + "index.html", renderer.lesson_page(page))
                for folder in loaded.site.folders:
                    output.write(folder.url + "index.html", renderer.folder_page(folder))
                output.write("404.html", renderer.not_found_page())
                seconds[name].append(time.process_time() - started)
                pages[name] = output.files
        if len({tuple(sorted(files.items())) for files in pages.values()}) != 1:
            raise SystemExit("the environments rendered different pages")
        plain = min(seconds["jinja2.Environment"])
        print(f"{len(pages['SiteEnvironment'])} pages, {arguments.rounds} rounds, CPU seconds per full render:")
        for name, values in seconds.items():
            print(f"  {name:22} min {min(values):.3f}  median {statistics.median(values):.3f}  ({min(values) / plain:.2f} x plain)")


if __name__ == "__main__":
    main()
