"""The assistant: any OpenAI-compatible Chat Completions endpoint, through the official
``openai`` package (the ``ai`` extra; nothing else in studysite imports it).

OpenAI, Azure's OpenAI-compatible endpoint, Ollama, vLLM, LM Studio and llama.cpp's
server all answer ``POST {base_url}/chat/completions``. The endpoint and key come from
``OPENAI_BASE_URL``/``OPENAI_API_KEY``, else ``[assistant]`` in ``studysite.toml``; the
key is only ever handed to the client, never printed or stored.

Retries are ours, so that each one is counted and none is doubled (the client's own
``max_retries`` is 0): 429 and 5xx (and 408, 409) answers, time-outs, dropped connections and
empty answers are tried again after an exponential back-off with jitter, or after the time a
``Retry-After`` (or OpenAI's ``retry-after-ms``) header asks for. A refused key, an
unknown model or endpoint, an exhausted quota, or an endpoint that cannot be reached at
all stop the whole run: every other request would fail the same way.
"""

from __future__ import annotations

import asyncio
import os
import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

from generator.errors import UsageError

PLACEHOLDER_KEY = "studysite-no-key"
"""Sent when no key is set: local servers need none, but the client refuses to start without."""
DEFAULT_TIMEOUT = 120.0
ATTEMPTS = 6
FIRST_BACKOFF = 0.5
LONGEST_BACKOFF = 30.0
LONGEST_RETRY_AFTER = 120.0
_RETRIED_STATUSES = {408, 409, 429}
"""Besides 5xx: a time-out, a conflict, too many requests (as the openai client retries)."""
_STOPPING_STATUSES = {401: "the key was refused", 403: "access was refused", 404: "the model or the endpoint does not exist"}


class PromptFailed(Exception):
    """This prompt got no answer after every attempt; the others go on."""


class AssistantStopped(Exception):
    """No prompt can get an answer (bad key, unknown model, unreachable endpoint)."""


@dataclass(frozen=True)
class Settings:
    base_url: str | None
    api_key: str | None
    model: str
    role: str | None
    timeout: float

    @property
    def endpoint(self) -> str:
        return self.base_url or "https://api.openai.com/v1 (OpenAI)"


def resolve_settings(config: dict, *, model: str | None, role: str | None) -> Settings:
    """The environment first, then ``[assistant]``; *model* is ``--model``, else the
    workzone's ``apiModal``, else ``[assistant] model``."""
    base_url = os.environ.get("OPENAI_BASE_URL") or config.get("base_url") or None
    api_key = os.environ.get("OPENAI_API_KEY") or config.get("api_key") or None
    if not model:
        raise UsageError("no model: give --model M, apiModal in config.yaml, or model in [assistant] of studysite.toml")
    if api_key is None and base_url is None:
        raise UsageError(
            "no API key: set OPENAI_API_KEY for OpenAI, or OPENAI_BASE_URL for a local server "
            "such as Ollama (http://127.0.0.1:11434/v1), which needs none"
        )
    return Settings(base_url, api_key, model, role, float(config.get("timeout", DEFAULT_TIMEOUT)))


@dataclass
class Usage:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reported: bool = False


class Assistant:
    """Puts prompts to the endpoint, ``jobs`` at a time at most (the caller's semaphore)."""

    def __init__(self, settings: Settings, *, first_backoff: float = FIRST_BACKOFF, attempts: int = ATTEMPTS):
        try:
            import openai
        except ImportError:
            raise UsageError("asking an assistant needs the openai package: pip install 'studysite[ai]'") from None
        self._openai = openai
        self.settings = settings
        self.usage = Usage()
        self._first_backoff = first_backoff
        self._attempts = attempts
        self._client = openai.AsyncOpenAI(
            api_key=settings.api_key or PLACEHOLDER_KEY,
            base_url=settings.base_url,
            max_retries=0,
            timeout=settings.timeout,
        )

    async def close(self) -> None:
        await self._client.close()

    async def ask(self, prompt: str) -> str:
        """The answer, trimmed of surrounding spaces as aidocx stored it (blank lines kept)."""
        openai = self._openai
        messages = ([{"role": "system", "content": self.settings.role}] if self.settings.role else []) + [
            {"role": "user", "content": prompt}
        ]
        problem = ""
        for attempt in range(self._attempts):
            if attempt:
                await asyncio.sleep(delay)
            delay = self._backoff(attempt)
            self.usage.requests += 1
            try:
                response = await self._client.chat.completions.create(model=self.settings.model, messages=messages)
            except openai.APIStatusError as error:
                problem = self._retried_status(error)
                asked_wait = retry_after(error.response.headers)
                delay = delay if asked_wait is None else asked_wait
                continue
            except openai.APITimeoutError:
                problem = f"no answer within {self.settings.timeout:g} s"
                continue
            except openai.APIConnectionError:
                problem = "connection failed"
                if attempt == self._attempts - 1:
                    raise AssistantStopped(f"cannot reach {self.settings.endpoint}") from None
                continue
            self._count(response)
            content = response.choices[0].message.content if response.choices else None
            if content and content.strip():
                return content.strip(" ")
            problem = "empty answer"
        raise PromptFailed(f"{problem} ({self._attempts} attempts)")

    def _retried_status(self, error) -> str:
        """Why a request that the server answered with an error is tried again; raises
        AssistantStopped for what no retry can mend (a wrong key or model, no quota
        left) and PromptFailed for a request the server refuses."""
        status = error.status_code
        if status in _STOPPING_STATUSES:
            raise AssistantStopped(self._status_text(error, _STOPPING_STATUSES[status], with_message=status == 404)) from None
        if status == 429 and error.code == "insufficient_quota":
            raise AssistantStopped(self._status_text(error, "the quota is used up")) from None
        if status not in _RETRIED_STATUSES and status < 500:
            raise PromptFailed(self._status_text(error, "the request was refused", with_message=True)) from None
        return self._status_text(error, "server error" if status >= 500 else "busy")

    def _backoff(self, attempt: int) -> float:
        return min(LONGEST_BACKOFF, self._first_backoff * 2**attempt) * random.uniform(0.5, 1.0)

    def _count(self, response) -> None:
        usage = getattr(response, "usage", None)
        if usage is not None:
            self.usage.reported = True
            self.usage.prompt_tokens += usage.prompt_tokens or 0
            self.usage.completion_tokens += usage.completion_tokens or 0

    def _status_text(self, error, meaning: str, *, with_message: bool = False) -> str:
        text = f"HTTP {error.status_code}: {meaning}"
        message = _server_message(error.body)
        if with_message and message:
            # A server may quote the key back (OpenAI masks all but its ends): never show it.
            key = self.settings.api_key
            if not key or (key not in message and key[:8] not in message and key[-4:] not in message):
                text += f" ({message})"
        return text


def _server_message(body) -> str:
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        return str(message)[:200] if message else ""
    return ""


def retry_after(headers) -> float | None:
    """Seconds a ``retry-after-ms`` or ``Retry-After`` header asks to wait (capped)."""
    milliseconds = headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return min(LONGEST_RETRY_AFTER, max(0.0, float(milliseconds) / 1000))
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds()
        except (TypeError, ValueError):
            return None
    return min(LONGEST_RETRY_AFTER, max(0.0, seconds))
