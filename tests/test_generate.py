"""`studysite generate`: a workzone (config.yaml, input.md, translation.json, cache/) into
lessons, asking a real OpenAI-compatible endpoint (our own, on 127.0.0.1) through the
official openai client only for what is not cached."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from assistant_server import AssistantServer, Reply, answer_for
from helpers import REPO, run_cli, tree_snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "workzone"
MODEL = "test-model-1"
ROLE = "假設你是機器學習專家，回答我問題"
ALL = ["preview", "explain", "keypoint", "test"]
HEADINGS = {"preview": "習題預習", "explain": "說明知識", "keypoint": "條列重點", "test": "知識測驗"}
TEMPLATES = {
    "preview": "給我5題{}的中文問題",
    "explain": "以中文說明{}並舉例",
    "keypoint": "以中文條列{}的重點",
    "test": "以中文給我5題{}的中等難度問題，並在後面列出答案",
}
LESSONS = {  # the fixture's lessons: title (translation.json, else the topic), weight, questions (include/exclude)
    "AI/AI.md": ("人工智慧", 1, ["preview", "explain", "keypoint"]),
    "AI/Machine Learning/Machine Learning.md": ("機器學習 (ML)", 1, ALL),
    "AI/Machine Learning/Supervised Learning.md": ("監督式學習", 1, ALL),
    "AI/Machine Learning/Unsupervised Learning.md": ("Unsupervised Learning", 2, ALL),
    "AI/Reinforcement Learning/Reinforcement Learning.md": ("強化學習", 2, ["preview", "explain"]),
    "AI/Reinforcement Learning/Q-Learning.md": ("Q-Learning", 1, ["preview", "explain"]),
    "AI/Search.md": ("Search", 3, ["preview", "explain", "keypoint"]),
    "Statistics.md": ("Statistics", 2, ["preview", "explain", "keypoint"]),
}
CACHED_IN_FIXTURE = "AI/AI_preview.md"


def sections():
    """(lesson, key, prompt, cache path) of every section of the fixture."""
    for lesson, (_, _, keys) in LESSONS.items():
        topic = Path(lesson).stem
        for key in keys:
            yield lesson, key, TEMPLATES[key].format(topic), f"{lesson[:-3]}_{key}.md"


def stored(prompt: str) -> bytes:
    """What the cache holds for an answer of the test server: as sent, spaces trimmed."""
    return ("\n\n" + answer_for(prompt)).encode("utf-8")


def expected_lesson(lesson: str, cache: Path) -> bytes:
    title, weight, keys = LESSONS[lesson]
    text = f'+++\ntitle = "{title}"\nweight = "{weight}"\n+++\n'.encode()
    for key in keys:
        prompt = TEMPLATES[key].format(Path(lesson).stem)
        answer = (cache / f"{lesson[:-3]}_{key}.md").read_bytes()
        text += f"## {HEADINGS[key]}\n{{{{< ask_chatgpt >}}}}\n{prompt}\n{{{{< /ask_chatgpt >}}}}\n\n".encode() + answer + b"   \n\n"
    return text


@pytest.fixture
def workzone(tmp_path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "wz"))


@pytest.fixture
def server(monkeypatch):
    with AssistantServer() as running:
        monkeypatch.setenv("OPENAI_BASE_URL", running.base_url)
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        yield running


def lesson_files(out: Path) -> dict[str, bytes]:
    return {path: data for path, data in tree_snapshot(out).items() if not path.startswith(".")}


def test_generate_asks_what_is_not_cached_and_writes_the_aidocx_lessons(workzone, server):
    fixture_answer = (workzone / "cache" / CACHED_IN_FIXTURE).read_bytes()
    result = run_cli("generate", workzone)
    assert result.code == 0, result.err

    expected_prompts = sorted(prompt for _, _, prompt, cache in sections() if cache != CACHED_IN_FIXTURE)
    assert sorted(server.prompts()) == expected_prompts  # each once, the cached one never
    assert {request.model for request in server.requests} == {MODEL}
    assert all(request.system == ROLE and len(request.messages) == 2 for request in server.requests)

    cache = workzone / "cache"
    assert sorted(p for p in tree_snapshot(cache) if p != ".lock") == sorted(cache for _, _, _, cache in sections())
    for _, _, prompt, relative in sections():
        expected = fixture_answer if relative == CACHED_IN_FIXTURE else stored(prompt)
        assert (cache / relative).read_bytes() == expected, relative

    out = workzone / "output"
    assert lesson_files(out) == {lesson: expected_lesson(lesson, cache) for lesson in LESSONS}
    sent = [(len(r.prompt), len(f"\n\n{answer_for(r.prompt)} ")) for r in server.requests]
    prompt_tokens, completion_tokens = sum(p for p, _ in sent), sum(c for _, c in sent)
    assert result.out.splitlines() == [
        f"studysite: 8 lessons written, 0 unchanged in {out}",
        f"studysite: 1 answer from the cache, 24 asked, 0 failed; 24 requests, "
        f"{prompt_tokens + completion_tokens:,} tokens ({prompt_tokens:,} prompt + {completion_tokens:,} completion)",
    ]
    assert result.err.splitlines()[-1] == "studysite: 25/25 answers (cached 1, asked 24, failed 0)"

    again = run_cli("generate", workzone)
    assert again.code == 0 and len(server.requests) == 24
    assert again.out.splitlines()[0] == f"studysite: 0 lessons written, 8 unchanged in {out}"


def test_generated_lessons_build_and_pass_check(workzone, server, tmp_path):
    site = tmp_path / "site"
    assert run_cli("generate", workzone, "-o", site / "content").code == 0
    build = run_cli("build", site)
    assert build.code == 0, build.err
    assert (site / "public/ai/machine-learning/supervised-learning/index.html").is_file()
    check = run_cli("check", site)
    assert check.code == 0 and not check.error_lines, check.out


PUBLISHED = re.compile(r'\+\+\+\ntitle = "(?P<title>[^"\\]*)"\nweight = "(?P<weight>\d+)"\n\+\+\+\n(?P<body>.*)\Z', re.S)
SECTION = re.compile(
    r"## (?P<heading>[^\n]*)\n\{\{< ask_chatgpt >\}\}\n(?P<prompt>[^\n]*)\n\{\{< /ask_chatgpt >\}\}\n\n(?P<answer>.*?)   \n\n(?=## |\Z)",
    re.S,
)


def test_offline_rewrites_published_lessons_byte_for_byte(corpus_dir, tmp_path):
    """Every corpus lesson in the aidocx format, turned back into a workzone (its prompts
    as templates, its answers as the cache, its title as a translation, its weight as
    its place in the catalogue), comes out of `generate --offline` unchanged."""
    checked = 0
    for path in sorted(corpus_dir.glob("0*.md")):
        published = path.read_bytes()
        match = PUBLISHED.match(published.decode("utf-8"))
        if not match:
            continue
        parts = list(SECTION.finditer(match["body"]))
        if "".join(part[0] for part in parts) != match["body"]:
            continue
        zone = tmp_path / path.stem
        topic = "Topic"
        questions = "".join(
            f"  - key: q{n}\n    desc: {json.dumps(part['heading'], ensure_ascii=False)}\n    template: {json.dumps(part['prompt'], ensure_ascii=False)}\n"
            for n, part in enumerate(parts)
        )
        (zone / "cache").mkdir(parents=True)
        (zone / "config.yaml").write_text(f"apiModal: m\nquestions:\n{questions}", encoding="utf-8")
        siblings = [f"- Earlier {n}\n" for n in range(1, int(match["weight"]))]
        (zone / "input.md").write_text("".join(siblings) + f"- {topic}\n", encoding="utf-8")
        (zone / "translation.json").write_text(json.dumps({topic: match["title"]}), encoding="utf-8")
        for n, part in enumerate(parts):
            (zone / "cache" / f"{topic}_q{n}.md").write_text(part["answer"], encoding="utf-8")
        result = run_cli("generate", zone, "--offline", "--only", topic)
        assert result.code == 0, (path.name, result.err)
        assert (zone / "output" / f"{topic}.md").read_bytes() == published, path.name
        checked += 1
    assert checked >= 30  # 37 of the 54 corpus lessons are exactly in this format


def test_offline_sends_nothing_lists_what_is_missing_and_writes_the_complete_lessons(workzone, server):
    result = run_cli("generate", workzone, "--offline")
    assert result.code == 1
    assert server.requests == []
    missing = sorted(line for line in result.err.splitlines() if line.endswith(": missing"))
    assert missing == sorted(f"{workzone / 'cache' / cache}: missing" for _, _, _, cache in sections() if cache != CACHED_IN_FIXTURE)
    assert lesson_files(workzone / "output") == {}
    assert "studysite: 1 answer from the cache, 24 missing" in result.out

    for _, _, prompt, cache in sections():
        if cache.startswith("AI/Machine Learning/") or cache.startswith("Statistics"):
            (workzone / "cache" / cache).parent.mkdir(parents=True, exist_ok=True)
            (workzone / "cache" / cache).write_bytes(stored(prompt))
    result = run_cli("generate", workzone, "--offline")
    assert result.code == 1 and server.requests == []
    assert sorted(lesson_files(workzone / "output")) == sorted(
        lesson for lesson in LESSONS if lesson.startswith("AI/Machine Learning/") or lesson == "Statistics.md"
    )
    assert f"studysite: 4 lessons written, 0 unchanged, 4 incomplete in {workzone / 'output'}" in result.out


def test_dry_run_counts_and_shows_what_would_be_asked_and_sends_and_writes_nothing(workzone, server):
    before = tree_snapshot(workzone)
    result = run_cli("generate", workzone, "--dry-run")
    assert result.code == 0, result.err
    assert server.requests == []
    assert tree_snapshot(workzone) == before
    lines = result.out.splitlines()
    assert lines[:5] == [
        "studysite: 8 lessons, 25 answers: 1 cached, 24 to ask",
        "  preview: 7 to ask",
        "  explain: 8 to ask",
        "  keypoint: 6 to ask",
        "  test: 3 to ask",
    ]
    assert lines[5] == f"first prompts, for {MODEL}:"
    assert lines[6] == f"  {workzone / 'cache/AI/AI_explain.md'}: '以中文說明AI並舉例'"
    assert len(lines) == 12 and lines[-1] == "studysite: dry run; nothing was sent or written"


def test_only_selects_topics_by_their_path(workzone, server):
    result = run_cli("generate", workzone, "--only", "AI/Reinforcement Learning/**", "--only", "Statistics")
    assert result.code == 0, result.err
    assert sorted(lesson_files(workzone / "output")) == [
        "AI/Reinforcement Learning/Q-Learning.md",
        "AI/Reinforcement Learning/Reinforcement Learning.md",
        "Statistics.md",
    ]
    assert len(server.requests) == 7
    result = run_cli("generate", workzone, "--only", "Machine Learning/**")
    assert result.code == 2 and f"--only 'Machine Learning/**' matches no topic of {workzone / 'input.md'}" in result.err


def test_generate_works_when_called_inside_a_running_event_loop(workzone, server):
    import asyncio
    import threading

    async def from_a_notebook():
        return run_cli("generate", workzone)

    results = []  # on a thread of its own: this test session may already be inside Playwright's loop
    notebook = threading.Thread(target=lambda: results.append(asyncio.run(from_a_notebook())))
    notebook.start()
    notebook.join()
    assert results and results[0].code == 0, results
    assert len(server.requests) == 24


def test_requests_overlap_up_to_jobs(workzone, server):
    server.gate = 3  # answers wait until three requests are in flight at once
    assert run_cli("generate", workzone, "--jobs", "3").code == 0
    assert server.most_in_flight == 3


def test_429_and_500_are_retried_honouring_retry_after_and_an_empty_answer_is_not_cached(workzone, server):
    busy, broken, empty = "以中文說明AI並舉例", "給我5題Statistics的中文問題", "以中文條列Search的重點"
    server.script(busy, Reply(429, {"Retry-After": "0"}), Reply(429, {"retry-after-ms": "30"}))
    server.script(broken, Reply(500))
    server.script(empty, Reply(content=""), Reply(content="   "))
    result = run_cli("generate", workzone)
    assert result.code == 0, result.err
    assert server.prompts().count(busy) == 3
    assert server.prompts().count(broken) == 2
    assert server.prompts().count(empty) == 3
    for prompt, cache in ((busy, "AI/AI_explain.md"), (broken, "Statistics_preview.md"), (empty, "AI/Search_keypoint.md")):
        assert (workzone / "cache" / cache).read_bytes() == stored(prompt)
    assert "24 asked, 0 failed; 29 requests" in result.out


def test_a_request_slower_than_the_timeout_is_asked_again(workzone, server):
    (workzone / "studysite.toml").write_text("[assistant]\ntimeout = 0.5\n", encoding="utf-8")
    slow = "以中文條列Statistics的重點"
    server.script(slow, Reply(delay=3))
    result = run_cli("generate", workzone)
    assert result.code == 0, result.err
    assert server.prompts().count(slow) >= 2
    assert (workzone / "cache/Statistics_keypoint.md").read_bytes() == stored(slow)


def test_ctrl_c_keeps_what_arrived_and_says_so(workzone):
    with AssistantServer(delay=0.2) as server:
        env = {**os.environ, "OPENAI_BASE_URL": server.base_url}
        process = subprocess.Popen([sys.executable, "-m", "generator", "generate", "--jobs", "2", str(workzone)],
                                   cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while len(list((workzone / "cache").rglob("*.md"))) < 6:
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    received = int(re.search(r"studysite: interrupted; the (\d+) answers received are in ", err)[1])
    assert received == len(list((workzone / "cache").rglob("*.md"))) - 1 >= 5
    assert "Traceback" not in err
    assert not [path for path in tree_snapshot(workzone) if path.endswith(".tmp")]


def test_a_prompt_that_keeps_failing_is_reported_and_its_lesson_not_written(workzone, server):
    prompt = "以中文說明Search並舉例"
    server.script(prompt, *[Reply(503, {"retry-after-ms": "1"})] * 6, Reply())
    result = run_cli("generate", workzone)
    assert result.code == 1
    assert server.prompts().count(prompt) == 6  # our six attempts; the client's own retries are off
    assert f"{workzone / 'cache/AI/Search_explain.md'}: failed: HTTP 503: server error (6 attempts)" in result.err
    assert not (workzone / "cache/AI/Search_explain.md").exists()
    assert "AI/Search.md" not in lesson_files(workzone / "output")
    assert "7 lessons written, 0 unchanged, 1 incomplete" in result.out
    assert run_cli("generate", workzone).code == 0
    assert server.prompts().count(prompt) == 7 and len(server.requests) == 30


def test_a_refused_prompt_is_not_asked_again_and_the_server_says_why(workzone, server):
    prompt = "以中文說明Statistics並舉例"
    server.script(prompt, Reply(400, body={"error": {"message": "This prompt is too long."}}))
    result = run_cli("generate", workzone)
    assert result.code == 1
    assert server.prompts().count(prompt) == 1
    assert f"{workzone / 'cache/Statistics_explain.md'}: failed: HTTP 400: the request was refused (This prompt is too long.)" in result.err


def test_a_refused_key_stops_the_run_and_is_never_shown(workzone, server, monkeypatch, tmp_path):
    key = "sk-test-DoNotLeak-0123456789abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    server.every_reply = Reply(401, body={"error": {"message": f"Incorrect API key provided: {key[:8]}***{key[-4:]}", "code": "invalid_api_key"}})
    result = run_cli("generate", workzone)
    assert result.code == 1
    assert f"studysite: error: the assistant at {server.base_url} stopped the run: HTTP 401: the key was refused" in result.err
    assert 1 <= len(server.requests) <= 4 and {r.authorization for r in server.requests} == {f"Bearer {key}"}
    shown = result.out + result.err
    assert key not in shown and key[-4:] not in shown
    assert not any(key[-8:].encode() in data for data in tree_snapshot(tmp_path).values())


def test_keys_never_reach_a_file_or_the_output(workzone, tmp_path):
    key = "sk-test-NeverWritten-9f8e7d6c5b4a"
    with AssistantServer() as server:
        env = {**os.environ, "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": key}
        completed = subprocess.run([sys.executable, "-m", "generator", "generate", str(workzone)],
                                   capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert {r.authorization for r in server.requests} == {f"Bearer {key}"}
    assert key not in completed.stdout + completed.stderr
    assert not any(key.encode() in data for data in tree_snapshot(tmp_path).values())


def test_hand_edits_are_kept_and_reported_until_force(workzone, server):
    out = workzone / "output"
    assert run_cli("generate", workzone).code == 0
    edited = out / "AI/Search.md"
    edited.write_bytes(edited.read_bytes() + "我的筆記\n".encode())
    untouched = out / "AI/AI.md"
    stamp = untouched.stat().st_mtime_ns
    translations = json.loads((workzone / "translation.json").read_text(encoding="utf-8"))
    translations.update({"Search": "搜尋", "Statistics": "統計"})
    (workzone / "translation.json").write_text(json.dumps(translations, ensure_ascii=False), encoding="utf-8")

    result = run_cli("generate", workzone)
    assert result.code == 1
    assert f"{out / 'AI/Search.md'}: kept: it was edited after generate wrote it (--force replaces it)" in result.err
    assert edited.read_text(encoding="utf-8").endswith("我的筆記\n") and 'title = "Search"' in edited.read_text(encoding="utf-8")
    assert 'title = "統計"' in (out / "Statistics.md").read_text(encoding="utf-8")
    assert untouched.stat().st_mtime_ns == stamp
    assert f"studysite: 1 lesson written, 6 unchanged, 1 kept (edited by hand) in {out}" in result.out

    again = run_cli("generate", workzone)
    assert again.code == 1 and "AI/Search.md: kept" in again.err  # still its edit, still kept

    forced = run_cli("generate", workzone, "--force")
    assert forced.code == 0
    assert 'title = "搜尋"' in edited.read_text(encoding="utf-8") and "我的筆記" not in edited.read_text(encoding="utf-8")
    assert len(server.requests) == 24


def test_a_lesson_generate_did_not_write_is_not_overwritten(workzone, server):
    mine = workzone / "output" / "Statistics.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("+++\ntitle = \"我的統計\"\n+++\n", encoding="utf-8")
    result = run_cli("generate", workzone)
    assert result.code == 1 and f"{mine}: kept" in result.err
    assert mine.read_text(encoding="utf-8") == "+++\ntitle = \"我的統計\"\n+++\n"


def test_lessons_of_topics_taken_out_of_the_catalogue_are_removed_unless_edited(workzone, server):
    out = workzone / "output"
    assert run_cli("generate", workzone).code == 0
    (out / "AI/Search.md").write_text("edited", encoding="utf-8")
    catalogue = (workzone / "input.md").read_text(encoding="utf-8")
    (workzone / "input.md").write_text(catalogue.replace("  - Reinforcement Learning\n    - Q-Learning\n", "").replace("  - Search\n", ""), encoding="utf-8")
    result = run_cli("generate", workzone)
    assert not (out / "AI/Reinforcement Learning").exists()
    assert (out / "AI/Search.md").read_text(encoding="utf-8") == "edited"
    assert result.code == 1 and "2 removed (no longer in the catalogue), 1 kept (edited by hand)" in result.out
    assert f"{out / 'AI/Search.md'}: kept: its topic left the catalogue, but it was edited (--force removes it)" in result.err
    assert run_cli("generate", workzone, "--force").code == 0
    assert not (out / "AI/Search.md").exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("config.yaml", "apiModal: m\nquestions:\n  - key: a\n    desc: b\n   template: c\n"),
         ["wz/config.yaml:5: error: invalid YAML: expected <block end>, but found '<block mapping start>'"]),
        (("config.yaml", "apiModal: m\nquestions:\n  - key: a\n    desc: b\n    template: 給我{{ .keyword\n"),
         ["wz/config.yaml:5: error: template of 'a': unclosed action: '{{' without '}}' (column 3)"]),
        (("config.yaml", "questions:\n  - key: a\n    desc: b\n    template: 說明{{ .Keyword }}\n  - key: a\n    desc: c\n    template: d\n  - desc: e\n"),
         ["wz/config.yaml:4: error: template of 'a': unknown field .Keyword: the only field is .keyword (column 3)",
          "wz/config.yaml:5: error: question key 'a' is used twice (first on line 2)",
          "wz/config.yaml:8: error: question 3: needs key, template"]),
        (("config.yaml", "questions: []\n"), ["wz/config.yaml:1: error: questions: expected a list of questions, each with key, desc and template"]),
        (("input.md", "- AI\n    - Search\n  - Games\n"),
         ["wz/input.md:3: error: inconsistent indentation: 2 spaces, but the topics before it at this level have 4"]),
        (("input.md", "- Networks\n  - TCP/IP\n  - Note: x\n"),
         ["wz/input.md:2: error: topic 'TCP/IP' cannot be a file name: it contains '/'",
          "wz/input.md:3: error: topic 'Note: x' cannot be a file name: it contains ':'"]),
        (("input.md", "- Search\n- AI\n  - Search\n  - AI\n- search\n"),
         ["wz/input.md:4: error: topic 'AI' would be the same file as the page of its folder 'AI' (line 2); rename one of them",
          "wz/input.md:5: error: topic 'search' appears twice at this level (first on line 1)"]),
        (("translation.json", '{"AI": "人工智慧",\n "Search": }\n'), ["wz/translation.json:2: error: invalid JSON: Expecting value"]),
    ],
)
def test_bad_input_is_reported_at_its_line_before_anything_is_sent_or_written(workzone, server, change, expected):
    name, text = change
    (workzone / name).write_text(text, encoding="utf-8")
    before = tree_snapshot(workzone)
    result = run_cli("generate", "wz", cwd=workzone.parent)
    assert result.code == 1
    assert result.error_lines == expected
    assert server.requests == []
    assert tree_snapshot(workzone) == before


def test_a_site_question_list_and_an_outline_need_no_yaml(make_site, server):
    site = make_site(
        {
            "content/.keep": "",
            "outline.md": "- Queues\n  - Ring Buffer\n",
            "studysite.toml": '[assistant]\nmodel = "local-model"\nrole = "You teach computing."\n\n'
            '[[questions.en]]\nkind = "preview"\nheading = "Preview"\nprompt = "give me five question about {keyword}"\n'
            '[[questions.en]]\nkind = "test"\nheading = "Review"\nprompt = "Quiz me on {keyword}, with answers"\n',
        }
    )
    result = run_cli("generate", site, "--outline", site / "outline.md", "--lang", "en")
    assert result.code == 0, result.err
    assert sorted(server.prompts()) == sorted(
        ["give me five question about Queues", "Quiz me on Queues, with answers",
         "give me five question about Ring Buffer", "Quiz me on Ring Buffer, with answers"]
    )
    assert {(r.model, r.system) for r in server.requests} == {("local-model", "You teach computing.")}
    assert sorted(tree_snapshot(site / "cache")) == [".lock", "Queues/Queues_preview.md", "Queues/Queues_test.md",
                                                     "Queues/Ring Buffer_preview.md", "Queues/Ring Buffer_test.md"]
    lesson = (site / "content/Queues/Ring Buffer.md").read_text(encoding="utf-8")
    assert lesson.startswith('+++\ntitle = "Ring Buffer"\nweight = "1"\n+++\n## Preview\n{{< ask_chatgpt >}}\ngive me five question about Ring Buffer\n')
    assert run_cli("check", site).code == 0


def test_asking_without_a_model_or_an_endpoint_is_a_usage_error(workzone, server, monkeypatch):
    (workzone / "config.yaml").write_text((FIXTURE / "config.yaml").read_text(encoding="utf-8").replace("apiModal: test-model-1\n", ""), encoding="utf-8")
    result = run_cli("generate", workzone)
    assert result.code == 2 and "studysite: error: no model: give --model M" in result.err
    assert run_cli("generate", workzone, "--model", "other").code == 0
    assert {r.model for r in server.requests} == {"other"}
    monkeypatch.delenv("OPENAI_BASE_URL")
    (workzone / "cache/AI/AI_explain.md").unlink()
    result = run_cli("generate", workzone, "--model", "other")
    assert result.code == 2 and "no API key: set OPENAI_API_KEY" in result.err


def test_an_output_that_cannot_be_written_is_one_error_line(workzone, server, tmp_path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder", encoding="utf-8")
    result = run_cli("generate", workzone, "-o", blocked)
    assert (result.code, result.err) == (2, f"studysite: error: {blocked} is not a folder\n")
    assert server.requests == []
    (workzone / "output").mkdir()
    (workzone / "output/AI").write_text("a file where a folder goes", encoding="utf-8")
    result = run_cli("generate", workzone)
    assert result.code == 2
    assert result.err.splitlines()[-1] == f"studysite: error: cannot use {workzone / 'output/AI'}: File exists"
    assert "Traceback" not in result.err


def test_a_title_with_quotes_stays_valid_toml(workzone, server):
    import tomllib

    (workzone / "translation.json").write_text(json.dumps({"Statistics": 'The "C:\\" drive'}), encoding="utf-8")
    assert run_cli("generate", workzone).code == 0
    front_matter = (workzone / "output/Statistics.md").read_text(encoding="utf-8").split("+++\n")[1]
    assert tomllib.loads(front_matter) == {"title": 'The "C:\\" drive', "weight": "2"}


def test_one_run_at_a_time_per_workzone(workzone, server):
    (workzone / "cache/.lock").touch()
    with open(workzone / "cache/.lock") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run_cli("generate", workzone)
    assert (result.code, result.err) == (2, f"studysite: error: another studysite generate is running on {workzone}\n")
    assert server.requests == [] and not (workzone / "output").exists()


def test_the_rest_of_studysite_never_imports_openai(workzone, tmp_path):
    code = (
        "import sys\nfrom generator.cli import main\n"
        f"main(['generate', {str(workzone)!r}, '--offline'])\n"
        f"main(['new', '--outline', {str(workzone / 'input.md')!r}, '--site', {str(tmp_path / 'site')!r}])\n"
        f"main(['build', {str(tmp_path / 'site')!r}])\n"
        "print('openai' in sys.modules, 'generator.generate.assistant' in sys.modules)\n"
    )
    (tmp_path / "site/content").mkdir(parents=True)
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert completed.stdout.splitlines()[-1] == "False False", completed.stderr


def test_a_run_killed_halfway_resumes_without_asking_again_and_ends_byte_identical(tmp_path, monkeypatch):
    """SIGKILL while answers arrive, then run again: no answer that was cached is asked
    again, no file is truncated or left half-written, and the result is byte for byte
    that of a run never interrupted."""
    killed = Path(shutil.copytree(FIXTURE, tmp_path / "killed"))
    calm = Path(shutil.copytree(FIXTURE, tmp_path / "calm"))
    prompts = {cache: prompt for _, _, prompt, cache in sections()}
    with AssistantServer(delay=0.1) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "generate", "--jobs", "2", str(killed)],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        answers = lambda: [p for p in tree_snapshot(killed / "cache") if p.endswith(".md") and p != CACHED_IN_FIXTURE]  # noqa: E731
        deadline = time.monotonic() + 120
        while len(answers()) < 10:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "no answers arrived"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stderr.close()
        cached_at_kill = set(answers())
        assert len(cached_at_kill) < 24
        for relative in cached_at_kill:
            assert (killed / "cache" / relative).read_bytes() == stored(prompts[relative]), relative
        asked_before = len(server.requests)

        server.delay = 0
        assert run_cli("generate", killed).code == 0
        asked_again = set(server.prompts()[asked_before:])
        assert asked_again and not asked_again & {prompts[relative] for relative in cached_at_kill}
        assert run_cli("generate", calm).code == 0
    assert tree_snapshot(killed) == tree_snapshot(calm)
    assert not [path for path in tree_snapshot(killed) if path.endswith(".tmp")]


def test_a_terminal_gets_a_progress_bar(workzone):
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 160, 0, 0))  # a 160-column terminal
    with AssistantServer() as server:
        env = {**os.environ, "OPENAI_BASE_URL": server.base_url}
        process = subprocess.Popen([sys.executable, "-m", "generator", "generate", str(workzone)],
                                   cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=secondary)
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the terminal closes when the process ends
                break
            if not chunk:
                break
            shown += chunk
        os.close(primary)
        assert process.wait(timeout=120) == 0
    screen = shown.decode("utf-8", "replace")
    assert "25/25" in screen and "answer/s" in screen and "cached 1, asked 24, failed 0" in screen


@pytest.mark.parametrize(
    ("pattern", "matches", "misses"),
    [
        ("AI/Machine Learning/**", ["AI/Machine Learning", "AI/Machine Learning/Deep/Nets"], ["AI", "AI/Machine Learning 2"]),
        ("**/Reinforcement*", ["Reinforcement Learning", "AI/Reinforcement Learning"], ["AI/Reinforcement Learning/Q", "AI"]),
        ("AI/*", ["AI/Search", "AI/"], ["AI/Machine Learning/X", "AI"]),
        ("**", ["", "AI", "AI/X/Y"], []),
        ("C++ (old)/**", ["C++ (old)", "C++ (old)/x"], ["C (old)"]),
    ],
)
def test_folder_patterns(pattern, matches, misses):
    from generator.generate.workzone import compile_glob

    regex = compile_glob(pattern)
    assert [folder for folder in matches if regex.fullmatch(folder)] == matches
    assert [folder for folder in misses if regex.fullmatch(folder)] == []


@pytest.mark.parametrize(
    ("template", "filled"),
    [
        ("給我5題{{ .keyword}}的中文問題", "給我5題Loss Function的中文問題"),
        ("{{.keyword}} and {{  .keyword  }}", "Loss Function and Loss Function"),
        ("Explain  {{- .keyword -}}  now", "ExplainLoss Functionnow"),
        ("{{/* a note */}}About {{ .keyword }}}}", "About Loss Function}}"),
    ],
)
def test_go_templates_fill_like_go(template, filled):
    from generator.generate.gotemplate import parse

    assert parse(template).fill("Loss Function") == filled


@pytest.mark.parametrize(
    ("template", "message", "column"),
    [
        ("about {{ .keyword", "unclosed action: '{{' without '}}'", 7),
        ("{{ }}", "empty action '{{ }}'", 1),
        ("x {{ printf \"%s\" .keyword }}", 'unsupported action {{ printf "%s" .keyword }}: only {{ .keyword }} is filled in', 3),
        ("{{ .Title }}", "unknown field .Title: the only field is .keyword", 1),
    ],
)
def test_go_templates_that_would_not_fill_are_refused_with_their_column(template, message, column):
    from generator.generate.gotemplate import TemplateError, parse

    with pytest.raises(TemplateError) as caught:
        parse(template)
    assert (str(caught.value), caught.value.column) == (message, column)


def test_retry_after_headers():
    from generator.generate.assistant import LONGEST_RETRY_AFTER, retry_after

    assert retry_after({"retry-after": "3"}) == 3.0
    assert retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after({"retry-after": "86400"}) == LONGEST_RETRY_AFTER
    assert retry_after({"retry-after": "soon"}) is None and retry_after({}) is None
