"""Every page states a Content-Security-Policy, computed for the page, and holds no inline
script, handler or style attribute that the policy would refuse."""

import re

from generator.render.csp import content_security_policy, image_sources
from helpers import REPO, parse_html, run_cli, tree_snapshot, write_site

BASE = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)


def policy_of(page: bytes) -> str:
    head = parse_html(page).find("head")
    metas = head.find_all("meta", http_equiv="Content-Security-Policy")
    assert len(metas) == 1
    assert head.children.index(metas[0]) < head.children.index(head.find("script"))  # before any script
    return metas[0].attrs["content"]


def test_every_page_of_the_bundled_site_has_the_policy_and_nothing_inline(tmp_path):
    assert run_cli("build", REPO, "-o", tmp_path / "public").code == 0
    pages = {name: data for name, data in tree_snapshot(tmp_path / "public").items() if name.endswith(".html")}
    kinds = {parse_html(data).find("body").attrs["class"] for data in pages.values()}
    assert kinds == {"kind-home", "kind-section", "kind-lesson", "kind-search", "kind-404"}
    for name, data in pages.items():
        assert policy_of(data) == BASE, name
        document = parse_html(data)
        for script in document.find_all("script"):
            assert script.attrs.get("src") and not script.text().strip(), name
        for node in document.iter():
            assert "style" not in node.attrs, (name, node.tag)
            assert not any(attribute.startswith("on") for attribute in node.attrs), (name, node.tag)
        assert document.find("style") is None


def test_the_theme_is_set_by_a_blocking_script_before_the_stylesheets():
    # Before paint: a script in the head without defer or async runs before the body exists.
    template = (REPO / "templates/base.html").read_text(encoding="utf-8")
    head = template.split("</head>")[0]
    theme = re.search(r'<script src="[^"]*assets/theme\.js[^"]*"></script>', head)
    assert theme and head.index(theme.group(0)) < head.index('rel="stylesheet"')
    assert "localStorage" in (REPO / "static/assets/theme.js").read_text(encoding="utf-8")


def test_a_lesson_with_remote_images_allows_just_their_origins(tmp_path):
    site = write_site(
        tmp_path / "site",
        {
            "content/pictures.md": '+++\ntitle = "Pictures"\n+++\n## Explain\n'
            "![graph](https://i.imgur.com/f6AEbeU.png) ![port](http://cdn.example:8080/a.png)\n\n"
            "![dot](data:image/png;base64,iVBORw0KGgo=) ![here](/images/x.png)\n\n"
            "## Review\n1. Q?\n答案：![inside](https://answers.example/a.png)\n",
            "content/plain.md": '+++\ntitle = "Plain"\n+++\n## Explain\nText.\n',
            "static/images/x.png": b"\x89PNG",
        },
    )
    assert run_cli("build", site, "-o", tmp_path / "public").code == 0
    public = tmp_path / "public"
    expected = BASE.replace(
        "img-src 'self'", "img-src 'self' data: http://cdn.example:8080 https://answers.example https://i.imgur.com"
    )
    assert policy_of((public / "pictures/index.html").read_bytes()) == expected
    assert policy_of((public / "plain/index.html").read_bytes()) == BASE
    assert policy_of((public / "index.html").read_bytes()) == BASE


def test_an_image_address_cannot_add_a_directive():
    hostile = [
        "<img src=\"https://evil.example;script-src-elem 'unsafe-inline'/x.png\">",
        '<img src="https://evil.example%3Bscript-src-elem/x.png">',
        '<img src="https://a.example:99999/x.png">',
        '<img src="javascript:alert(1)">',
        '<img src="//evil.example/x.png">',
        '<img src="data:text/html,<script>">',
    ]
    assert image_sources(hostile) == set()
    policy = content_security_policy({"img-src": image_sources(hostile)})
    assert policy == BASE


def test_a_page_may_add_sources_to_one_directive():
    policy = content_security_policy({"style-src": ["'unsafe-inline'"]})
    assert "style-src 'self' 'unsafe-inline';" in policy
    assert "script-src 'self';" in policy
