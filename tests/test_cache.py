"""The build's cache in SITE/.studysite/: sealed, so that a cache from someone else's
repository never runs code and never changes a page; damaged files are rebuilt; an edited
lesson's new entry is kept."""

import os
import pickle
import random
import shutil

import pytest

from generator import integrity
from generator.cache import BUCKETS
from helpers import run_cli, tree_snapshot

CACHE = ".studysite"


def lesson(title: str, body: str) -> str:
    return f'+++\ntitle = "{title}"\n+++\n## 說明知識\n{body}\n\n## 知識測驗\n1. {title} 是什麼？\n答案：{body}\n'


LESSONS = {
    f"content/{folder}/{name}.md": lesson(name.title(), f"{name} 的說明，第 {number} 課。")
    for number, (folder, name) in enumerate(
        [("ml", "loss"), ("ml", "gradient"), ("ml", "overfitting"), ("dl", "backprop"), ("dl", "relu"), ("dl", "dropout"), ("stats", "mean"), ("stats", "variance")]
    )
}


def built(make_site, name: str = "site"):
    site = make_site(LESSONS, name)
    result = run_cli("build", site)
    assert result.code == 0, result.err
    return site


@pytest.fixture
def reference(make_site):
    """What a clean build of LESSONS publishes."""
    return tree_snapshot(built(make_site, "reference") / "public")


class _Plant:
    """Unpickling this makes a folder: the stand-in for arbitrary code."""

    def __init__(self, flag):
        self.flag = str(flag)

    def __reduce__(self):
        return (os.mkdir, (self.flag,))


def plant_pickles(site, flag) -> None:
    """Every cache bucket replaced by a pickle that runs code: as it would be in a
    repository, and dressed up as a sealed file with a made-up seal."""
    payload = pickle.dumps(_Plant(flag))
    folder = site / CACHE / "lessons"
    folder.mkdir(parents=True, exist_ok=True)
    for bucket in range(BUCKETS):
        path = folder / f"{bucket:02}.pickle"
        if bucket % 2:
            path.write_bytes(integrity.MAGIC + bytes(32) + b"key\n" + payload)
        else:
            path.write_bytes(payload)


@pytest.mark.parametrize("command", ["build", "check", "export-anki"])
def test_a_planted_pickle_never_runs_and_the_cache_is_rebuilt(make_site, reference, tmp_path, command):
    flag = tmp_path / "the-pickle-ran"
    pickle.loads(pickle.dumps(_Plant(flag)))  # the plant is live: loading it runs code
    assert flag.is_dir()
    flag.rmdir()

    site = make_site(LESSONS)
    plant_pickles(site, flag)
    extra = ["-o", tmp_path / "deck.txt"] if command == "export-anki" else []
    result = run_cli(command, site, *extra)
    assert result.code == 0, result.err
    assert not flag.exists()

    rebuilt = run_cli("build", site)
    assert not flag.exists()
    expected_parsed = len(LESSONS) if command == "build" else 0  # check and export-anki rebuilt the cache
    assert f"({expected_parsed} lessons parsed" in (result if command == "build" else rebuilt).out
    assert tree_snapshot(site / "public") == reference


def _corrupt(path, rng: random.Random) -> str:
    data = bytearray(path.read_bytes())
    how = rng.choice(["flip", "flip", "truncate", "append", "empty"])
    if how == "flip":
        at = rng.randrange(len(data))
        data[at] ^= rng.randrange(1, 256)
    elif how == "truncate":
        del data[rng.randrange(len(data)) :]
    elif how == "append":
        data += rng.randbytes(rng.randrange(1, 64))
    else:
        data.clear()
    path.write_bytes(bytes(data))
    return f"{how} {path.name}"


def test_random_damage_to_the_cache_never_changes_the_output(make_site, reference, tmp_path):
    pristine = built(make_site)
    files = sorted(p for p in (pristine / CACHE).rglob("*") if p.is_file() and "plots" not in p.parts)
    assert len(files) > 4  # several lesson buckets and the build stamp
    rng = random.Random(20261129)
    for trial in range(24):
        site = tmp_path / f"trial-{trial}"
        shutil.copytree(pristine, site)  # keeps modification times: the cache stays valid
        damage = [_corrupt(site / path.relative_to(pristine), rng) for path in rng.sample(files, rng.randint(1, 3))]
        result = run_cli("build", site, "-o", site / "fresh")
        assert result.code == 0 and "Traceback" not in result.err, (damage, result.err)
        assert f"({len(LESSONS)} lessons parsed" not in result.out, "the undamaged buckets were used"
        assert tree_snapshot(site / "fresh") == reference, damage


@pytest.fixture
def another_user(tmp_path, monkeypatch):
    """Switch this process to the secret of another user (their own cache directory)."""

    def switch(home):
        monkeypatch.setenv("XDG_CACHE_HOME", str(home))
        integrity._secret.cache_clear()

    yield lambda: switch(tmp_path / "another-user")
    integrity._secret.cache_clear()


def test_a_build_stamp_sealed_by_someone_else_does_not_skip_the_build(make_site, another_user, monkeypatch):
    site = make_site(LESSONS)
    own_cache = os.environ.get("XDG_CACHE_HOME")
    another_user()
    assert run_cli("build", site).code == 0
    assert "is up to date" in run_cli("build", site).out  # their stamp is valid for them
    (site / "public/ml/loss/index.html").write_text("defaced")
    # Restore the stamp their build made, as a repository would carry it, then build as us.
    stamp = site / CACHE / "last-build.json"
    forged = stamp.read_bytes()
    if own_cache is None:
        monkeypatch.delenv("XDG_CACHE_HOME")
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", own_cache)
    integrity._secret.cache_clear()
    stamp.write_bytes(forged)
    result = run_cli("build", site)
    assert "wrote" in result.out
    assert "defaced" not in (site / "public/ml/loss/index.html").read_text()


def test_an_unsealed_build_stamp_does_not_skip_the_build(make_site):
    site = built(make_site)
    stamp = site / CACHE / "last-build.json"
    data = integrity.unseal(stamp.read_bytes(), "last-build")
    assert data is not None and b'"inputs"' in data
    stamp.write_bytes(data)  # the right content, without our seal
    assert "wrote" in run_cli("build", site).out
    assert "is up to date" in run_cli("build", site).out


def test_an_edited_lesson_is_parsed_once_and_then_read_from_the_cache(make_site):
    site = built(make_site)
    (site / "content/ml/loss.md").write_text(lesson("Loss", "改過的說明。"), encoding="utf-8")
    assert "(1 lessons parsed" in run_cli("build", site).out
    # A template change means rendering again, but every lesson comes from the cache.
    (site / "templates").mkdir()
    (site / "templates/404.html").write_text('{% extends "base.html" %}{% block main %}Gone{% endblock %}')
    assert "(0 lessons parsed" in run_cli("build", site).out


@pytest.mark.parametrize("change", ["deleted", "edited", "added"])
def test_a_file_changed_inside_the_output_means_building_again(make_site, change):
    site = built(make_site)
    assert "is up to date" in run_cli("build", site).out
    page = site / "public/ml/loss/index.html"
    if change == "deleted":
        page.unlink()
    elif change == "edited":
        page.write_text("defaced")
    else:
        (site / "public/ml/loss/extra.html").write_text("extra")
    result = run_cli("build", site)
    assert "wrote" in result.out
    assert tree_snapshot(site / "public") == tree_snapshot(built(make_site, "clean") / "public")
