"""Sealing what studysite keeps in ``SITE/.studysite/`` so that only this user's own
builds can have written it.

A site folder may come from anyone's repository, caches included; a pickled lesson or a
drawn SVG from elsewhere must never be loaded or published. Each cached file is sealed
with an HMAC-SHA256 under a secret kept outside every site folder, in the user's cache
directory (``$XDG_CACHE_HOME/studysite/secret``, else ``~/.cache/studysite/secret``).
:func:`unseal` checks the seal before anything looks at the bytes: a foreign, truncated
or bit-flipped file reads as missing, and the caller rebuilds it.

When the secret cannot be stored (no home directory, read-only file system), a secret
for this process alone is used: caches then never verify across runs, which costs
speed, never correctness.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import cache
from pathlib import Path

from generator.atomic import write_atomic

MAGIC = b"studysite-sealed-1\n"
_DIGEST = hashlib.sha256
_MAC_SIZE = _DIGEST().digest_size
_SECRET_SIZE = 32


def secret_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "studysite" / "secret"


@cache
def _secret() -> bytes:
    path = secret_path()
    try:
        existing = path.read_bytes()
        if len(existing) == _SECRET_SIZE:
            return existing
    except OSError:
        pass
    fresh = secrets.token_bytes(_SECRET_SIZE)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(path, fresh, mode=0o600)
        # Another process may have stored its secret first: use whichever is on disk.
        stored = path.read_bytes()
        return stored if len(stored) == _SECRET_SIZE else fresh
    except OSError:
        return fresh


def seal(data: bytes, purpose: str) -> bytes:
    """*data* with a header and a MAC that binds it to this user and to *purpose* (so a
    sealed lesson bucket cannot be passed off as a sealed SVG)."""
    return MAGIC + _mac(data, purpose) + data


def unseal(blob: bytes, purpose: str) -> bytes | None:
    """The data :func:`seal` sealed for *purpose*, or None if *blob* is anything else."""
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + _MAC_SIZE:
        return None
    mac = blob[len(MAGIC) : len(MAGIC) + _MAC_SIZE]
    data = blob[len(MAGIC) + _MAC_SIZE :]
    return data if hmac.compare_digest(mac, _mac(data, purpose)) else None


def _mac(data: bytes, purpose: str) -> bytes:
    signer = hmac.new(_secret(), purpose.encode("utf-8") + b"\0", _DIGEST)
    signer.update(data)
    return signer.digest()
