"""Arrows point down only: config → lonn → legevakt, avtaler → lister → kommune → core."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ["core", "kommune", "lister", "avtaler", "legevakt", "lonn"]
ALLOWED = {
    "core": set(),
    "kommune": {"core"},
    "lister": {"core", "kommune"},
    "avtaler": {"core", "kommune", "lister"},
    "legevakt": {"core", "kommune", "lister"},
    "lonn": {"core", "kommune", "lister", "avtaler", "legevakt"},
}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(APPS) | ({"config"} & names)


@pytest.mark.parametrize("app", APPS)
def test_app_imports_only_apps_below_it(app):
    offenders = {}
    for path in (ROOT / app).rglob("*.py"):
        bad = imported_apps(path) - ALLOWED[app] - {app}
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert not offenders, f"imports pointing up or into config: {offenders}"
