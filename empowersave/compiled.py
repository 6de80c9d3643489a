"""The matcher's modules compiled unchanged with Cython, used only while their source is the one
that was compiled.

`python -m empowersave.compiled` (`./run` does it after installing the packages) compiles MODULES
into var/compiled/<digest>/, the digest taken over their source, the Python, the Cython version,
DIRECTIVES and CFLAGS. A package's __init__ calls `prefer_compiled`, which puts that directory
first on the package's search path when it exists, so a module edited since the build has another
digest and the matcher runs as pure Python until the next build: a stale build is never loaded.

MODULES are those a decision runs (services.match_row). Compiled, normalise + search + score
(scoring.decide) over 5,096 demo people takes 27.2 % fewer instructions (callgrind, 1.625 →
1.183 billion) and runs 1.5-1.6× as fast in CPU time (warm passes, medians: 15,200 → 24,700
participants/s at load 2, 9,180 → 13,940 at load 8); the decisions are the same
(tests/matching/test_compiled.py). demographics.py is in for its 5 % of match_row's own time
(cProfile). The build takes about 2 minutes of CPU.

Compiled, the index classes and the Model are extension types (the .pxd beside their module,
`declarations`), and the functions that read them type their variables (@cython.locals), so
their attributes are C struct fields: a first pass over the 20k demo 679.7 → 624.4 M
instructions, a warm one 504.7 → 453.8 M (callgrind, 2026-12-03). The `cython` those modules
import is then Cython's pure-Python stand-in, so Cython is a run-time requirement.
Without a C compiler, or with EMPOWERSAVE_PURE_PYTHON set, everything runs as pure Python.
"""

import hashlib
import os
import shutil
import sys
import sysconfig
import tempfile
import time
from functools import lru_cache
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = (
    "matching/address_parser.py",
    "matching/address_text.py",
    "matching/house_numbers.py",
    "matching/localities.py",
    "matching/street_forms.py",
    "matching/units.py",
    "matching/query.py",
    "matching/scoring.py",
    "matching/blocking.py",
    "matching/comparison.py",
    "matching/streets.py",
    "matching/index.py",
    "matching/weights.py",
    "matching/review_blocks.py",
    "matching/demographics.py",
    "participants/fields.py",
)
DIRECTIVES = {"language_level": 3, "annotation_typing": False, "binding": True}
CFLAGS = ["-g0"]  # no debug information: the same code, 18 % less compile time than Python's -g
PURE = "EMPOWERSAVE_PURE_PYTHON"  # set (to anything) to run the matcher as pure Python
JOBS = 2


def _cython_version():
    try:
        return metadata.version("cython")
    except metadata.PackageNotFoundError:
        return None


@lru_cache(maxsize=1)
def build_directory():
    version = hashlib.blake2b(digest_size=12)
    version.update(f"{sys.version} {_cython_version()} {DIRECTIVES} {CFLAGS}".encode())
    for module in (*MODULES, *declarations()):
        version.update(module.encode())
        version.update((ROOT / module).read_bytes())
    return ROOT / "var" / "compiled" / version.hexdigest()


def declarations():
    """The .pxd files beside MODULES (matching/index.pxd): the C types a module's classes and
    variables get when compiled, which cythonize reads from beside the .py."""
    return tuple(pxd for module in MODULES if (ROOT / (pxd := f"{module[:-3]}.pxd")).is_file())


def source_of(module):
    """The .py source of a project module ("matching.scoring"), compiled or not."""
    return ROOT / f"{module.replace('.', '/')}.py"


def prefer_compiled(package_path, package):
    directory = build_directory() / package
    if directory.is_dir() and not os.environ.get(PURE):
        package_path.insert(0, str(directory))


def is_compiled(module):
    """Whether an imported module was loaded from the build (a shared library)."""
    return not module.__file__.endswith(".py")


def running_as(module):
    """One line saying how an imported module of MODULES runs, for figures measured with it."""
    if is_compiled(module):
        return f"compiled with Cython ({build_directory().relative_to(ROOT)})"
    if os.environ.get(PURE):
        return f"pure Python ({PURE} is set)"
    return "pure Python (no build of this source: `python -m empowersave.compiled`)"


def _compiler():
    """The C compiler setuptools would call, if it is installed."""
    name = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    return shutil.which(name.split()[0])


def build():
    """Compile MODULES into build_directory() (a directory of its own, then renamed into place),
    remove the builds of earlier sources, and say in one line what was done."""
    target = build_directory()
    if target.is_dir():
        return f"matcher already compiled ({target.relative_to(ROOT)})"
    if _compiler() is None:
        return "no C compiler: the matcher runs as pure Python"
    # Imported here: only a build needs them, and Cython may be missing where nothing is built.
    from Cython.Build import cythonize
    from setuptools import Extension
    from setuptools.dist import Distribution

    started = time.monotonic()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix="building-") as scratch:
        extensions = cythonize(
            [
                Extension(
                    module[:-3].replace("/", "."), [str(ROOT / module)], extra_compile_args=CFLAGS
                )
                for module in MODULES
            ],
            compiler_directives=DIRECTIVES,
            build_dir=f"{scratch}/c",
            nthreads=JOBS,
            quiet=True,
        )
        command = Distribution({"ext_modules": extensions}).get_command_obj("build_ext")
        command.build_lib, command.build_temp, command.parallel = f"{scratch}/lib", scratch, JOBS
        command.ensure_finalized()
        command.run()
        os.rename(f"{scratch}/lib", target)
    for earlier in target.parent.iterdir():
        if earlier != target and not earlier.name.startswith("building-"):
            shutil.rmtree(earlier, ignore_errors=True)
    seconds = time.monotonic() - started
    return (
        f"matcher compiled ({target.relative_to(ROOT)}, {len(MODULES)} modules in {seconds:.0f} s)"
    )


if __name__ == "__main__":
    print(build())
