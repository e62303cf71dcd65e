"""The ``studysite`` command line.

Exit codes: 0 success, 1 content errors (one ``path:line: error: message`` line each on
stderr) or output that could not be written, 2 usage errors.
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from generator import __version__
from generator.languages import LANGUAGES
from generator.errors import ContentError, OutputError, UsageError, printable
from generator.workers import usable_cores

if TYPE_CHECKING:
    from generator.anki import ExportResult


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
    for add_command in (_add_init, _add_build, _add_new, _add_check, _add_export_anki, _add_export_epub, _add_export_hugo, _add_generate, _add_serve):
        add_command(commands)
    return parser


def _add_init(commands: argparse._SubParsersAction) -> None:
    init = commands.add_parser(
        "init",
        help="create a new site: a config file, content/ with a sample lesson, and a .gitignore",
        description="Create a site in DIR, as `hugo new site` does: studysite.toml with the title and "
        "language, content/ with one sample lesson in that language, and a .gitignore for the built site. "
        "A folder that is not empty is refused unless --force; no existing file is overwritten.",
    )
    init.add_argument("directory", nargs="?", default=".", type=Path, metavar="DIR", help="the new site's folder (default: .)")
    init.add_argument("--lang", choices=LANGUAGES, default="zh-TW", help="the site's language (default: zh-TW)")
    init.add_argument("--force", action="store_true", help="create the site in a folder that is not empty")


def _add_build(commands: argparse._SubParsersAction) -> None:
    build = commands.add_parser("build", help="build the site into OUT (default SITE/public)")
    build.add_argument("site", nargs="?", default=".", type=_site, metavar="SITE", help="the site folder (default: .)")
    build.add_argument("-o", "--out", type=Path, metavar="OUT", help="output folder (default: SITE/public)")
    build.add_argument("--drafts", action="store_true", help="include lessons marked draft = true")
    build.add_argument(
        "--base-url", metavar="URL", help="the URL the site will be published at, such as https://example.org/study/ "
        "(for the sitemap and canonical links)"
    )
    build.add_argument(
        "--jobs", type=_positive_int, default=usable_cores(), metavar="N",
        help=f"processes to build with; 1 builds in one process (default: the usable cores, here {usable_cores()})",
    )
    build.add_argument("--quiet", action="store_true", help="print no warnings or notes (`studysite check` lists the warnings)")


def _add_new(commands: argparse._SubParsersAction) -> None:
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


def _add_check(commands: argparse._SubParsersAction) -> None:
    check = commands.add_parser(
        "check",
        help="lint the site like a compiler, writing nothing",
        description="Report errors (what would stop a build) and warnings (questions without answers, missing "
        "sections, empty prompts, duplicate titles, broken links, images and #anchors, links left as text by a "
        "space, weights with a fraction) as path:line:col lines, for the lessons a build publishes. "
        "Exit 1 on errors; with --strict on warnings too.",
    )
    check.add_argument("site", nargs="?", default=".", type=_site, metavar="SITE", help="the site folder (default: .)")
    check.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument("--drafts", action="store_true", help="include lessons marked draft = true")
    check.add_argument(
        "--ignore", action="append", default=[], metavar="CODE",
        help="leave out the warnings with this code, e.g. missing-section (repeatable; [check] ignore = [...] in the config does it for every command)",
    )


def _add_export_anki(commands: argparse._SubParsersAction) -> None:
    anki = commands.add_parser(
        "export-anki",
        help="write the test questions and answers as an Anki deck",
        description="Write every test question with an answer as an Anki note: an .apkg package with its own note "
        "type, one deck per folder below a parent deck, and plots and images as media; or, with --format txt, "
        "Anki's text import format. Importing a later export updates the notes instead of duplicating them. "
        "Questions without an answer are left out and listed.",
    )
    anki.add_argument("site", nargs="?", default=".", type=_site, metavar="SITE", help="the site folder (default: .)")
    anki.add_argument("-o", "--out", type=Path, required=True, metavar="FILE", help="the file to write, e.g. deck.apkg")
    anki.add_argument(
        "--format", choices=("apkg", "txt"), help="apkg (Anki package) or txt (text import file); default: txt "
        "when FILE ends in .txt, else apkg"
    )
    anki.add_argument("--deck", metavar="NAME", help="the parent deck (default: the site title); each folder becomes a deck below it")
    anki.add_argument("--drafts", action="store_true", help="include lessons marked draft = true")


def _add_export_epub(commands: argparse._SubParsersAction) -> None:
    book = commands.add_parser(
        "export-epub",
        help="write the site as an EPUB 3 book, one per language",
        description="Write the lessons as an EPUB 3 book: chapters follow the folders, each test's answers "
        "close its chapter, formulas are MathML and plots SVG. On a site in one language PATH is the book; "
        "on a multilingual site (Hugo's [languages]) PATH is a folder with one book per language, each with "
        "that language's lessons, title and interface words, named after its key (e.g. en.epub, zh-tw.epub).",
    )
    book.add_argument("site", nargs="?", default=".", type=_site, metavar="SITE", help="the site folder (default: .)")
    book.add_argument(
        "-o", "--out", type=Path, required=True, metavar="PATH", help="the book to write, e.g. book.epub; on a multilingual site the folder for the books"
    )
    book.add_argument("--lang", metavar="LANG", help="only the book in this language: a key of [languages] (e.g. zh-tw), or the site's language")
    book.add_argument("--drafts", action="store_true", help="include lessons marked draft = true")


def _add_export_hugo(commands: argparse._SubParsersAction) -> None:
    hugo = commands.add_parser(
        "export-hugo",
        help="write the site as a Hugo site, with the same page URLs",
        description="Write DIR as a Hugo site that `hugo` (0.111 or later) builds with the same page URLs, titles "
        "and folder order as `studysite build`: the lessons (front matter as TOML, a folder's own page as its "
        "_index.md, formulas as a math shortcode, answers hidden in <details>), hugo.toml from the site's config, "
        "small layouts of its own, and the plots drawn into static/. DIR must be empty or an earlier export.",
    )
    hugo.add_argument("site", nargs="?", default=".", type=_site, metavar="SITE", help="the site folder (default: .)")
    hugo.add_argument("-o", "--out", type=Path, required=True, metavar="DIR", help="the Hugo site's folder")


def _add_generate(commands: argparse._SubParsersAction) -> None:
    generate = commands.add_parser(
        "generate",
        help="write lessons from a catalogue and a question list, asking an assistant for what is not cached",
        description="Cross the catalogue (WORKZONE/input.md, or --outline FILE) with the question list "
        "(WORKZONE/config.yaml, or the site's own) and write one lesson per topic into OUT. Each answer comes "
        "from WORKZONE/cache/ when it is there, else from an OpenAI-compatible assistant (OPENAI_BASE_URL, "
        "OPENAI_API_KEY, or [assistant] in studysite.toml), and is cached as it arrives. Lessons edited "
        "since generate wrote them are kept.",
    )
    generate.add_argument("workzone", type=Path, metavar="WORKZONE", help="the workzone (or site) folder")
    generate.add_argument("-o", "--out", type=Path, metavar="OUT", help="where the lessons go (default: WORKZONE/output, or a site's content/)")
    generate.add_argument("--outline", type=Path, metavar="FILE", help="the catalogue, with the site's question list when WORKZONE has no config.yaml")
    generate.add_argument("--lang", choices=LANGUAGES, help="which of the site's question lists (default: the site's language)")
    asking = generate.add_mutually_exclusive_group()
    asking.add_argument("--offline", action="store_true", help="send nothing: write what the cache completes, list what is missing")
    asking.add_argument("--dry-run", action="store_true", help="send and write nothing: count and show what would be asked")
    generate.add_argument("--model", metavar="M", help="the model (default: apiModal of config.yaml)")
    generate.add_argument("--jobs", type=_positive_int, default=4, metavar="N", help="requests in flight at once (default: 4)")
    generate.add_argument("--only", action="append", default=[], metavar="GLOB", help="only the topics this matches, e.g. 'AI/Machine Learning/**' (repeatable)")
    generate.add_argument("--force", action="store_true", help="replace lessons even where they were edited by hand")


def _add_serve(commands: argparse._SubParsersAction) -> None:
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
    serve.add_argument("--quiet", action="store_true", help="print no warnings (`studysite check` lists them)")


def run() -> NoReturn:
    """The ``studysite`` command (and ``python -m generator``): :func:`main`, then exit.

    What is left is frozen first: the collections the interpreter makes on its way out
    would go through every object the command made, to free memory the process is about to
    give back whole (half a second at the end of a rebuild of 5,000 lessons)."""
    code = main()
    gc.freeze()
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "init":
            return _init(arguments)
        if arguments.command == "build":
            return _build(arguments)
        if arguments.command == "check":
            return _check(arguments)
        if arguments.command == "new":
            return _new(parser, arguments)
        if arguments.command == "export-anki":
            return _export_anki(arguments)
        if arguments.command == "export-epub":
            return _export_epub(arguments)
        if arguments.command == "export-hugo":
            return _export_hugo(arguments)
        if arguments.command == "generate":
            return _generate(arguments)
        if arguments.command == "serve":
            from generator.serve import serve

            return serve(arguments.site, port=arguments.port, bind=arguments.bind, drafts=arguments.drafts, quiet=arguments.quiet)
    except ContentError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        count = len(error.diagnostics)
        print(f"studysite: {count} error{'s' if count != 1 else ''}; nothing was written", file=sys.stderr)
        return 1
    except UsageError as error:
        print(f"studysite: error: {printable(str(error))}", file=sys.stderr)
        return 2
    except OutputError as error:
        print(f"studysite: error: {printable(str(error))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    parser.error(f"unknown command {arguments.command!r}")
    return 2


def _init(arguments: argparse.Namespace) -> int:
    from generator.init import InitError, init_site

    try:
        result = init_site(arguments.directory, arguments.lang, force=arguments.force)
    except InitError as error:
        print(f"studysite: error: {error}", file=sys.stderr)
        return 1
    for path in result.created:
        print(f"created {path}")
    for path in result.kept:
        print(f"kept    {path} (it already existed)")
    place = "" if arguments.directory == Path(".") else f"cd {arguments.directory}\n  "
    print(
        f"\nA new site is ready in {arguments.directory}. Next:\n  {place}studysite serve"
        "        # preview it at http://127.0.0.1:1313/\n"
        '  studysite new "TITLE"  # write a lesson\n  studysite build        # the site, in public/'
    )
    return 0


def _check(arguments: argparse.Namespace) -> int:
    from generator.build import BuildOptions, load_site
    from generator.check import WARNING_CODES, by_place, format_json, format_text

    for code in arguments.ignore:
        if code not in WARNING_CODES:
            raise UsageError(f"--ignore {code}: no warning has that code (codes: {', '.join(WARNING_CODES)})")
    loaded = load_site(BuildOptions(site_root=arguments.site, drafts=arguments.drafts))
    ignored = set(arguments.ignore)
    diagnostics = by_place(d for d in loaded.problems if not (d.severity == "warning" and d.code in ignored))
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


def _generate(arguments: argparse.Namespace) -> int:
    from generator.generate import GenerateOptions, generate

    return generate(
        GenerateOptions(
            workzone=arguments.workzone,
            out=arguments.out,
            outline=arguments.outline,
            language=arguments.lang,
            offline=arguments.offline,
            dry_run=arguments.dry_run,
            model=arguments.model,
            jobs=arguments.jobs,
            only=tuple(arguments.only),
            force=arguments.force,
        )
    )


def _export_anki(arguments: argparse.Namespace) -> int:
    from generator.anki import export_anki
    from generator.build import BuildOptions, load_site

    loaded = load_site(BuildOptions(site_root=arguments.site, drafts=arguments.drafts))
    errors = [p for p in loaded.problems if p.severity == "error"]
    if errors:
        raise ContentError(errors)
    file_format = arguments.format or ("txt" if arguments.out.suffix.lower() == ".txt" else "apkg")
    try:
        result = export_anki(loaded, arguments.out, file_format=file_format, parent_deck=arguments.deck or loaded.config.title)
    except OSError as error:
        raise UsageError(f"cannot write {arguments.out}: {error.strerror}") from None
    _report_anki_export(result, file_format, arguments.out)
    return 0


def _report_anki_export(result: ExportResult, file_format: str, out: Path) -> None:
    """What was written on stdout; what was left out, and why, on stderr."""
    for warning in result.warnings:
        print(warning.format(), file=sys.stderr)
    skipped = sum(1 for warning in result.warnings if warning.code == "no-answer")
    summary = f"studysite: wrote {_plural(result.notes, 'note')} in {_plural(result.decks, 'deck')}"
    if file_format == "apkg":
        summary += f" with {_plural(result.media, 'media file')}"
    print(f"{summary} to {out}")
    if skipped:
        print(f"studysite: left out {_plural(skipped, 'test question')} without an answer", file=sys.stderr)
    if result.left_out_media:
        count = result.left_out_media
        print(
            f"studysite: {_plural(count, 'image')} or plot{'s' if count != 1 else ''} shown as text: "
            "the text format carries no media (use .apkg)",
            file=sys.stderr,
        )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _export_epub(arguments: argparse.Namespace) -> int:
    from generator.atomic import write_atomic
    from generator.build import BuildOptions, draw_figures, load_site
    from generator.epub import book_paths, editions, make_book

    loaded = load_site(BuildOptions(site_root=arguments.site, drafts=arguments.drafts))
    errors = [p for p in loaded.problems if p.severity == "error"]
    if errors:
        raise ContentError(errors)
    sites = editions(loaded)
    paths = book_paths(list(sites), arguments.out, arguments.lang)
    books = {}
    for language in paths:
        figures, _ = draw_figures(sites[language], arguments.site)
        books[language] = make_book(loaded, sites[language], figures)
    for language, path in paths.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, books[language])
        except OSError as error:
            raise UsageError(f"cannot write {path}: {error.strerror}") from None
        print(f"studysite: wrote {path} ({language}, {len(sites[language].pages)} lessons)")
    return 0


def _export_hugo(arguments: argparse.Namespace) -> int:
    from generator.export_hugo import export_hugo

    result = export_hugo(arguments.site, arguments.out)
    for warning in result.warnings:
        print(warning.format(), file=sys.stderr)
    print(
        f"studysite: wrote {result.files} files to {arguments.out} ({result.pages} pages, {result.formulas} formulas, "
        f"{result.plots} plots); build it with: hugo -s {arguments.out}"
    )
    return 0


def _build(arguments: argparse.Namespace) -> int:
    from generator.build import BuildOptions, build
    from generator.check import by_place, warnings_report

    result = build(
        BuildOptions(
            site_root=arguments.site,
            out_dir=arguments.out,
            drafts=arguments.drafts,
            base_url=arguments.base_url,
            jobs=arguments.jobs,
        )
    )
    if not arguments.quiet:
        for line in warnings_report(by_place(result.warnings)):
            print(line, file=sys.stderr)
    out = arguments.out if arguments.out is not None else arguments.site / "public"
    if not (result.unchanged or arguments.quiet or (out / "sitemap.xml").exists()):
        print(
            "studysite: note: no sitemap.xml, since a sitemap needs absolute URLs: set baseURL in the config, "
            "or build with --base-url https://…",
            file=sys.stderr,
        )
    if result.unchanged:
        print(f"studysite: {out} is up to date ({result.seconds * 1000:.0f} ms)")
    else:
        unchanged = f" ({result.kept} unchanged)" if result.kept else ""
        print(
            f"studysite: wrote {result.files} files to {out}{unchanged} in {result.seconds * 1000:.0f} ms "
            f"({result.parsed} lessons parsed, {result.drawn} plots drawn; the rest from the cache)"
        )
    return 0
