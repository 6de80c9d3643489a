"""The compiled matcher (empowersave.compiled) decides as the pure Python one does, and a build of
an earlier source is never loaded."""

import os
import subprocess
import sys

import pytest

from empowersave import compiled

DECIDE = """
import django
django.setup()
from datetime import UTC, datetime
from demo import generator
from empowersave.compiled import running_as
from matching import scoring
from matching.index import build_index
now = datetime(2026, 12, 1, tzinfo=UTC)
data = generator.generate(participants=4000, seed=generator.DEFAULT_SEED, now=now)
index = build_index(residential_docs=data["residential"], demographic_docs=data["demographic"])
thresholds = scoring.Thresholds.from_settings()
print(running_as(scoring))
for row in data["source"]:
    print(repr(scoring.decide(index, scoring.participant_query(row), thresholds)))
"""


def _decisions(*, pure):
    env = {name: value for name, value in os.environ.items() if name != compiled.PURE}
    if pure:
        env[compiled.PURE] = "1"
    run = subprocess.run(
        [sys.executable, "-c", DECIDE],
        cwd=compiled.ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    running_as, *decisions = run.stdout.splitlines()
    return running_as, decisions


@pytest.mark.skipif(
    not compiled.build_directory().is_dir(),
    reason="no build of the current source (`python -m empowersave.compiled`; ./run builds it)",
)
def test_the_compiled_matcher_decides_as_the_pure_one():
    compiled_as, compiled_decisions = _decisions(pure=False)
    pure_as, pure_decisions = _decisions(pure=True)

    assert compiled_as.startswith("compiled with Cython")
    assert pure_as.startswith("pure Python")
    assert len(compiled_decisions) == 4000
    assert compiled_decisions == pure_decisions


@pytest.fixture
def source_tree(tmp_path, monkeypatch):
    for module in compiled.MODULES:
        (tmp_path / module).parent.mkdir(parents=True, exist_ok=True)
        for source in (compiled.ROOT / module, (compiled.ROOT / module).with_suffix(".pxd")):
            if source.exists():
                (tmp_path / module).with_name(source.name).write_bytes(source.read_bytes())
    monkeypatch.setattr(compiled, "ROOT", tmp_path)
    monkeypatch.delenv(compiled.PURE, raising=False)
    compiled.build_directory.cache_clear()
    yield tmp_path
    compiled.build_directory.cache_clear()


def _search_path():
    path = ["matching-source"]
    compiled.prefer_compiled(path, "matching")
    return path


def test_a_build_is_used_only_for_the_source_it_was_built_from(source_tree):
    build = compiled.build_directory() / "matching"
    build.mkdir(parents=True)
    assert _search_path() == [str(build), "matching-source"]

    with (source_tree / "matching/scoring.py").open("a") as scoring:
        scoring.write("# edited\n")
    compiled.build_directory.cache_clear()

    assert compiled.build_directory() / "matching" != build
    assert _search_path() == ["matching-source"]


def test_pure_python_is_forced_with_the_environment_variable(source_tree, monkeypatch):
    (compiled.build_directory() / "matching").mkdir(parents=True)
    monkeypatch.setenv(compiled.PURE, "1")

    assert _search_path() == ["matching-source"]
