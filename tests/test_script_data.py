"""The JSON the build hands site.js follows the one schema in generator/render/script_data.py:
every search entry and every slider variant of the built bundled site has exactly the named
fields, their values point at real pages, anchors and pictures, and site.js reads those names."""

import json
import re
from urllib.parse import unquote

import pytest

from generator.render.script_data import SEARCH_ENTRY, SEARCH_QUESTION, SLIDER_VARIANT
from helpers import REPO, parse_html, run_cli

SITE_JS = REPO / "static" / "assets" / "site.js"


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    out = tmp_path_factory.mktemp("script-data") / "public"
    result = run_cli("build", REPO, "-o", out, "--jobs", "1")
    assert result.code == 0, result.err
    return out


def script_call(path, function: str):
    text = path.read_text(encoding="utf-8")
    prefix, suffix = f"studysiteSearch.{function}(", ");\n"
    assert text.startswith(prefix) and text.endswith(suffix), path
    return json.loads(text[len(prefix) : -len(suffix)])


def test_every_search_entry_has_the_named_fields_and_points_at_a_section(public):
    index = script_call(public / "search" / "index.js", "init")
    entries = [entry for shard in index["shards"] for entry in script_call(public / shard, "add")["entries"]]
    assert entries
    for entry in entries:
        assert tuple(entry) == SEARCH_ENTRY
        assert all(isinstance(entry[name], str) for name in SEARCH_ENTRY if name != "q")
        for question in entry["q"]:
            assert tuple(question) == SEARCH_QUESTION
            assert all(isinstance(value, str) for value in question.values())
        assert entry["u"] in index["titles"]
        page = parse_html((public / unquote(entry["u"]) / "index.html").read_bytes())
        if entry["a"]:
            section = page.find("section", id=entry["a"])
            assert section is not None, entry
            assert entry["h"] and entry["h"] in section.text()
    assert any(entry["t"] for entry in entries)
    assert any(question["s"] for entry in entries for question in entry["q"])


def test_every_slider_variant_has_the_named_fields_and_a_picture(public):
    pages = [path for path in public.rglob("index.html") if b"data-plot-variants" in path.read_bytes()]
    assert pages
    for path in pages:
        for slider in parse_html(path.read_bytes()).find_all("input", type="range"):
            variants = json.loads(slider.attrs["data-plot-variants"])
            assert len(variants) == int(slider.attrs["max"]) + 1
            for variant in variants:
                assert tuple(variant) == SLIDER_VARIANT
                float(variant["value"])
                assert (path.parent / unquote(variant["src"])).resolve().is_file(), variant
            shown = slider.parent.find("output").text()
            assert shown == variants[int(slider.attrs["value"])]["value"]


def test_site_js_reads_the_fields_by_these_names():
    script = SITE_JS.read_text(encoding="utf-8")
    read = [set(re.findall(rf"\b{name}\.(\w+)", script)) for name in ("entry", "question", "variant")]
    assert read == [set(SEARCH_ENTRY), set(SEARCH_QUESTION), set(SLIDER_VARIANT)]
