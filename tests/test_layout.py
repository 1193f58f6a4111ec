"""The layout holds: core is the kernel and imports no app above it; only `staff` imports every
app; delivery reaches subscriptions through its selectors, never its models."""

from __future__ import annotations

import ast
from pathlib import Path

import headlines

PACKAGE = Path(headlines.__file__).parent
APPS = {
    "subscriptions",
    "intake",
    "stories",
    "digests",
    "delivery",
    "engagement",
    "webhooks",
    "api",
    "demo",
    "staff",
}


def imports_of(app: str) -> dict[str, set[str]]:
    """Every `headlines.*` module each file of an app imports (lazy imports in functions too)."""
    found: dict[str, set[str]] = {}
    for path in sorted((PACKAGE / app).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[str(path.relative_to(PACKAGE))] = {n for n in names if n.startswith("headlines.")}
    return found


def test_core_imports_no_app_above_it() -> None:
    upward = {
        f"{path} imports {name}"
        for path, names in imports_of("core").items()
        for name in names
        if name.split(".")[1] in APPS
    }
    assert upward == set()


def test_only_staff_imports_the_staff_room() -> None:
    for app in APPS - {"staff"} | {"core"}:
        for path, names in imports_of(app).items():
            assert not any(n.startswith("headlines.staff") for n in names), path


def test_delivery_never_imports_subscriptions_models() -> None:
    for path, names in imports_of("delivery").items():
        assert not any(n.startswith("headlines.subscriptions.models") for n in names), path


def test_the_checker_sees_lazy_imports(tmp_path: Path) -> None:
    # A guard against a checker that passes because it reads nothing.
    staff = imports_of("staff")
    assert any("headlines.demo" in names for names in staff.values())
    assert any("headlines.delivery.selectors" in n for names in staff.values() for n in names)
