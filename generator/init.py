"""``studysite init``: a new site, as ``hugo new site`` makes one.

A config file with the title and language, ``content/`` with one sample lesson in the
house format (its sections and prompts from the question list of that language, its
answers written out), and a ``.gitignore`` for the build output and caches. A folder that
is not empty is refused unless ``--force``; even then, a folder that already has a site
config is refused, and no existing file is ever overwritten.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from generator.atomic import write_atomic
from generator.authoring import file_name_for, toml_string
from generator.config import CONFIG_NAMES, DEFAULT_QUESTION_LISTS

GITIGNORE = "# studysite: the built site and its caches\n/public/\n/.studysite/\n"


class InitError(Exception):
    """The site was not made: the message says why (exit code 1)."""


@dataclass
class InitResult:
    created: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Sample:
    site_title: str
    title: str
    answers: dict[str, str]
    """The text under each section's prompt, by section kind."""


SAMPLES: dict[str, Sample] = {
    "zh-TW": Sample(
        "我的學習站",
        "二分搜尋 (Binary Search)",
        {
            "preview": """1. 二分搜尋為什麼要求資料先排好序？
2. 每比較一次，要找的範圍會怎麼變化？
3. 在一百萬筆資料中找一個值，最多大約要比較幾次？
4. 中間位置要怎麼算，才不會發生整數溢位？
5. 找不到目標時，二分搜尋怎麼結束？""",
            "explanation": """二分搜尋在**已排序**的陣列中找目標值：每次拿範圍正中間的元素和目標比較，相等就找到了；
目標比較小，就只留左半邊；比較大，就只留右半邊。每比一次範圍減半，所以 n 筆資料最多比較
約 $\\lfloor \\log_2 n \\rfloor + 1$ 次，時間複雜度是 $O(\\log n)$。

例如在 `[1, 3, 5, 7, 9, 11]` 中找 9：中間是 5（索引 2），5 < 9，只留右半邊 `[7, 9, 11]`；
它的中間是 9，找到了，只比較兩次。

```python
def binary_search(items, target):
    low, high = 0, len(items) - 1
    while low <= high:
        middle = (low + high) // 2
        if items[middle] == target:
            return middle
        if items[middle] < target:
            low = middle + 1
        else:
            high = middle - 1
    return -1
```""",
            "keypoints": """- 前提：資料已排序，而且能用索引直接取任一個元素（陣列可以，鏈結串列不行）。
- 每一步比較中間元素，丟掉不可能有目標的一半。
- 時間複雜度 $O(\\log n)$；迴圈寫法的額外空間是 $O(1)$。
- 在整數會溢位的語言中，中間位置寫成 `low + (high - low) / 2`。
- 範圍變空（`low > high`）就表示找不到。""",
            "test": """1. 在長度 1,024 的已排序陣列中，二分搜尋最多要比較幾次？
答案：11 次。每次比較後範圍最多剩一半：1024、512、…、1，共 11 個長度，每個長度比較一次。

2. 為什麼不能直接在未排序的陣列上做二分搜尋？
答案：丟掉一半的理由是「目標比中間值大，就只可能在右邊」，這只在資料排序後才成立。

3. 在 Java 或 C 裡，為什麼寫 `low + (high - low) / 2` 而不是 `(low + high) / 2`？
答案：`low + high` 可能超過整數的上限而溢位；`low + (high - low) / 2` 算出同一個位置，卻不會溢位。

4. 二分搜尋的時間和空間複雜度各是多少？
答案：時間 $O(\\log n)$。迴圈寫法只用幾個變數，額外空間 $O(1)$；遞迴寫法因為呼叫堆疊，是 $O(\\log n)$。

5. 陣列中有重複的值時，怎麼找到目標第一次出現的位置？
答案：找到目標時先記下位置，再令 `high = middle - 1` 繼續往左半邊找，直到範圍變空；最後記下的就是第一次出現的位置。""",
        },
    ),
    "zh-CN": Sample(
        "我的学习站",
        "二分查找 (Binary Search)",
        {
            "preview": """1. 二分查找为什么要求数据先排好序？
2. 每比较一次，要找的范围会怎么变化？
3. 在一百万条数据中找一个值，最多大约要比较几次？
4. 中间位置要怎么算，才不会发生整数溢出？
5. 找不到目标时，二分查找怎么结束？""",
            "explanation": """二分查找在**已排序**的数组中找目标值：每次拿范围正中间的元素和目标比较，相等就找到了；
目标比较小，就只留左半边；比较大，就只留右半边。每比一次范围减半，所以 n 条数据最多比较
约 $\\lfloor \\log_2 n \\rfloor + 1$ 次，时间复杂度是 $O(\\log n)$。

例如在 `[1, 3, 5, 7, 9, 11]` 中找 9：中间是 5（下标 2），5 < 9，只留右半边 `[7, 9, 11]`；
它的中间是 9，找到了，只比较两次。

```python
def binary_search(items, target):
    low, high = 0, len(items) - 1
    while low <= high:
        middle = (low + high) // 2
        if items[middle] == target:
            return middle
        if items[middle] < target:
            low = middle + 1
        else:
            high = middle - 1
    return -1
```""",
            "keypoints": """- 前提：数据已排序，而且能用下标直接取任一个元素（数组可以，链表不行）。
- 每一步比较中间元素，丢掉不可能有目标的一半。
- 时间复杂度 $O(\\log n)$；循环写法的额外空间是 $O(1)$。
- 在整数会溢出的语言中，中间位置写成 `low + (high - low) / 2`。
- 范围变空（`low > high`）就表示找不到。""",
            "test": """1. 在长度 1,024 的已排序数组中，二分查找最多要比较几次？
答案：11 次。每次比较后范围最多剩一半：1024、512、…、1，共 11 个长度，每个长度比较一次。

2. 为什么不能直接在未排序的数组上做二分查找？
答案：丢掉一半的理由是“目标比中间值大，就只可能在右边”，这只在数据排序后才成立。

3. 在 Java 或 C 里，为什么写 `low + (high - low) / 2` 而不是 `(low + high) / 2`？
答案：`low + high` 可能超过整数的上限而溢出；`low + (high - low) / 2` 算出同一个位置，却不会溢出。

4. 二分查找的时间和空间复杂度各是多少？
答案：时间 $O(\\log n)$。循环写法只用几个变量，额外空间 $O(1)$；递归写法因为调用栈，是 $O(\\log n)$。

5. 数组中有重复的值时，怎么找到目标第一次出现的位置？
答案：找到目标时先记下位置，再令 `high = middle - 1` 继续往左半边找，直到范围变空；最后记下的就是第一次出现的位置。""",
        },
    ),
    "en": Sample(
        "My study site",
        "Binary Search",
        {
            "preview": """1. Why must the data be sorted before a binary search?
2. How does the range left to search change after each comparison?
3. About how many comparisons can it take to find a value among a million items?
4. How should the middle position be computed so that it cannot overflow?
5. How does a binary search end when the target is not there?""",
            "explanation": """Binary search finds a target in a **sorted** array: it compares the target with the
element in the middle of the range; if they are equal it is done, if the target is smaller
only the left half can hold it, and if larger only the right half. Each comparison halves
the range, so n items need at most about $\\lfloor \\log_2 n \\rfloor + 1$ comparisons: the
time is $O(\\log n)$.

For example, to find 9 in `[1, 3, 5, 7, 9, 11]`: the middle is 5 (index 2), and 5 < 9, so
only the right half `[7, 9, 11]` is left; its middle is 9, found after two comparisons.

```python
def binary_search(items, target):
    low, high = 0, len(items) - 1
    while low <= high:
        middle = (low + high) // 2
        if items[middle] == target:
            return middle
        if items[middle] < target:
            low = middle + 1
        else:
            high = middle - 1
    return -1
```""",
            "keypoints": """- It needs sorted data that can be read at any index directly (an array, not a linked list).
- Each step compares the middle element and drops the half that cannot hold the target.
- Time $O(\\log n)$; the loop version needs $O(1)$ extra space.
- Where integers can overflow, compute the middle as `low + (high - low) / 2`.
- An empty range (`low > high`) means the target is not there.""",
            "test": """1. At most how many comparisons does a binary search make in a sorted array of 1,024 items?
Answer: 11. Each comparison leaves at most half the range: 1024, 512, …, 1 are 11 sizes, one comparison each.

2. Why can a binary search not run on an unsorted array?
Answer: it drops half the range because "a target larger than the middle can only be on the right", which holds only for sorted data.

3. In Java or C, why write `low + (high - low) / 2` rather than `(low + high) / 2`?
Answer: `low + high` can exceed the largest integer and overflow; `low + (high - low) / 2` gives the same position without overflowing.

4. What are the time and space costs of a binary search?
Answer: time $O(\\log n)$. The loop version uses a few variables, $O(1)$ extra space; the recursive version uses $O(\\log n)$ for its call stack.

5. With repeated values in the array, how do you find the first position of the target?
Answer: when the target is found, note its position and go on searching the left half with `high = middle - 1` until the range is empty; the last position noted is the first one.""",
        },
    ),
}


def config_text(language: str) -> str:
    sample = SAMPLES[language]
    return (
        f"title = {toml_string(sample.site_title)}\n"
        f'languageCode = "{language}"\n'
        "# Where the site will be published; the sitemap and canonical links need it.\n"
        '# baseURL = "https://example.org/study/"\n'
    )


def sample_lesson_text(language: str) -> str:
    """The sample lesson: one section per entry of the house question list, each opened
    by its prompt and answered."""
    sample = SAMPLES[language]
    keyword = sample.title
    lines = ["+++", f"title = {toml_string(sample.title)}", "weight = 1", "+++"]
    for item in DEFAULT_QUESTION_LISTS[language]:
        lines += [
            f"## {item.heading}",
            "{{< ask_chatgpt >}}",
            item.prompt.replace("{keyword}", keyword),
            "{{< /ask_chatgpt >}}",
            "",
            sample.answers[item.kind],
            "",
        ]
    return "\n".join(lines)


def init_site(directory: Path, language: str, *, force: bool = False) -> InitResult:
    """Create a site in *directory* (made if missing); return what was written and kept."""
    if directory.exists() and not directory.is_dir():
        raise InitError(f"{directory} exists and is not a folder")
    if directory.is_dir() and any(directory.iterdir()):
        if not force:
            raise InitError(f"{directory} already exists and is not empty; add --force to create the site in it anyway")
        existing = [name for name in CONFIG_NAMES if (directory / name).exists()]
        if existing:
            raise InitError(f"{directory} is already a site: it has {existing[0]}")
    files = {
        directory / "studysite.toml": config_text(language),
        directory / "content" / f"{file_name_for(SAMPLES[language].title)}.md": sample_lesson_text(language),
        directory / ".gitignore": GITIGNORE,
    }
    result = InitResult()
    umask = os.umask(0)
    os.umask(umask)
    try:
        for path, text in files.items():
            if path.exists():
                result.kept.append(path)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text, mode=0o666 & ~umask)  # as a plain open() would
            result.created.append(path)
    except OSError as error:
        raise InitError(f"cannot write {error.filename or directory}: {error.strerror}") from None
    return result
