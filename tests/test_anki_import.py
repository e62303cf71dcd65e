"""Round trips through the real ``anki`` package (Anki's own Rust importer): an exported deck
goes into a fresh English collection and a fresh Chinese one (whose basic note type is
"问答题" with fields 正面/背面), and a later export after edits updates those notes."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from anki._backend import RustBackend
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest, ImportCsvRequest

from helpers import corpus_files, run_cli

LOSS = """+++
title = "損失函數"
tags = ["machine learning"]
+++
## 知識測驗
{{< ask_chatgpt >}}
以中文給我3題損失函數的中等難度問題，並在後面列出答案
{{< /ask_chatgpt >}}

1. MSE 的公式是什麼？
答案：$\\frac{1}{n}\\sum (y - \\hat{y})^2$

2. 用 NumPy 怎麼算，曲線長怎樣？
答案：
```python
loss = np.mean((y - p) ** 2)
```
{{< loss_curve losses="mse, mae" >}}
![殘差圖](residuals.png)

3. Huber 損失的好處？
答案：對離群值不敏感。
"""

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR not a real picture"

SITE = {
    "studysite.toml": 'title = "機器學習筆記"\n',
    "content/intro.md": "+++\ntitle = \"Intro\"\n+++\n## Review\n1. What is supervised learning?\nAnswer: learning from labels.\n",
    "content/機器學習 ML/_index.md": '+++\ntitle = "機器學習 Machine Learning"\n+++\n',
    "content/機器學習 ML/Loss Function.md": LOSS,
    "content/機器學習 ML/residuals.png": PNG,
}

LANGUAGES = {"en": ("Basic", ["Front", "Back"]), "zh_CN": ("问答题", ["正面", "背面"])}


@pytest.fixture(params=sorted(LANGUAGES))
def collection(request, tmp_path):
    """A fresh collection made by Anki in the interface language *request.param*, and that
    language."""
    col = Collection(str(tmp_path / f"{request.param}.anki2"), backend=RustBackend(langs=[request.param]))
    basic, fields = LANGUAGES[request.param]
    assert [f["name"] for f in col.models.by_name(basic)["flds"]] == fields
    yield col, request.param
    col.close()


def export(site: Path, name: str = "deck.apkg") -> Path:
    result = run_cli("export-anki", site, "-o", site / name)
    assert result.code == 0, result.err
    return site / name


def import_package(col: Collection, path: Path):
    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    return col.import_anki_package(request).log


def notes(col: Collection) -> dict[str, dict]:
    """Question → what Anki holds for its note."""
    found = {}
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        found[note.fields[0]] = {
            "type": note.note_type()["name"],
            "fields": dict(note.items()),
            "guid": note.guid,
            "tags": note.tags,
            "decks": sorted(col.decks.name(card.did) for card in note.cards()),
        }
    return found


def edit_intro(site: Path) -> None:
    lesson = site / "content/intro.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("learning from labels", "learning from labelled examples"), encoding="utf-8")


def package_guids(site: Path) -> dict[str, str]:
    """Question → GUID, as the text export writes them (the two formats must agree)."""
    text = export(site, "deck.txt").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.split("\n") if not line.startswith("#"))
    return {row[0]: row[6] for row in csv.reader(io.StringIO(body), delimiter="\t") if row}


def test_a_package_imports_with_its_own_note_type_decks_tags_and_media(make_site, collection):
    collection, language = collection
    site = make_site(SITE)
    log = import_package(collection, export(site))
    assert (len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting)) == (4, 0, 0, 0)

    note_type = collection.models.by_name("studysite")
    assert [f["name"] for f in note_type["flds"]] == ["Question", "Answer", "Lesson", "Source"]
    assert "text-align: left" in note_type["css"] and "overflow-x: auto" in note_type["css"]
    assert ".nightMode pre" in note_type["css"]
    basic, fields = LANGUAGES[language]
    assert [f["name"] for f in collection.models.by_name(basic)["flds"]] == fields  # untouched

    found = notes(collection)
    assert {question: note["guid"] for question, note in found.items()} == package_guids(site)
    assert found["What is supervised learning?"]["decks"] == ["機器學習筆記"]
    formula = found["MSE 的公式是什麼？"]
    assert formula["type"] == "studysite"
    assert formula["fields"] == {
        "Question": "MSE 的公式是什麼？",
        "Answer": "<p>\\(\\frac{1}{n}\\sum (y - \\hat{y})^2\\)</p>",
        "Lesson": "損失函數",
        "Source": "content/機器學習 ML/Loss Function.md",
    }
    assert formula["tags"] == ["machine_learning", "機器學習-ml", "機器學習-ml::loss-function"]
    assert formula["decks"] == ["機器學習筆記::機器學習 Machine Learning"]
    assert "Huber 損失的好處？" in found

    answer = found["用 NumPy 怎麼算，曲線長怎樣？"]["fields"]["Answer"]
    media = Path(collection.media.dir())
    images = collection.media.files_in_str(note_type["id"], answer)
    assert len(images) == 2
    plot, picture = images
    assert plot.startswith("studysite-") and plot.endswith(".svg")
    assert (media / plot).read_bytes().startswith(b"<?xml") and b"<svg" in (media / plot).read_bytes()
    assert (media / picture).read_bytes() == PNG
    assert f'<img src="{picture}" alt="殘差圖" />' in answer
    assert '<pre class="highlight"><code class="language-python">' in answer
    assert '<figcaption>' in answer


def test_importing_again_after_edits_updates_the_notes(make_site, collection):
    collection, _ = collection
    site = make_site(SITE)
    import_package(collection, export(site))
    before = notes(collection)
    note_types = collection.models.all_names_and_ids()

    lesson = site / "content/機器學習 ML/Loss Function.md"
    text = lesson.read_text(encoding="utf-8")
    text = text.replace("1. MSE 的公式", "1. 什麼是損失函數？\n答案：衡量預測與答案的差距。\n\n2. MSE 的公式")
    text = text.replace("2. 用 NumPy", "3. 用 NumPy").replace("3. Huber", "4. Huber")
    text = text.replace("對離群值不敏感。", "對離群值較不敏感，又在零附近可微。")
    lesson.write_text(text, encoding="utf-8")
    lesson.rename(lesson.with_name("Huber and friends.md"))

    log = import_package(collection, export(site))
    assert len(log.new) == 1
    assert len(log.conflicting) == 0
    after = notes(collection)
    assert len(after) == len(before) + 1
    assert after["什麼是損失函數？"]["fields"]["Answer"] == "<p>衡量預測與答案的差距。</p>"
    for question, note in before.items():
        assert after[question]["guid"] == note["guid"]
    huber = after["Huber 損失的好處？"]["fields"]
    assert huber["Answer"] == "<p>對離群值較不敏感，又在零附近可微。</p>"
    assert huber["Source"] == "content/機器學習 ML/Huber and friends.md"
    assert after["Huber 損失的好處？"]["tags"] == ["machine_learning", "機器學習-ml", "機器學習-ml::huber-and-friends"]
    # Each question kept its own answer: nothing shifted along with the numbering.
    assert after["MSE 的公式是什麼？"]["fields"]["Answer"] == before["MSE 的公式是什麼？"]["fields"]["Answer"]
    assert collection.models.all_names_and_ids() == note_types  # the note type was not duplicated


def test_an_unchanged_note_keeps_a_students_edit(make_site, collection):
    collection, _ = collection
    site = make_site(SITE)
    import_package(collection, export(site))
    note = collection.get_note(collection.find_notes('"Question:MSE 的公式是什麼？"')[0])
    note["Answer"] = "my own words"
    collection.update_note(note)

    edit_intro(site)
    log = import_package(collection, export(site))
    assert len(log.updated) == 1
    assert notes(collection)["What is supervised learning?"]["fields"]["Answer"] == "<p>learning from labelled examples.</p>"
    assert collection.get_note(note.id)["Answer"] == "my own words"


def test_the_text_file_fills_front_and_back_whatever_they_are_called(make_site, collection):
    collection, language = collection
    site = make_site(SITE)
    path = export(site, "deck.txt")
    guids = package_guids(site)

    def import_text():
        metadata = collection.get_csv_metadata(str(path), None)
        return collection.import_csv(ImportCsvRequest(path=str(path), metadata=metadata)).log

    assert len(import_text().new) == 4
    basic, (front, back) = LANGUAGES[language]
    found = notes(collection)
    formula = found["MSE 的公式是什麼？"]
    assert formula["type"] == basic
    assert formula["fields"] == {front: "MSE 的公式是什麼？", back: "<p>\\(\\frac{1}{n}\\sum (y - \\hat{y})^2\\)</p>"}
    assert formula["guid"] == guids["MSE 的公式是什麼？"]
    assert formula["tags"] == ["machine_learning", "機器學習-ml", "機器學習-ml::loss-function"]
    assert formula["decks"] == ["機器學習筆記::機器學習 Machine Learning"]
    assert found["What is supervised learning?"]["fields"][back] == "<p>learning from labels.</p>"

    edit_intro(site)
    export(site, "deck.txt")
    log = import_text()
    assert (len(log.new), len(log.updated)) == (0, 1)
    assert notes(collection)["What is supervised learning?"]["fields"][back] == "<p>learning from labelled examples.</p>"


def test_every_answered_corpus_question_imports(tmp_path, corpus_dir):
    site = tmp_path / "corpus"
    (site / "content").mkdir(parents=True)
    for path in corpus_files():
        shutil.copy(path, site / "content" / path.name)
    result = run_cli("export-anki", site, "-o", site / "deck.apkg")
    assert result.code == 0, result.err
    assert result.err == ""  # every corpus question has its answer
    col = Collection(str(tmp_path / "zh.anki2"), backend=RustBackend(langs=["zh_TW"]))
    try:
        assert len(import_package(col, site / "deck.apkg").new) == 54 * 5  # no two questions share a GUID
        for note_id in col.find_notes(""):
            note = col.get_note(note_id)
            assert note["Question"].strip() and note["Answer"].strip() and note["Lesson"].strip(), note["Source"]
    finally:
        col.close()
