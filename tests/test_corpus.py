"""Every lesson of the real corpus parses into the right sections, questions and answers."""

import csv

import pytest

from generator.content.lesson import parse_lesson
from generator.content.markdown import create_markdown
from helpers import CORPUS, answer_html, corpus_files

# The heading → kind table of DESIGN.md §2, written out independently of the parser.
DESIGN_KINDS = {
    "習題預習": "preview", "习题预习": "preview", "Preview": "preview",
    "說明知識": "explanation", "说明知识": "explanation", "Explain": "explanation",
    "條列重點": "keypoints", "彙總重點": "keypoints", "条列重点": "keypoints", "汇总重点": "keypoints",
    "Keypoint": "keypoints",
    "知識測驗": "test", "知识测验": "test", "Review": "test",
    "網路資料": "references", "网络数据": "references", "Related webpage": "references",
}  # fmt: skip

CORPUS_NAMES = [path.name for path in corpus_files()] or [
    pytest.param("absent", marks=pytest.mark.skip(reason=f"the lesson corpus is not beside the project ({CORPUS})"))
]


def manifest() -> dict[str, dict[str, str]]:
    with open(CORPUS / "manifest.tsv", encoding="utf-8", newline="") as handle:
        return {row["filename"]: row for row in csv.DictReader(handle, delimiter="\t")}


@pytest.fixture(scope="module")
def md():
    return create_markdown()


def parse(name: str, md):
    path = CORPUS / name
    lesson, problems = parse_lesson(f"content/{name}", name, path.read_bytes(), md)
    assert problems == []
    return lesson


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_sections_kinds_and_questions(name, md, corpus_dir):
    row = manifest()[name]
    lesson = parse(name, md)
    headings = [h.strip() for h in row["sections"].split("|")]
    assert [s.heading for s in lesson.sections] == headings
    assert [s.kind for s in lesson.sections] == [DESIGN_KINDS[h] for h in headings]
    assert lesson.title == (row["title"] or name.removesuffix(".md"))
    assert len(lesson.questions("preview")) == 5
    tests = lesson.questions("test")
    assert [q.number for q in tests] == [1, 2, 3, 4, 5]
    for index, question in enumerate(tests):
        assert question.source, f"question {question.number} has no text"
        assert question.answer_source, f"question {question.number} has no answer"
        for marker in ("答案：", "Answer:", "答：", "解答："):
            assert not question.source.endswith(marker)
        if index + 1 < len(tests):
            # An answer stops where the next question starts.
            assert tests[index + 1].source not in question.answer_source
    for section in lesson.sections:
        assert section.prompt, f"section {section.heading} lost its prompt"


# (file, question number, text in the question, text in its answer): one per layout.
ANSWERS = [
    ("001-docker.md", 1, "如何查看Docker容器的日誌", "使用“docker logs”命令"),
    ("022-loss-function.md", 1, "L1 Loss Function與L2 Loss Function的差異", "L1 Loss Function是絕對誤差"),
    ("004-query-optimization.md", 4, "出現最多次的type", "LIMIT 1;"),
    ("029-android-layouts.md", 1, "曼哈頓距離", "geeksforgeeks.org/print-a-given-matrix-in-spiral-form"),
    ("029-android-layouts.md", 5, "兩個最遠的1之間的曼哈頓距離", "leetcode.com/problems/as-far-from-land-as-possible/"),
    ("062-generator.md", 1, "斐波那契", "def fibonacci(n):"),
    ("062-generator.md", 5, "随机位置交换", "random.shuffle(l)"),
    ("046-js-module.md", 2, "How do you import a module", "To import a module in JavaScript"),
    ("074-active-directory.md", 2, "启用Active Directory中的组策略", "a. 打开组策略管理器"),
    ("074-active-directory.md", 3, "创建新的组织单位", "New-ADOrganizationalUnit"),
    ("040-sass.md", 1, "Mixin", "@mixin box-shadow($shadow...)"),
    ("077-graph-traversal.md", 3, "Prim's algorithm", "以任意一個節點作為起點"),
    ("078-facade-pattern.md", 2, "What problem does the Facade Pattern solve?", "simplifies the access"),
    ("079-prims-algorithm-en.md", 3, "time complexity", "O(E log V)"),
    ("080-microservice-design-patterns.md", 3, "降低延遲", "CQRS Pattern"),
    ("049-avl-tree.md", 5, "height of an AVL tree", "O(log n)"),
    ("010-shard.md", 1, "兩個列表中共同出現的最小值", "SELECT MIN(shard1.val) FROM shard1 JOIN shard2"),
]


@pytest.mark.parametrize(("name", "number", "question_text", "answer_text"), ANSWERS)
def test_answer_layouts(name, number, question_text, answer_text, md, corpus_dir):
    assert question_text and answer_text, "a row that expects nothing cannot fail"
    lesson = parse(name, md)
    question = lesson.questions("test")[number - 1]
    assert question.number == number
    assert question_text in question.source
    assert answer_text in question.answer_source
    assert not question.answer_source.startswith(("答案", "答：", "Answer", "A:", "Ans", "解答"))


def test_code_fence_in_answer_is_highlighted(md, corpus_dir):
    lesson = parse("002-sorting-algorithms.md", md)
    answer = answer_html(lesson.questions("test")[0])
    assert '<pre class="highlight"><code class="language-python">' in answer
    assert "quickSortInPlace" in answer


def test_loss_lesson_prompts_and_kinds(md, corpus_dir):
    lesson = parse("022-loss-function.md", md)
    assert [s.prompt for s in lesson.sections] == [
        "給我5題Loss Function的中文問題",
        "以中文說明Loss Function並舉例",
        "以中文條列Loss Function的重點",
        "以中文給我5題Loss Function的中等難度問題，並在後面列出答案",
    ]
    assert lesson.lang == "zh-TW"
