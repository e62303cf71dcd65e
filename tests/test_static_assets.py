"""The bundled scripts and stylesheets are published minified (their readable sources stay
in static/assets/), the vendored files and a site's own static files exactly as they are;
an unchanged asset is not written again."""

import rcssmin
import rjsmin

from generator.resources import bundled_dir
from helpers import run_cli, tree_snapshot, write_site

LESSON = '+++\ntitle = "L"\n+++\n## 說明知識\n內容。\n'
MINIFIED = {
    "assets/site.js": rjsmin.jsmin,
    "assets/theme.js": rjsmin.jsmin,
    "assets/site.css": rcssmin.cssmin,
    "assets/code.css": rcssmin.cssmin,
}


def test_the_bundled_assets_are_minified_and_the_vendored_ones_copied(tmp_path):
    diagram = LESSON + "```mermaid\ngraph TD\n  A --> B\n```\n"  # Mermaid is published only with a diagram
    site = write_site(tmp_path / "site", {"content/l.md": diagram})
    assert run_cli("build", site, "--jobs", "1").code == 0
    published = tree_snapshot(site / "public")
    static = bundled_dir("static")
    for relative, minify in MINIFIED.items():
        source = (static / relative).read_text(encoding="utf-8")
        assert published[relative] == minify(source).encode("utf-8"), relative
        assert len(published[relative]) < 0.8 * len(source.encode("utf-8")), relative
    vendored = [path for path in (static / "assets/vendor").rglob("*") if path.is_file()]
    assert vendored
    for path in vendored:
        assert published[path.relative_to(static).as_posix()] == path.read_bytes()


def test_a_sites_own_assets_are_published_as_written(tmp_path):
    own_css = "/* the site's own look */\nbody {\n  color: #123456;\n}\n"
    own_js = "// the site's own script\nwindow.extra = 1;\n"
    site = write_site(
        tmp_path / "site",
        {"content/l.md": LESSON, "static/assets/site.css": own_css, "static/assets/extra.js": own_js},
    )
    assert run_cli("build", site, "--jobs", "1").code == 0
    assert (site / "public/assets/site.css").read_text(encoding="utf-8") == own_css
    assert (site / "public/assets/extra.js").read_text(encoding="utf-8") == own_js
    assert (site / "public/assets/site.js").read_bytes() == rjsmin.jsmin(
        (bundled_dir("static") / "assets/site.js").read_text(encoding="utf-8")
    ).encode("utf-8")


def test_a_rebuild_keeps_the_minified_assets_as_they_are(tmp_path):
    site = write_site(tmp_path / "site", {"content/l.md": LESSON})
    assert run_cli("build", site, "--jobs", "1").code == 0
    before = {name: (site / "public" / name).stat().st_ino for name in MINIFIED}
    for edit in range(2):  # the second rebuild brings the spare copy up to date in place
        (site / "content/l.md").write_text(LESSON.replace("內容。", f"改過的內容 {edit}。"), encoding="utf-8")
        assert run_cli("build", site, "--jobs", "1").code == 0
        assert {name: (site / "public" / name).stat().st_ino for name in MINIFIED} == before
