"""The compiled matcher (empowersave.compiled) decides as the pure Python one does, and a build of
an earlier source is never loaded."""

import os
import subprocess
import sys

import pytest

from empowersave import compiled

# argv: participants, then a file to pickle the built index to, or one to unpickle it from ("").
DECIDE = """
import pickle
import sys
import django
django.setup()
from datetime import UTC, datetime
from demo import generator
from empowersave.compiled import running_as
from matching import scoring
from matching.index import build_index
participants, pickle_to, unpickle = int(sys.argv[1]), *sys.argv[2:]
now = datetime(2026, 12, 1, tzinfo=UTC)
data = generator.generate(participants=participants, seed=generator.DEFAULT_SEED, now=now)
if unpickle:
    with open(unpickle, "rb") as file:
        index = pickle.load(file)
else:
    index = build_index(residential_docs=data["residential"], demographic_docs=data["demographic"])
if pickle_to:
    with open(pickle_to, "wb") as file:
        pickle.dump(index, file, protocol=pickle.HIGHEST_PROTOCOL)
thresholds = scoring.Thresholds.from_settings()
print(running_as(scoring))
for row in data["source"]:
    print(repr(scoring.decide(index, scoring.participant_query(row), thresholds)))
"""


def _decisions(*, pure, participants=4000, pickle_to="", unpickle=""):
    env = {name: value for name, value in os.environ.items() if name != compiled.PURE}
    if pure:
        env[compiled.PURE] = "1"
    run = subprocess.run(
        [sys.executable, "-c", DECIDE, str(participants), str(pickle_to), str(unpickle)],
        cwd=compiled.ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    running_as, *decisions = run.stdout.splitlines()
    return running_as, decisions


needs_build = pytest.mark.skipif(
    not compiled.build_directory().is_dir(),
    reason="no build of the current source (`python -m empowersave.compiled`; ./run builds it)",
)


@needs_build
def test_the_compiled_matcher_decides_as_the_pure_one():
    compiled_as, compiled_decisions = _decisions(pure=False)
    pure_as, pure_decisions = _decisions(pure=True)

    assert compiled_as.startswith("compiled with Cython")
    assert pure_as.startswith("pure Python")
    assert len(compiled_decisions) == 4000
    assert compiled_decisions == pure_decisions


@needs_build
def test_either_reads_the_index_the_other_pickled(tmp_path):
    """The county index snapshot (a pickle) written compiled, where the index classes are
    extension types, loads as pure Python and the other way round, and decides the same."""
    by_compiled, by_pure = tmp_path / "compiled.pickle", tmp_path / "pure.pickle"
    _, built = _decisions(pure=False, participants=1000, pickle_to=by_compiled)
    _, built_pure = _decisions(pure=True, participants=1000, pickle_to=by_pure)

    pure_as, read_pure = _decisions(pure=True, participants=1000, unpickle=by_compiled)
    compiled_as, read_compiled = _decisions(pure=False, participants=1000, unpickle=by_pure)

    assert compiled_as.startswith("compiled with Cython")
    assert pure_as.startswith("pure Python")
    assert b"__pyx" not in by_compiled.read_bytes()  # not Cython's own pickling
    assert len(built) == 1000
    assert read_pure == read_compiled == built == built_pure


@pytest.fixture
def source_tree(tmp_path, monkeypatch):
    for module in (*compiled.MODULES, *compiled.declarations()):
        (tmp_path / module).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / module).write_bytes((compiled.ROOT / module).read_bytes())
    monkeypatch.setattr(compiled, "ROOT", tmp_path)
    monkeypatch.delenv(compiled.PURE, raising=False)
    compiled.build_directory.cache_clear()
    yield tmp_path
    compiled.build_directory.cache_clear()


def _search_path():
    path = ["matching-source"]
    compiled.prefer_compiled(path, "matching")
    return path


@pytest.mark.parametrize("edited", ["matching/scoring.py", "matching/index.pxd"])
def test_a_build_is_used_only_for_the_source_it_was_built_from(source_tree, edited):
    build = compiled.build_directory() / "matching"
    build.mkdir(parents=True)
    assert _search_path() == [str(build), "matching-source"]

    with (source_tree / edited).open("a") as source:
        source.write("# edited\n")
    compiled.build_directory.cache_clear()

    assert compiled.build_directory() / "matching" != build
    assert _search_path() == ["matching-source"]


def test_pure_python_is_forced_with_the_environment_variable(source_tree, monkeypatch):
    (compiled.build_directory() / "matching").mkdir(parents=True)
    monkeypatch.setenv(compiled.PURE, "1")

    assert _search_path() == ["matching-source"]
