"""A multilingual Hugo repo of the shape our users come from, quirks kept: three content
folders, a config whose ``defaultContentLanguage(InSubdir)`` sit under ``[outputs]`` (so
Hugo ignores them), folder pages named like their folder, lessons in three, two and one
languages, names with spaces and parentheses, and a pair of translations matched by
``translationKey`` instead of by path."""

from __future__ import annotations

CONFIG = """title = 'Learn with AI'
baseURL = "https://example.github.io/learn-with-ai/"
[outputs]
home = [ "HTML", "RSS", "JSON"]
defaultContentLanguage = "en"          # sits under [outputs], so Hugo ignores it
defaultContentLanguageInSubdir= true   # likewise
[Languages]
  [Languages.en]
    contentDir = "content/english"
    title = "Learn with AI"
    weight = 1
    languageName = "English"
  [Languages.zh-cn]
    contentDir = "content/zh-cn"
    weight = 2
    languageName = "簡體中文"
  [Languages.zh-tw]
    contentDir = "content/zh-tw"
    weight = 3
    languageName = "繁體中文"
[params]
  ordersectionsby = "weight"
[markup.goldmark.renderer]
  hardWraps = true
"""

HEADINGS = {
    "english": ("Explain", "Review", "Answer:"),
    "zh-cn": ("说明知识", "知识测验", "答案："),
    "zh-tw": ("說明知識", "知識測驗", "答案："),
}


def lesson(language: str, title: str, weight: int | None = None, extra: str = "") -> str:
    explain, review, answer = HEADINGS[language]
    front = [f'title = "{title}"'] + ([f"weight = {weight}"] if weight is not None else []) + ([extra] if extra else [])
    return (
        "+++\n" + "\n".join(front) + "\n+++\n"
        f"## {explain}\n{{{{< ask_chatgpt >}}}}\n{title}?\n{{{{< /ask_chatgpt >}}}}\n\n"
        f"{title}: first line\nsecond line of the same paragraph\n\n"
        f"## {review}\n1. {title} — Q?\n{answer} A.\n"
    )


HUB = "AI Knowledge Hub"
IT = f"{HUB}/IT"

FILES: dict[str, str] = {
    "config.toml": CONFIG,
    # In all three languages.
    f"content/english/{HUB}/{HUB}.md": lesson("english", "AI Knowledge Hub", 1),
    f"content/zh-cn/{HUB}/{HUB}.md": lesson("zh-cn", "AI 知识库", 1),
    f"content/zh-tw/{HUB}/{HUB}.md": lesson("zh-tw", "AI 知識庫", 1),
    f"content/english/{IT}/IT.md": lesson("english", "Information Technology"),
    f"content/zh-cn/{IT}/IT.md": lesson("zh-cn", "信息技术"),
    f"content/zh-tw/{IT}/IT.md": lesson("zh-tw", "資訊科技"),
    f"content/english/{IT}/Loss Function.md": lesson("english", "Loss Function", 1),
    f"content/zh-cn/{IT}/Loss Function.md": lesson("zh-cn", "损失函数", 2),
    f"content/zh-tw/{IT}/Loss Function.md": lesson("zh-tw", "損失函數", 1),
    # In two.
    f"content/english/{IT}/Gradient Descent (GD).md": lesson("english", "Gradient Descent (GD)", 2),
    f"content/zh-cn/{IT}/Gradient Descent (GD).md": lesson("zh-cn", "梯度下降 (GD)", 1),
    # In one.
    f"content/english/{IT}/Only in English.md": lesson("english", "Only in English"),
    "content/zh-tw/台灣 Only/台灣 Only.md": lesson("zh-tw", "台灣專區", 2),
    "content/zh-tw/台灣 Only/課程 (一).md": lesson("zh-tw", "課程 (一)"),
    # Translations by translationKey, at different paths.
    "content/english/Math Basics/Math Basics.md": lesson("english", "Math Basics", 3),
    "content/english/Math Basics/Linear Algebra.md": lesson("english", "Linear Algebra", extra='translationKey = "linear-algebra"'),
    "content/zh-cn/数学/数学.md": lesson("zh-cn", "数学", 3),
    "content/zh-cn/数学/线性代数.md": lesson("zh-cn", "线性代数", extra='translationKey = "linear-algebra"'),
}

LESSON = "ai-knowledge-hub/it/loss-function/"
"""The lesson in all three languages, below each language's prefix."""
PREFIXES = {"en": "", "zh-cn": "zh-cn/", "zh-tw": "zh-tw/"}


def hugo_files() -> dict[str, str]:
    """The same repo as Hugo sees it after the sites' preprocessing step: each folder's
    own page renamed from ``Folder/Folder.md`` to ``Folder/_index.md``."""
    renamed = {}
    for path, text in FILES.items():
        folder, _, name = path.rpartition("/")
        if name.removesuffix(".md") == folder.rpartition("/")[2]:
            path = f"{folder}/_index.md"
        renamed[path] = text
    return renamed
