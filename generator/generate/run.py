"""``studysite generate``: the workzone in, lessons out, asking only for what is not cached.

1. Read and check the whole workzone (nothing is sent or written on a mistake).
2. Read the cached answers; ``--dry-run`` stops here and tells what would be asked.
3. Take the workzone's lock, clear what killed runs left half-written, and write every
   lesson whose answers are all cached.
4. Ask for the rest, ``--jobs`` at a time; each answer goes to the cache (atomically) as
   it arrives, and each lesson is written as soon as its last answer is in. ``--offline``
   lists the missing answers instead.
5. Save the record of what was written, and sum up.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from generator.atomic import remove_leftovers
from generator.errors import UsageError
from generator.generate.lessons import AnswerCache, LessonWriter, render
from generator.generate.progress import Progress
from generator.generate.workzone import LessonPlan, Section, Workzone, load_workzone

DRY_RUN_PROMPTS = 5
"""How many of the prompts to ask a dry run prints."""


@dataclass(frozen=True)
class GenerateOptions:
    workzone: Path
    out: Path | None = None
    outline: Path | None = None
    language: str | None = None
    offline: bool = False
    dry_run: bool = False
    model: str | None = None
    jobs: int = 4
    only: tuple[str, ...] = ()
    force: bool = False


def generate(options: GenerateOptions, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run generate; the exit code (0 when every selected lesson is written or already
    up to date). Raises ContentError or UsageError for bad input, before anything else."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    workzone = load_workzone(
        options.workzone, outline=options.outline, out=options.out, language=options.language, only=options.only
    )
    if workzone.out_dir.exists() and not workzone.out_dir.is_dir():
        raise UsageError(f"{workzone.out_dir} is not a folder")
    try:
        return _run(workzone, options, stdout, stderr)
    except OSError as error:
        raise UsageError(f"cannot use {error.filename or workzone.root}: {error.strerror}") from None


def _run(workzone: Workzone, options: GenerateOptions, stdout: TextIO, stderr: TextIO) -> int:
    cache = AnswerCache(workzone.cache_dir)
    answers, missing = _cached_answers(workzone, cache)
    if options.dry_run:
        _dry_run(workzone, answers, missing, options, stdout)
        return 0
    settings = None
    if missing and not options.offline:
        from generator.generate.assistant import resolve_settings

        settings = resolve_settings(workzone.assistant, model=options.model or workzone.model, role=workzone.role)
    with _locked(workzone):
        remove_leftovers(workzone.cache_dir)
        if workzone.out_dir.is_dir():
            remove_leftovers(workzone.out_dir)
        writer = LessonWriter(workzone.out_dir, force=options.force)
        try:
            waiting = _write_answered_lessons(workzone, answers, writer)
            if not options.only:
                writer.remove_stale({lesson.path for lesson in workzone.lessons})
            usage, failed, stopped = None, 0, False
            if options.offline:
                for section in missing:
                    print(f"{workzone.shown_cache(section.cache)}: missing", file=stderr)
            elif missing:
                progress = Progress(len(answers) + len(missing), len(answers), stderr)
                usage, failed, stopped = _ask(workzone, settings, missing, answers, waiting, writer, cache, progress, options.jobs)
        finally:
            writer.save()
    incomplete = _incomplete_lessons(workzone, answers)
    _report_kept(workzone, writer, stderr)
    _summary(workzone, writer, answers, missing, failed, incomplete, usage, stdout)
    return 1 if stopped or failed or incomplete or writer.kept or writer.kept_stale else 0


def _cached_answers(workzone: Workzone, cache: AnswerCache) -> tuple[dict[str, str], list[Section]]:
    """The selected lessons' answers found in the cache, and the sections still to ask."""
    answers: dict[str, str] = {}
    missing: list[Section] = []
    for lesson in workzone.selected:
        for section in lesson.sections:
            answer = cache.read(section.cache)
            if answer is None:
                missing.append(section)
            else:
                answers[section.cache] = answer
    return answers, missing


def _write_answered_lessons(workzone: Workzone, answers: dict[str, str], writer: LessonWriter) -> dict[str, list[LessonPlan]]:
    """Writes every selected lesson whose answers are all in; returns the others by the
    answers they wait for."""
    waiting: dict[str, list[LessonPlan]] = {}
    for lesson in workzone.selected:
        pending = [s.cache for s in lesson.sections if s.cache not in answers]
        if pending:
            for relative in pending:
                waiting.setdefault(relative, []).append(lesson)
        else:
            writer.write(lesson.path, render(lesson, answers))
    return waiting


def _incomplete_lessons(workzone: Workzone, answers: dict[str, str]) -> int:
    return sum(1 for lesson in workzone.selected if any(s.cache not in answers for s in lesson.sections))


def _report_kept(workzone: Workzone, writer: LessonWriter, stderr: TextIO) -> None:
    """The lessons an author edited, which generate left as they were."""
    for relative in writer.kept:
        print(f"{workzone.shown_lesson(relative)}: kept: it was edited after generate wrote it (--force replaces it)", file=stderr)
    for relative in writer.kept_stale:
        print(f"{workzone.shown_lesson(relative)}: kept: its topic left the catalogue, but it was edited (--force removes it)", file=stderr)


def _ask(workzone, settings, missing, answers, waiting, writer, cache, progress, jobs):
    """Ask for every missing answer; returns (usage, failures, whether the run stopped)."""
    import asyncio

    from generator.generate.assistant import Assistant, AssistantStopped, PromptFailed

    assistant = Assistant(settings)

    async def ask_one(section: Section, slots) -> None:
        async with slots:
            try:
                answer = await assistant.ask(section.prompt)
            except PromptFailed as error:
                progress.failure(workzone.shown_cache(section.cache), str(error))
                return
        cache.store(section.cache, answer)
        answers[section.cache] = answer
        progress.answered()
        for lesson in waiting.pop(section.cache, []):
            if all(s.cache in answers for s in lesson.sections):
                writer.write(lesson.path, render(lesson, answers))

    async def ask_all() -> None:
        slots = asyncio.Semaphore(jobs)
        try:
            async with asyncio.TaskGroup() as group:
                for section in missing:
                    group.create_task(ask_one(section, slots))
        finally:
            await assistant.close()

    stopped = False
    try:
        _run_in_own_loop(ask_all)
    except* AssistantStopped as group:
        stopped = True
        progress.close()
        progress.message(f"studysite: error: the assistant at {settings.endpoint} stopped the run: {group.exceptions[0]}")
    except* KeyboardInterrupt:
        progress.close()
        progress.message(f"studysite: interrupted; the {progress.asked} answers received are in {workzone.cache_dir}")
        raise KeyboardInterrupt from None
    except* OSError as group:  # a cache file or lesson that cannot be written
        progress.close()
        raise group.exceptions[0] from None
    else:
        progress.close()
    return assistant.usage, progress.failed, stopped


def _run_in_own_loop(main) -> None:
    """``asyncio.run(main())``; from inside a running event loop (a notebook, a test
    session driving a browser), on a thread of its own, since that loop cannot be entered."""
    import asyncio
    import threading

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(main())
        return
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as error:  # handed to the caller's thread as it is
            failure.append(error)

    thread = threading.Thread(target=run, name="studysite-generate")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


class _locked:
    """One generate at a time per workzone: a second one would race for the same files
    (and clearing leftovers must not touch a running writer's temporary files)."""

    def __init__(self, workzone: Workzone):
        self.path = workzone.cache_dir / ".lock"

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "a")
        try:
            import fcntl
        except ImportError:
            return self  # no advisory locks on this system (Windows)
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise UsageError(f"another studysite generate is running on {self.path.parent.parent}") from None
        return self

    def __exit__(self, *exc_info):
        self.handle.close()


def _dry_run(workzone: Workzone, answers, missing: list[Section], options: GenerateOptions, stdout: TextIO) -> None:
    per_key = Counter(section.question.key for section in missing)
    print(f"studysite: {_counted(len(workzone.selected), 'lesson')}, {_counted(len(answers) + len(missing), 'answer')}: "
          f"{len(answers)} cached, {len(missing)} to ask", file=stdout)
    for question in workzone.questions:
        if per_key[question.key]:
            print(f"  {question.key}: {per_key[question.key]} to ask", file=stdout)
    if missing:
        model = options.model or workzone.model or "(no model set)"
        print(f"first prompts, for {model}:", file=stdout)
        for section in missing[:DRY_RUN_PROMPTS]:
            print(f"  {workzone.shown_cache(section.cache)}: {section.prompt!r}", file=stdout)
    print("studysite: dry run; nothing was sent or written", file=stdout)


def _summary(workzone, writer, answers, missing, failed, incomplete, usage, stdout) -> None:
    parts = [f"{_counted(len(writer.written), 'lesson')} written", f"{len(writer.unchanged)} unchanged"]
    if writer.removed:
        parts.append(f"{len(writer.removed)} removed (no longer in the catalogue)")
    if writer.kept or writer.kept_stale:
        parts.append(f"{len(writer.kept) + len(writer.kept_stale)} kept (edited by hand)")
    if incomplete:
        parts.append(f"{incomplete} incomplete")
    print(f"studysite: {', '.join(parts)} in {workzone.out_dir}", file=stdout)
    asked = sum(1 for section in missing if section.cache in answers)
    line = f"studysite: {_counted(len(answers) - asked, 'answer')} from the cache"
    if usage is not None:
        line += f", {asked} asked, {failed} failed; {_counted(usage.requests, 'request')}"
        if usage.reported:
            total = usage.prompt_tokens + usage.completion_tokens
            line += f", {total:,} tokens ({usage.prompt_tokens:,} prompt + {usage.completion_tokens:,} completion)"
        else:
            line += " (the endpoint reported no token counts)"
    elif missing:
        line += f", {len(missing)} missing"
    print(line, file=stdout)


def _counted(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"
