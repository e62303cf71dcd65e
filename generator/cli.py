"""The ``studysite`` command line.

Exit codes: 0 success, 1 content errors (one ``path:line: error: message`` line each on
stderr), 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator import __version__
from generator.errors import ContentError, UsageError


def _site(value: str) -> Path:
    return Path(value)


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {number}")
    return number


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studysite",
        description="Build an interactive study website from Hugo-style lesson files.",
    )
    parser.add_argument("--version", action="version", version=f"studysite {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build = commands.add_parser("build", help="build the site into OUT (default SITE/public)")
    build.add_argument("site", nargs="?", default=".", type=_site, metavar="SITE", help="the site folder (default: .)")
    build.add_argument("-o", "--out", type=Path, metavar="OUT", help="output folder (default: SITE/public)")
    build.add_argument("--drafts", action="store_true", help="include lessons marked draft = true")
    build.add_argument("--base-url", metavar="URL", help="the URL the site will be published at (for the sitemap)")
    build.add_argument("--jobs", type=_positive_int, default=1, metavar="N", help="worker processes (default: 1)")

    anki = commands.add_parser("export-anki", help="write the test questions and answers as an Anki import file")
    anki.add_argument("site", nargs="?", default=".", type=_site, metavar="SITE", help="the site folder (default: .)")
    anki.add_argument("-o", "--out", type=Path, required=True, metavar="FILE", help="the file to write, e.g. deck.txt")
    anki.add_argument("--deck", help="the Anki deck name (default: the site title)")
    anki.add_argument("--drafts", action="store_true", help="include lessons marked draft = true")

    serve = commands.add_parser("serve", help="build, then serve the site on this machine")
    serve.add_argument("site", nargs="?", default=".", type=_site, metavar="SITE", help="the site folder (default: .)")
    serve.add_argument("--port", type=int, default=1313, help="port to listen on (default: 1313)")
    serve.add_argument("--bind", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--drafts", action="store_true", help="include lessons marked draft = true")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "build":
            return _build(arguments)
        if arguments.command == "export-anki":
            return _export_anki(arguments)
        if arguments.command == "serve":
            from generator.serve import serve

            return serve(arguments.site, port=arguments.port, bind=arguments.bind, drafts=arguments.drafts)
    except ContentError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        count = len(error.diagnostics)
        print(f"studysite: {count} error{'s' if count != 1 else ''}; nothing was written", file=sys.stderr)
        return 1
    except UsageError as error:
        print(f"studysite: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    parser.error(f"unknown command {arguments.command!r}")
    return 2


def _export_anki(arguments: argparse.Namespace) -> int:
    from generator.anki import export_anki
    from generator.build import BuildOptions, load_site

    loaded = load_site(BuildOptions(site_root=arguments.site, drafts=arguments.drafts))
    errors = [p for p in loaded.problems if p.severity == "error"]
    if errors:
        raise ContentError(errors)
    text, count = export_anki(loaded.site, loaded.lessons, arguments.deck or loaded.config.title)
    try:
        arguments.out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {arguments.out}: {error.strerror}") from None
    print(f"studysite: wrote {count} notes to {arguments.out}")
    return 0


def _build(arguments: argparse.Namespace) -> int:
    from generator.build import BuildOptions, build

    result = build(
        BuildOptions(
            site_root=arguments.site,
            out_dir=arguments.out,
            drafts=arguments.drafts,
            base_url=arguments.base_url,
            jobs=arguments.jobs,
        )
    )
    for warning in result.warnings:
        print(warning.format(), file=sys.stderr)
    out = arguments.out if arguments.out is not None else arguments.site / "public"
    if result.unchanged:
        print(f"studysite: {out} is up to date ({result.seconds * 1000:.0f} ms)")
    else:
        print(
            f"studysite: wrote {result.files} files to {out} in {result.seconds * 1000:.0f} ms "
            f"({result.parsed} lessons parsed, the rest from the cache)"
        )
    return 0
