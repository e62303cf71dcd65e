"""A small site for the reader's tools in the browser tests (tree, contents, code copy,
Mermaid): two folders, one nested, ``linkTitle`` labels, a lesson with code and
sub-headings, one with a diagram. Served on 127.0.0.1 like conftest's bundled site, and
opened from disk by :func:`disk_page`, which fails the test on any error, refused policy
or request off the disk."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from helpers import REPORT_CSP_VIOLATIONS, run_cli, write_site


def _test_section(count: int) -> str:
    questions = "\n".join(f"{n}. 第 {n} 題是什麼？\n   答案：第 {n} 題的答案。" for n in range(1, count + 1))
    return f"## 知識測驗\n{{{{< ask_chatgpt >}}}}出 {count} 題並附答案{{{{< /ask_chatgpt >}}}}\n{questions}\n"


CODE_LESSON = """+++
title = "第一課：程式"
linkTitle = "程式"
weight = 1
+++
## 說明知識
{{< ask_chatgpt >}}說明平方損失{{< /ask_chatgpt >}}
平方損失的程式如下。

### 程式碼

```python
def loss(y, p):
    return (y - p) ** 2
```

""" + "\n\n".join(f"第 {n} 行：把預測與答案的差平方。" for n in range(1, 9)) + """

### 小結

""" + "\n\n".join(f"第 {n} 段：損失越小，預測越接近答案。" for n in range(1, 25)) + "\n\n" + _test_section(2)

DIAGRAM_LESSON = """+++
title = "訓練流程"
weight = 4
+++
## 說明知識
訓練的流程如下。

```mermaid
flowchart LR
    A[資料] --> B{損失 < 0.1?}
    B -->|否| C[更新參數]
    C --> A
```
"""

FILES = {
    "studysite.toml": 'title = "讀者工具"\nlanguageCode = "zh-TW"\n',
    "content/基礎/_index.md": '+++\ntitle = "基礎概念"\nlinkTitle = "基礎"\nweight = 1\n+++\n基礎。\n',
    "content/基礎/第一課.md": CODE_LESSON,
    "content/基礎/訓練流程.md": DIAGRAM_LESSON,
    "content/基礎/第二課.md": '+++\ntitle = "第二課"\nlinkTitle = "課二"\nweight = 2\n+++\n## 說明知識\n文字。\n\n'
    + _test_section(5),
    "content/基礎/第三課.md": '+++\ntitle = "第三課"\nweight = 3\n+++\n## 說明知識\n`行內程式碼`不是程式區塊。\n',
    "content/進階/_index.md": '+++\ntitle = "進階"\nweight = 2\n+++\n進階。\n',
    "content/進階/深入/課五.md": '+++\ntitle = "課五"\n+++\n## 說明知識\n文字。\n',
    "content/進階/課四.md": '+++\ntitle = "課四"\nweight = 1\n+++\n## 說明知識\n文字。\n',
}

CODE_PAGE = "/基礎/第一課/"
DIAGRAM_PAGE = "/基礎/訓練流程/"
SECOND_PAGE = "/基礎/第二課/"
THIRD_PAGE = "/基礎/第三課/"
DEEP_PAGE = "/進階/深入/課五/"


@dataclass
class ReaderSite:
    """What conftest's fixtures ask of a site: where it is, and where it is served."""

    public: Path
    base: str

    def url(self, path: str) -> str:
        return self.base + quote(path, safe="/?=&#%")

    def file_url(self, path: str) -> str:
        return (self.public / path.strip("/") / "index.html").as_uri()

    @property
    def host(self) -> str:
        return urlsplit(self.base).netloc


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@contextlib.contextmanager
def served_reader_site(root: Path):
    """Build the reader site in *root* and serve it until the block ends."""
    write_site(root, FILES)
    result = run_cli("build", root, "--jobs", "1")
    assert result.code == 0, result.err
    public = root / "public"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(public)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="reader-site-server", daemon=True).start()
    try:
        yield ReaderSite(public, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def disk_page(browser, url: str, wait_until: str = "load", **options):
    """A page of a fresh context (Playwright's context *options*) opened at a ``file://``
    *url*; at the end, fails on any console or page error (refused policies included) and
    any request off the disk."""
    errors: list[str] = []
    requests: list[str] = []
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
    context.set_default_timeout(10_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    context.on("request", lambda request: requests.append(request.url))
    context.on("weberror", lambda error: errors.append(str(error.error)))
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        page.goto(url, wait_until=wait_until)
        yield page
    finally:
        context.close()
    assert errors == []
    assert [url for url in requests if not url.startswith(("file://", "data:"))] == []
