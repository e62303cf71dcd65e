"""Preview server: build once, then serve the output folder on this machine."""

from __future__ import annotations

import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from generator.build import BuildOptions, build
from generator.errors import UsageError


def serve(site: Path, *, port: int, bind: str, drafts: bool) -> int:
    options = BuildOptions(site_root=site, drafts=drafts)
    build(options)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(options.output))
    try:
        server = ThreadingHTTPServer((bind, port), handler)
    except OSError as error:
        raise UsageError(f"cannot listen on {bind}:{port}: {error.strerror}") from None
    print(f"studysite: serving {options.output} at http://{bind}:{port}/ (Ctrl-C to stop)", file=sys.stderr)
    with server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0
