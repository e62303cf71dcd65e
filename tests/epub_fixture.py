"""A site that exercises every part of a book: nested folders and weights, formulas,
plots, images of every kind, tests with answers, links, and hostile raw HTML."""

from __future__ import annotations

import struct
import zlib


def png(width: int = 2, height: int = 2) -> bytes:
    """A small valid PNG image (grey pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


HOSTILE_SVG = """<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20" onload="alert(1)">
<script>alert(2)</script>
<a xlink:href="javascript:alert(3)"><rect id="box" width="20" height="20" fill="url(#paint)"/></a>
<linearGradient id="paint"><stop offset="0" stop-color="#08c"/></linearGradient>
<foreignObject width="20" height="20"><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>
</svg>
"""

LOSS = """+++
title = "Loss functions"
weight = 1
+++
## Preview
{{< ask_chatgpt >}}
give me five question about loss functions
{{< /ask_chatgpt >}}

1. What does a loss function measure?
2. Why square the errors?

## Explain
{{< ask_chatgpt >}}
Explain loss functions and give an example
{{< /ask_chatgpt >}}

The mean squared error is $\\mathrm{MSE} = \\frac{1}{n}\\sum_{i=1}^{n}(y_i - \\hat{y}_i)^2$, and
$$L_\\delta(a) = \\tfrac{1}{2}a^2 \\quad |a| \\le \\delta$$

{{< loss_curve losses="mse, mae, huber(delta=1)" x="residual" >}}

![a diagram of the residuals](diagram.png) ![the logo](/images/logo.svg)
![a remote chart](https://example.org/chart.png) ![a photo](photo.webp) ![missing](nowhere.png)

See [gradient descent](Gradient%20Descent.md#review), [the preview](#preview), [the welcome](../_index.md),
[a file](notes.pdf), [a site](https://example.org/a?b=1&c=2), [mail](mailto:a@example.org) and [bad](javascript:alert(1)).

| loss | robust |
|:-----|-------:|
| MSE  | no     |

<script>alert("raw")</script>
<p onclick="alert(4)" style="color: red" id="raw">Raw <b>bold</b> &amp; <iframe src="https://example.org"></iframe>kept</p>
<a href="javascript:alert(5)">raw link</a> <img src="x" onerror="alert(6)"> <video src="v.mp4"></video>
<div><p>unclosed <em>tags</div>

```python
loss = ((y - p) ** 2).mean()  # <not a tag>
```

## Review
{{< ask_chatgpt >}}
Give me 3 medium-difficulty questions with answers about loss functions
{{< /ask_chatgpt >}}

1. What is the MSE of errors 1 and 3?
Answer: $(1 + 9) / 2 = 5$.

2. Which loss is robust to outliers?
Answer: MAE, and Huber beyond $\\delta$.
{{< loss_curve losses="mae, huber" >}}

3. A question nobody answered?
"""

GRADIENT = """+++
title = "Gradient descent"
weight = 2
+++
## Explain
{{< ask_chatgpt >}}
Explain gradient descent and give an example
{{< /ask_chatgpt >}}

Step against the gradient: $\\theta \\leftarrow \\theta - \\eta \\nabla L$. Back to [the chapter](_index.md).

## Review
{{< ask_chatgpt >}}
Give me 1 medium-difficulty questions with answers about gradient descent
{{< /ask_chatgpt >}}

1. What does the learning rate scale?
Answer: the step, $\\eta \\nabla L$.
"""

HUBER = """+++
title = "Huber loss"
lang = "zh-tw"
+++
## Explain
Huber loss is quadratic near zero and linear beyond delta.

## Review
1. Where does Huber loss turn linear?
Answer: at |a| = δ.
"""

HINGE = """+++
title = "Hinge loss"
weight = 1
+++
## Review
{{< ask_chatgpt >}}
Give me 1 medium-difficulty questions with answers about hinge loss
{{< /ask_chatgpt >}}

1. What is the hinge loss at margin 2?
Answer: zero.

## Review
{{< ask_chatgpt >}}
Give me 1 more question with answers about hinge loss
{{< /ask_chatgpt >}}

1. And at margin 0?
Answer: one.
"""

FIXTURE_SITE: dict[str, str | bytes] = {
    "studysite.toml": 'title = "Losses & <Friends>"\nlanguageCode = "en"\nunsafe = true\n\n[params]\nauthor = "Ada Lovelace"\n',
    "content/_index.md": "+++\ntitle = \"Welcome\"\n+++\nStart with [the losses](Regression/Loss.md#explain).\n",
    "content/Regression/_index.md": "+++\ntitle = \"Regression\"\nweight = 1\n+++\nFitting numbers.\n",
    "content/Regression/Loss.md": LOSS,
    "content/Regression/Gradient Descent.md": GRADIENT,
    "content/Regression/diagram.png": png(),
    "content/Regression/photo.webp": b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    "content/Regression/notes.pdf": b"%PDF-1.4\n",
    "content/Regression/Advanced/Huber.md": HUBER,
    "content/Classification/Hinge.md": HINGE,
    "content/Notes.md": "+++\ntitle = \"Notes\"\nweight = 3\n+++\n## Review\n1. Is this the last chapter?\nAnswer: Yes, $1 = 1$.\n",
    "content/Draft.md": "+++\ntitle = \"Draft\"\ndraft = true\n+++\nNot yet.\n",
    "static/images/logo.svg": HOSTILE_SVG,
}
