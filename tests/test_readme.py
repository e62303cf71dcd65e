"""The README's map of the package names every module there is, and no module that is gone."""

import re

from helpers import REPO


def _map_entries() -> set[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    development = readme[readme.index("## Development\n") :]
    block = development[development.index("```\n") + 4 :]
    block = block[: block.index("```\n")]
    entries, package = set(), ""
    for line in block.splitlines():
        name = line.split()[0]
        if not line.startswith(" "):
            package = name if name.endswith("/") else ""
            if not package:
                entries.add(name)
        else:
            entries.add(package + name)
    for described in re.findall(r"\(python -m generator: (\S+?)\)", block):
        entries.add("generator/" + described)
    return entries


def test_the_development_map_names_every_module_of_the_package():
    modules = {str(path.relative_to(REPO)) for path in (REPO / "generator").rglob("*.py")}
    packages_init = {name for name in modules if name.endswith("/__init__.py")}
    listed = _map_entries()
    assert sorted(modules - packages_init - listed) == []
    assert sorted(name for name in listed if name not in modules) == []
