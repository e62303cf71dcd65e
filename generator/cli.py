"""The ``studysite`` command line.

Exit codes: 0 success, 1 content errors (one ``path:line: error: message`` line each on
stderr), 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator import __version__
from generator.languages import LANGUAGES
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

    new = commands.add_parser(
        "new",
        help="write a new lesson in the house format, or a tree of lessons from an outline",
        description="Write a new lesson (front matter and one section per entry of the question list, "
        "each opened by its prompt), or with --outline a folder tree of lessons from a nested Markdown list. "
        "Existing files are never overwritten.",
    )
    new.add_argument("title", nargs="?", metavar="TITLE", help="the lesson's title, also the prompts' keyword")
    new.add_argument("--outline", type=Path, metavar="FILE", help="a nested Markdown list of topics")
    new.add_argument("--section", metavar="DIR", help="folder below content/ to write into")
    new.add_argument("--lang", choices=LANGUAGES, help="language of the headings and prompts (default: the site's)")
    new.add_argument("--weight", type=int, metavar="N", help="the lesson's weight (default: next among its siblings)")
    new.add_argument("--site", default=".", type=_site, metavar="SITE", help="the site folder (default: .)")

    check = commands.add_parser(
        "check",
        help="lint the site like a compiler, writing nothing",
        description="Report errors (what would stop a build) and warnings (questions without answers, missing "
        "sections, empty prompts, duplicate titles, broken links and images) as path:line:col lines. "
        "Exit 1 on errors; with --strict on warnings too.",
    )
    check.add_argument("site", nargs="?", default=".", type=_site, metavar="SITE", help="the site folder (default: .)")
    check.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument("--drafts", action="store_true", help="include lessons marked draft = true")

    anki = commands.add_parser("export-anki", help="write the test questions and answers as an Anki import file")
    anki.add_argument("site", nargs="?", default=".", type=_site, metavar="SITE", help="the site folder (default: .)")
    anki.add_argument("-o", "--out", type=Path, required=True, metavar="FILE", help="the file to write, e.g. deck.txt")
    anki.add_argument("--deck", help="the Anki deck name (default: the site title)")
    anki.add_argument("--drafts", action="store_true", help="include lessons marked draft = true")

    serve = commands.add_parser("serve", help="build, then serve the site on this machine")
    serve.add_argument("site", nargs="?", default=".", type=_site, metavar="SITE", help="the site folder (default: .)")
    serve.add_argument("--port", type=int, default=1313, help="port to listen on (default: 1313)")
    serve.add_argument(
        "--bind",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1). On a loopback address, requests must name it, localhost "
        "or 127.0.0.1 (others get 403); on any other address (0.0.0.0, a LAN address) any name is answered",
    )
    serve.add_argument("--drafts", action="store_true", help="include lessons marked draft = true")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "build":
            return _build(arguments)
        if arguments.command == "check":
            return _check(arguments)
        if arguments.command == "new":
            return _new(parser, arguments)
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


def _check(arguments: argparse.Namespace) -> int:
    from generator.build import BuildOptions
    from generator.check import check_site, format_json, format_text

    diagnostics = check_site(BuildOptions(site_root=arguments.site, drafts=arguments.drafts))
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    sys.stdout.write(format_json(diagnostics) if arguments.format == "json" else format_text(diagnostics))
    print(f"studysite: {errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}", file=sys.stderr)
    return 1 if errors or (arguments.strict and warnings) else 0


def _new(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> int:
    from generator.authoring import AuthoringError, new_from_outline, new_lesson, shown_path
    from generator.config import load_config

    if (arguments.title is None) == (arguments.outline is None):
        parser.error("new: give a TITLE or --outline FILE (one of them)")
    if arguments.outline is not None and arguments.weight is not None:
        parser.error("new: --weight goes with a TITLE; an outline's weights follow its order")
    config, problems = load_config(arguments.site)
    if problems:
        raise ContentError(problems)
    if not config.content_dir.is_dir():
        raise UsageError(f"no content/ folder in {arguments.site}: is this a studysite site?")
    try:
        if arguments.title is not None:
            path = new_lesson(
                config, arguments.title, section=arguments.section, language=arguments.lang, weight=arguments.weight
            )
            print(shown_path(config, path))
            return 0
        if not arguments.outline.is_file():
            raise UsageError(f"outline {arguments.outline} does not exist")
        result = new_from_outline(config, arguments.outline, section=arguments.section, language=arguments.lang)
    except AuthoringError as error:
        for line in str(error).splitlines():
            print(line if ": error: " in line else f"studysite: error: {line}", file=sys.stderr)
        return 1
    for path in result.created:
        print(f"created {shown_path(config, path)}")
    for path in result.kept:
        print(f"kept    {shown_path(config, path)}")
    print(f"studysite: {len(result.created)} created, {len(result.kept)} kept")
    return 0


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
            f"({result.parsed} lessons parsed, {result.drawn} plots drawn; the rest from the cache)"
        )
    return 0
