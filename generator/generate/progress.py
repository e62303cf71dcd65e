"""What generate shows while it asks: a tqdm bar on a terminal, plain lines elsewhere.

Both show the answers done out of all the lesson sections selected, split into cached,
asked and failed, and the time left at the pace of the answers asked so far.
"""

from __future__ import annotations

import time
from typing import TextIO

PLAIN_INTERVAL = 5.0
"""Seconds between two plain progress lines (a log should not get one per answer)."""


class Progress:
    def __init__(self, total: int, cached: int, stream: TextIO):
        self.total = total
        self.cached = cached
        self.asked = 0
        self.failed = 0
        self._stream = stream
        self._started = time.monotonic()
        self._last_line = self._started
        self._bar = None
        if stream.isatty():
            try:
                from tqdm import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=total, initial=cached, unit="answer", file=stream, dynamic_ncols=True, leave=True)
                self._bar.set_postfix_str(self._counts(), refresh=True)

    @property
    def done(self) -> int:
        return self.cached + self.asked + self.failed

    def answered(self) -> None:
        self.asked += 1
        self._advance()

    def failure(self, where: str, reason: str) -> None:
        self.failed += 1
        self.message(f"{where}: failed: {reason}")
        self._advance()

    def message(self, text: str) -> None:
        if self._bar is not None:
            self._bar.write(text, file=self._stream)
        else:
            print(text, file=self._stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self.done > self.cached:
            self._line()

    def _advance(self) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(self._counts(), refresh=False)
            self._bar.update(1)
        elif time.monotonic() - self._last_line >= PLAIN_INTERVAL:
            self._line()

    def _counts(self) -> str:
        return f"cached {self.cached}, asked {self.asked}, failed {self.failed}"

    def _line(self) -> None:
        self._last_line = time.monotonic()
        print(f"studysite: {self.done}/{self.total} answers ({self._counts()}){self._eta()}", file=self._stream, flush=True)

    def _eta(self) -> str:
        settled = self.asked + self.failed
        remaining = self.total - self.done
        if not settled or not remaining:
            return ""
        seconds = (time.monotonic() - self._started) / settled * remaining
        minutes, seconds = divmod(round(seconds), 60)
        return f", about {minutes} min {seconds:02d} s left" if minutes else f", about {seconds} s left"
