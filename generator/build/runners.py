"""Running the shards of a build: in this process, or each in a forked worker driven
through a pipe."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import traceback
from collections.abc import Callable
from typing import Protocol

from generator.build.plan import plan_site
from generator.build.shard import Shard
from generator.content.lesson import LessonSummary
from generator.errors import ContentError, Diagnostic, OutputError
from generator.output import StagedOutput
from generator.spare import Placed
from generator.render.environment import create_environment
from generator.workers import exit_with_parent


class Runner(Protocol):
    parsed_elsewhere: int
    connections: list

    def parse(self, figures: Callable[[list], None]) -> tuple[list[LessonSummary], list[Diagnostic]]: ...

    def start_render(self, sites, summaries, inputs, options, output, keys) -> None: ...

    def finish_render(self, output) -> list[str]: ...

    def stop(self) -> None: ...

    def abandon(self) -> None: ...

    def close(self) -> None: ...


class InlineRunner:
    parsed_elsewhere = 0
    connections: list = []

    def __init__(self, shards: list[Shard]):
        self.shards = shards

    def parse(self, figures):
        summaries: list[LessonSummary] = []
        problems: list[Diagnostic] = []
        for shard in self.shards:
            found_summaries, found = shard.parse()
            summaries.extend(found_summaries)
            problems.extend(found)
        return summaries, problems

    def start_render(self, sites, summaries, inputs, options, output, keys):
        environment = create_environment(options.site_root)
        self._search_files = [
            name for shard in self.shards for name in shard.render(sites, environment, inputs.version, output, keys)
        ]

    def finish_render(self, output):
        return self._search_files

    def stop(self):
        for shard in self.shards:
            shard.save_cache()

    def abandon(self):
        pass

    def close(self):
        pass


class ForkedRunner:
    """One forked process per shard, driven through a pipe: parse (announcing the plots
    it finds as it goes), then render, then save the lesson cache."""

    def __init__(self, shards: list[Shard], previous: dict[str, Placed], drafts: bool):
        self.parsed_elsewhere = 0
        context = multiprocessing.get_context("fork")
        self.connections = []
        self.processes = []
        for shard in shards:
            parent_end, child_end = context.Pipe()
            # The worker inherits the build's ends of every pipe made so far, its own
            # included; it closes them, so that each pipe ends when the build does.
            inherited = [*self.connections, parent_end]
            process = context.Process(
                target=_shard_worker, args=(shard, child_end, os.getpid(), inherited, previous, drafts), daemon=True
            )
            process.start()
            child_end.close()
            self.connections.append(parent_end)
            self.processes.append(process)
        self._stopped = False

    def _receive(self, connection, *expected: str):
        message = connection.recv()
        if message[0] == "content-error":
            raise ContentError(message[1])
        if message[0] == "output-error":
            raise OutputError(message[1])
        if message[0] == "failed":
            raise RuntimeError(f"a build worker failed:\n{message[1]}")
        if message[0] not in expected:
            raise RuntimeError(f"a build worker answered {message[0]!r} instead of {expected[0]!r}")
        return message

    def parse(self, figures):
        summaries: list[LessonSummary] = []
        problems: list[Diagnostic] = []
        parsing = list(self.connections)
        while parsing:
            for connection in multiprocessing.connection.wait(parsing):
                message = self._receive(connection, "parsed", "figures")
                if message[0] == "figures":
                    figures(message[1])
                    continue
                _, found_summaries, found, parsed = message
                summaries.extend(found_summaries)
                problems.extend(found)
                self.parsed_elsewhere += parsed
                parsing.remove(connection)
        return summaries, problems

    def start_render(self, sites, summaries, inputs, options, output, keys):
        for connection in self.connections:
            connection.send(("render", summaries, inputs, options, output.staging, output.out_dir, output.in_place, keys))

    def finish_render(self, output):
        search_files = []
        for connection in self.connections:
            _, placed, written, files = self._receive(connection, "rendered")
            output.adopt(placed, written)
            search_files.extend(files)
        return search_files

    def stop(self):
        if self._stopped:
            return
        self._stopped = True
        for connection in self.connections:
            connection.send(("stop",))
        for connection in self.connections:
            self._receive(connection, "stopped")

    def abandon(self):
        """End the workers now: the build failed, and nothing they do is wanted any more."""
        for process in self.processes:
            process.kill()
        for process in self.processes:
            process.join()

    def close(self):
        for connection in self.connections:
            connection.close()
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()


def _shard_worker(shard: Shard, connection, parent: int, inherited: list, previous: dict[str, Placed], drafts: bool) -> None:
    exit_with_parent(parent)
    for other in inherited:
        other.close()
    try:
        summaries, problems = shard.parse(lambda specs: connection.send(("figures", specs)), drafts)
        connection.send(("parsed", summaries, problems, shard.parsed))
        while True:
            message = connection.recv()
            if message[0] == "render":
                _, all_summaries, inputs, options, staging, out_dir, in_place, keys = message
                sites, _ = plan_site(inputs, all_summaries, options.drafts)
                output = StagedOutput.attach(staging, out_dir, previous, in_place)
                search_files = shard.render(sites, create_environment(options.site_root), inputs.version, output, keys)
                output.flush()
                connection.send(("rendered", output.placed, output.written, search_files))
                shard.save_cache()  # while the build swaps the site in
            elif message[0] == "stop":
                shard.save_cache()
                connection.send(("stopped",))
                return
    except (EOFError, BrokenPipeError):
        return  # the parent has gone; nothing is waiting for this worker
    except ContentError as error:  # a broken template of the site's
        report = ("content-error", error.diagnostics)
    except OutputError as error:  # disk full, read-only file system
        report = ("output-error", str(error))
    except BaseException:
        report = ("failed", traceback.format_exc())
    try:
        connection.send(report)
    except OSError:
        pass  # the build already stopped, on another worker's report
