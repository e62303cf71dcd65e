"""A Hugo repo with [languages] builds into one site: the default language at the root
(or in its folder, with / redirecting), the others under their prefix, a language menu
on every page, per-language search and sitemaps; Hugo's config read as Hugo reads it."""

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from helpers import parse_html, run_cli, tree_snapshot
from multilingual_site import CONFIG, FILES, LESSON, PREFIXES, lesson

LANGUAGES_ONLY = CONFIG.split("[params]")[0]


def build(site: Path, *args) -> Path:
    result = run_cli("build", site, "--jobs", "1", *args)
    assert result.code == 0, result.err
    return site / "public"


def page(public: Path, url: str):
    return parse_html((public / unquote(url) / "index.html").read_bytes())


def menu(document) -> list[tuple[str, str, str]]:
    """The language menu: (hreflang or 'current', name, href) per entry."""
    entries = []
    for item in document.find("details", cls="language-menu").find_all("li"):
        link = item.find("a")
        if link is None:
            entries.append(("current", item.text(), ""))
        else:
            entries.append((link.attrs["hreflang"], link.text(), unquote(link.attrs["href"])))
    return entries


@pytest.fixture
def fixture_site(make_site):
    return make_site(FILES)


def test_the_default_language_at_the_root_and_the_others_under_their_key(fixture_site):
    # defaultContentLanguage(InSubdir) sit under [outputs]: Hugo's defaults apply, en at /.
    public = build(fixture_site)
    for prefix in PREFIXES.values():
        assert (public / prefix / LESSON / "index.html").is_file()
    assert page(public, "").find("html").attrs["lang"] == "en"
    assert page(public, "zh-cn/").find("html").attrs["lang"] == "zh-CN"
    assert page(public, "zh-tw/" + LESSON).find("html").attrs["lang"] == "zh-TW"
    assert "顯示答案" in page(public, "zh-tw/" + LESSON).text()
    assert "显示答案" in page(public, "zh-cn/" + LESSON).text()
    # Hugo's /en/ alias of the root.
    assert 'content="0; url=../"' in (public / "en/index.html").read_text()


def test_the_language_menu_links_each_counterpart_or_that_languages_home(fixture_site):
    public = build(fixture_site)
    lesson_in_three = page(public, "zh-cn/" + LESSON)
    assert menu(lesson_in_three) == [
        ("en", "English", "../../../../ai-knowledge-hub/it/loss-function/"),
        ("current", "簡體中文", ""),
        ("zh-tw", "繁體中文", "../../../../zh-tw/ai-knowledge-hub/it/loss-function/"),
    ]
    in_two = page(public, "ai-knowledge-hub/it/gradient-descent-gd/")
    assert menu(in_two) == [
        ("current", "English", ""),
        ("zh-cn", "簡體中文", "../../../zh-cn/ai-knowledge-hub/it/gradient-descent-gd/"),
        ("zh-tw", "繁體中文", "../../../zh-tw/"),
    ]
    assert in_two.find("a", hreflang="zh-tw").classes == {"language-home"}
    by_key = page(public, "math-basics/linear-algebra/")
    assert menu(by_key)[1] == ("zh-cn", "簡體中文", "../../zh-cn/数学/线性代数/")
    head = [(link.attrs["hreflang"], link.attrs["href"]) for link in in_two.find_all("link", rel="alternate")]
    assert head == [
        ("en", "https://example.github.io/learn-with-ai/ai-knowledge-hub/it/gradient-descent-gd/"),
        ("zh-cn", "https://example.github.io/learn-with-ai/zh-cn/ai-knowledge-hub/it/gradient-descent-gd/"),
    ]
    only_one = page(public, "zh-tw/台灣-only/課程-一/")
    assert only_one.find_all("link", rel="alternate") == []
    assert [entry[2] for entry in menu(only_one)] == ["../../../", "../../../zh-cn/", ""]


def test_each_language_has_its_own_home_search_and_404(fixture_site):
    public = build(fixture_site)
    document = page(public, "zh-tw/" + LESSON)
    assert document.find("a", cls="site-title").attrs["href"] == "../../../../zh-tw/"
    assert document.find("form", cls="search").attrs["action"] == "../../../../zh-tw/search/"
    assert document.find("body").attrs["data-root"] == "../../../../zh-tw/"
    script = (public / "zh-tw/search/index.js").read_text()
    index = json.loads(script[len("studysiteSearch.init(") : -len(");\n")])
    assert sorted(index["titles"]) == ["", "ai-knowledge-hub/", "ai-knowledge-hub/it/", LESSON, "台灣-only/", "台灣-only/課程-一/"]
    assert all(name.startswith("search/text-") for name in index["shards"])
    texts = "".join((public / "zh-tw" / name).read_text() for name in index["shards"])
    assert "損失函數" in texts and "损失函数" not in texts and "Loss Function" not in texts
    assert "找不到頁面" in (public / "zh-tw/404.html").read_text()
    assert "Page not found" in (public / "404.html").read_text()


def test_a_sitemap_index_with_one_sitemap_per_language_and_hreflang_alternates(fixture_site):
    public = build(fixture_site)
    index = (public / "sitemap.xml").read_text()
    assert re.findall(r"<loc>(.*?)</loc>", index) == [
        f"https://example.github.io/learn-with-ai/{key}/sitemap.xml" for key in ("en", "zh-cn", "zh-tw")
    ]
    zh_tw = (public / "zh-tw/sitemap.xml").read_text()
    entry = next(line for line in zh_tw.splitlines() if "loss-function/</loc>" in line)
    assert re.findall(r'hreflang="([^"]+)" href="([^"]+)"', entry) == [
        ("en", "https://example.github.io/learn-with-ai/ai-knowledge-hub/it/loss-function/"),
        ("zh-cn", "https://example.github.io/learn-with-ai/zh-cn/ai-knowledge-hub/it/loss-function/"),
        ("zh-tw", "https://example.github.io/learn-with-ai/zh-tw/ai-knowledge-hub/it/loss-function/"),
    ]
    assert len(re.findall("<url>", zh_tw)) == 6


def test_without_a_base_url_no_language_has_a_sitemap(make_site):
    files = dict(FILES, **{"config.toml": CONFIG.replace('baseURL = "https://example.github.io/learn-with-ai/"\n', "")})
    site = make_site(files)
    result = run_cli("build", site)
    assert result.code == 0
    assert "studysite: note: no sitemap.xml, since a sitemap needs absolute URLs" in result.err
    assert sorted(path.relative_to(site / "public").as_posix() for path in (site / "public").rglob("sitemap.xml")) == []


def test_default_language_in_its_folder_and_the_root_redirects(make_site):
    files = dict(FILES)
    files["config.toml"] = 'defaultContentLanguage = "zh-tw"\ndefaultContentLanguageInSubdir = true\n' + CONFIG
    public = build(make_site(files))
    assert (public / "zh-tw" / LESSON / "index.html").is_file()
    assert (public / "en" / LESSON / "index.html").is_file()
    assert not (public / LESSON).exists()
    assert 'content="0; url=zh-tw/"' in (public / "index.html").read_text()
    assert "找不到頁面" in (public / "404.html").read_text()


def test_check_warns_about_the_keys_hugo_ignores_where_they_sit(fixture_site):
    result = run_cli("check", fixture_site)
    warnings = [line for line in result.out.splitlines() if "[config-ignored]" in line]
    assert warnings == [
        "config.toml:5:1: warning: defaultContentLanguage sits in the [outputs] table, where Hugo ignores it; "
        "move it above the first table to set it for the site [config-ignored]",
        "config.toml:6:1: warning: defaultContentLanguageInSubdir sits in the [outputs] table, where Hugo ignores it; "
        "move it above the first table to set it for the site [config-ignored]",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f: f.update({"config.toml": CONFIG.replace('"content/zh-tw"', '"content/taiwan"')}),
         "config.toml:18: error: languages.zh-tw: content folder content/taiwan/ does not exist"),
        (lambda f: [f.pop(path) for path in list(f) if path.startswith("content/zh-tw/")],
         "config.toml:17: error: languages.zh-tw: its content folder content/zh-tw/ has no lessons"),
        (lambda f: f.update({"config.toml": 'defaultContentLanguage = "fr"\n' + CONFIG}),
         "config.toml:1: error: defaultContentLanguage 'fr' is not one of the languages (en, zh-cn, zh-tw)"),
        (lambda f: f.update({"config.toml": CONFIG.replace('"content/zh-tw"', '"content/english/zh-tw"'),
                             **{p.replace("content/zh-tw/", "content/english/zh-tw/"): f.pop(p) for p in list(f) if p.startswith("content/zh-tw/")}}),
         "config.toml:18: error: languages.zh-tw: its content folder content/english/zh-tw/ is inside languages.en's "
         "content/english/; give each language a folder of its own"),
        (lambda f: f.update({"config.toml": CONFIG.replace('"content/zh-tw"', '"content/zh-cn"')}),
         "config.toml:18: error: languages.zh-tw and languages.zh-cn share the content folder content/zh-cn/; "
         "give each language its own contentDir"),
    ],
)
def test_config_mistakes_name_the_config_line(make_site, change, expected):
    files = dict(FILES)
    change(files)
    site = make_site(files)
    if not any(path.startswith("content/zh-tw/") for path in files):
        (site / "content/zh-tw").mkdir()
    result = run_cli("build", site)
    assert result.code == 1
    assert result.error_lines == [expected]


def test_a_default_language_folder_may_not_take_another_languages_prefix(make_site):
    files = {**FILES, "content/english/zh-cn/zh-cn.md": lesson("english", "Chinese")}
    result = run_cli("build", make_site(files))
    assert result.error_lines == [
        "content/english/zh-cn/zh-cn.md:1: error: URL /zh-cn/ is reserved for the zh-cn language; rename the file or set a slug"
    ]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("hugo.yaml", "Title: YAML site\nLanguages:\n  EN:\n    contentDir: content/english\n    weight: 1\n"
                      "  zh-TW:\n    contentDir: content/zh-tw\n    weight: 2\n    languageName: 繁體中文\n"),
        ("config.json", '{"Title": "YAML site", "languages": {"en": {"contentDir": "content/english", "weight": 1},'
                        ' "zh-tw": {"contentDir": "content/zh-tw", "weight": 2, "LanguageName": "繁體中文"}}}'),
    ],
)
def test_yaml_and_json_configs_with_keys_in_any_case(make_site, name, text):
    files = {path: data for path, data in FILES.items() if not path.startswith(("content/zh-cn", "config.toml"))}
    files[name] = text
    public = build(make_site(files))
    document = page(public, "zh-tw/" + LESSON)
    assert document.find("a", cls="site-title").text() == "YAML site"
    assert menu(document)[0] == ("en", "en", "../../../../ai-knowledge-hub/it/loss-function/")


def test_hugo_config_with_studysite_toml_on_top(make_site):
    files = dict(FILES)
    files["studysite.toml"] = '[languages.en]\ntitle = "Overridden"\n[markup.goldmark.renderer]\nhardWraps = false\n'
    public = build(make_site(files))
    document = page(public, LESSON)
    assert document.find("a", cls="site-title").text() == "Overridden"
    assert document.find("a", cls="site-title").attrs["href"] == "../../../"
    assert "Loss Function: first line\nsecond line" in (public / LESSON / "index.html").read_text()
    assert page(public, "zh-cn/" + LESSON).find("a", cls="site-title").text() == "Learn with AI"


def test_hard_wraps_make_a_line_break_inside_a_paragraph(fixture_site):
    html = (build(fixture_site) / LESSON / "index.html").read_text()
    assert "Loss Function: first line<br />\nsecond line of the same paragraph" in html


def test_disable_path_to_lower_keeps_the_case_of_urls(make_site):
    files = {path: data for path, data in FILES.items() if not path.startswith(("content/zh", "config.toml"))}
    files["config.toml"] = 'disablePathToLower = true\n[languages.en]\ncontentDir = "content/english"\n'
    public = build(make_site(files))
    assert (public / "AI-Knowledge-Hub/IT/Loss-Function/index.html").is_file()


def test_link_title_is_the_label_in_navigation(make_site):
    files = dict(FILES)
    files["content/english/AI Knowledge Hub/IT/Loss Function.md"] = lesson("english", "Loss Function", 1, 'linkTitle = "Loss"')
    public = build(make_site(files))
    document = page(public, "ai-knowledge-hub/it/gradient-descent-gd/")
    assert [a.text() for a in document.find("nav", cls="sidebar").find_all("a") if "loss-function" in a.attrs["href"]] == ["Loss"]
    assert document.find("a", cls="pager-previous").text().endswith("Loss")
    assert page(public, LESSON).find("h1").text() == "Loss Function"


def test_single_language_sites_have_no_language_menu(make_site):
    files = {path: data for path, data in FILES.items() if path.startswith("content/english/")}
    files = {path.replace("content/english/", "content/"): data for path, data in files.items()}
    public = build(make_site(files), "--base-url", "https://example.org/")
    html = (public / LESSON / "index.html").read_text()
    assert "language-menu" not in html and "hreflang" not in html
    assert "<urlset" in (public / "sitemap.xml").read_text()


def test_one_and_two_jobs_write_the_same_multilingual_site(fixture_site, tmp_path):
    assert run_cli("build", fixture_site, "-o", tmp_path / "one", "--jobs", "1").code == 0
    assert run_cli("build", fixture_site, "-o", tmp_path / "two", "--jobs", "2").code == 0
    assert tree_snapshot(tmp_path / "one") == tree_snapshot(tmp_path / "two")


# --- The live server ------------------------------------------------------------------


def built_files(site: Path, out: Path) -> dict[str, bytes]:
    assert run_cli("build", site, "-o", out, "--jobs", "1").code == 0
    snapshot = tree_snapshot(out)
    snapshot.pop(".studysite")
    return snapshot


def test_served_multilingual_site_is_the_built_one(fixture_site, tmp_path):
    from generator.serve import LiveSite

    live = LiveSite(fixture_site)
    live.full_build()
    assert live.errors == []
    assert live.files == built_files(fixture_site, tmp_path / "out")
    assert [folder.name for folder in live.watched_folders()] == ["content"]


def test_editing_one_languages_lesson_re_renders_just_it(fixture_site, tmp_path):
    from generator.serve import LiveSite

    live = LiveSite(fixture_site)
    live.full_build()
    before = dict(live.files)
    path = fixture_site / "content/zh-tw/AI Knowledge Hub/IT/Loss Function.md"
    path.write_text(path.read_text(encoding="utf-8").replace("first line", "改過的第一行"), encoding="utf-8")
    live.rebuild({path})
    changed = {name for name in live.files if live.files[name] != before.get(name)}
    assert "zh-tw/" + LESSON + "index.html" in changed
    assert all(name == "zh-tw/" + LESSON + "index.html" or name.startswith("zh-tw/search/") for name in changed)
    assert live.files == built_files(fixture_site, tmp_path / "out")


def test_a_new_translation_updates_its_counterparts_language_menus(fixture_site, tmp_path):
    from generator.serve import LiveSite

    live = LiveSite(fixture_site)
    live.full_build()
    english = "ai-knowledge-hub/it/gradient-descent-gd/index.html"
    assert b'href="../../../zh-tw/" hreflang="zh-tw"' in live.files[english]
    new = fixture_site / "content/zh-tw/AI Knowledge Hub/IT/Gradient Descent (GD).md"
    new.write_text(lesson("zh-tw", "梯度下降法 (GD)", 3), encoding="utf-8")
    live.rebuild({new})
    target = 'href="../../../../zh-tw/ai-knowledge-hub/it/gradient-descent-gd/" hreflang="zh-tw"'
    assert target.encode() in live.files["zh-cn/" + english]
    assert b'href="../../../zh-tw/ai-knowledge-hub/it/gradient-descent-gd/" hreflang="zh-tw"' in live.files[english]
    assert live.files == built_files(fixture_site, tmp_path / "out")
    # A translationKey given later links two lessons at different paths.
    only = fixture_site / "content/english/AI Knowledge Hub/IT/Only in English.md"
    only.write_text(lesson("english", "Only in English", extra='translationKey = "taiwan"'), encoding="utf-8")
    taiwan = fixture_site / "content/zh-tw/台灣 Only/課程 (一).md"
    taiwan.write_text(lesson("zh-tw", "課程 (一)", extra='translationKey = "taiwan"'), encoding="utf-8")
    live.rebuild({only, taiwan})
    link = 'href="../../../ai-knowledge-hub/it/only-in-english/" hreflang="en"'
    assert link.encode() in live.files["zh-tw/台灣-only/課程-一/index.html"]
    assert live.files == built_files(fixture_site, tmp_path / "out2")


@pytest.mark.parametrize(
    ("code", "interface"),
    [("en", "en"), ("en-US", "en"), ("zh-cn", "zh-CN"), ("zh-Hans", "zh-CN"), ("zh", "zh-CN"), ("zh-tw", "zh-TW"),
     ("zh-hant", "zh-TW"), ("zh_HK", "zh-TW"), ("zh-Hant-TW", "zh-TW"), ("fr", None)],
)
def test_hugo_language_codes_map_to_our_three_interface_languages(code, interface):
    from generator.languages import normalize_language

    assert normalize_language(code) == interface


def test_a_language_without_interface_words_builds_in_english_and_check_says_so(make_site):
    files = {path: data for path, data in FILES.items() if not path.startswith(("content/zh-cn", "config.toml"))}
    files["config.toml"] = (
        '[languages.en]\ncontentDir = "content/english"\nweight = 1\n'
        '[languages.ja]\ncontentDir = "content/zh-tw"\nweight = 2\nlanguageName = "日本語"\n'
    )
    site = make_site(files)
    public = build(site)
    assert page(public, "ja/" + LESSON).find("html").attrs["lang"] == "en"
    assert "config.toml:4:1: warning: languages.ja: studysite has no interface words for 'ja'; its pages use English ones" in run_cli("check", site).out


def test_a_disabled_language_is_left_out(make_site):
    files = dict(FILES)
    files["config.toml"] = CONFIG.replace('languageName = "繁體中文"', 'languageName = "繁體中文"\n    disabled = true')
    public = build(make_site(files))
    assert not (public / "zh-tw").exists()
    assert [entry[0] for entry in menu(page(public, LESSON))] == ["current", "zh-cn"]


def test_each_language_home_opens_with_its_own_description_or_the_sites(make_site):
    config = CONFIG.replace("[params]\n", '[Languages.zh-tw.params]\n    description = "用 AI 學習的筆記"\n[params]\n  description = "Notes made with AI"\n')
    public = build(make_site(dict(FILES, **{"config.toml": config})))
    leads = {}
    for key, prefix in PREFIXES.items():
        lead = parse_html((public / prefix / "index.html").read_bytes()).find("p", cls="site-description")
        leads[key] = lead.text()
    assert leads == {"en": "Notes made with AI", "zh-cn": "Notes made with AI", "zh-tw": "用 AI 學習的筆記"}
