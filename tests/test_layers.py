"""The packages import only downward (docs/architecture.md), and no module imports itself
back through others: read from the source (every import statement, also inside
functions), so a new upward import fails here before it tangles the house."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# package -> the packages of ours it may import (besides itself).
MAY_IMPORT = {
    "core": set(),
    "ledger": set(),
    "sample_feeds": {"core"},
    "ingest": {"core"},
    "aps": {"core"},
    "aps_stand_in": {"core", "sample_feeds"},
    "exports": {"core"},
    "orchestration": {"core", "ingest", "exports", "aps"},
    "flexwh": {"core", "ledger", "sample_feeds", "ingest", "exports", "aps", "aps_stand_in",
               "orchestration"},
}
DBT_MODELS = ROOT / "dbt_project" / "models"
DBT_MAY_IMPORT = {"core", "ledger"}  # the Python models: the ledger engine and user keys


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module of ours the file imports, relative imports resolved."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: list[str]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = (package[: len(package) - node.level + 1] if node.level else [])
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            # `from core import run_lock` imports the module core.run_lock.
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] in MAY_IMPORT}


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_every_package_is_listed() -> None:
    ours = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert ours == set(MAY_IMPORT)


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_packages_import_only_downward(package: str) -> None:
    upward = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sources(package) for name in imported_modules(path)
        if name.split(".")[0] not in MAY_IMPORT[package] | {package})
    assert upward == []


def test_dbt_python_models_import_only_the_engine_and_keys() -> None:
    wrong = sorted(f"{path.relative_to(ROOT)} imports {name}"
                   for path in DBT_MODELS.rglob("*.py") for name in imported_modules(path)
                   if name.split(".")[0] not in DBT_MAY_IMPORT)
    assert wrong == []


def test_no_import_cycles() -> None:
    modules = {module_name(path): path for package in MAY_IMPORT for path in sources(package)}
    # A module's own parent packages are not an edge: Python imports them first anyway.
    graph = {name: {m for m in imported_modules(path)
                    if m in modules and m != name and not name.startswith(f"{m}.")}
             for name, path in modules.items()}
    cycles = []
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*trail[trail.index(target):], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_checker_sees_upward_imports() -> None:
    # The tests above must be able to fail: an absolute, a relative and a lazy import.
    source = ("from exports import queries\nfrom .feeds import FEEDS\n"
              "def f():\n    import orchestration.jobs\n")
    found = imports_in(source, ["ingest"])
    assert found == {"exports", "exports.queries", "ingest.feeds", "ingest.feeds.FEEDS",
                     "orchestration.jobs"}


# dbt's layers, lowest first: a model refs models of its own layer or below (by folder).
DBT_LAYERS = ("staging", "intermediate", "marts")


def dbt_layer(node: dict) -> int:
    return DBT_LAYERS.index(Path(node["original_file_path"]).parts[1])


def upward_refs(nodes: dict[str, dict]) -> list[str]:
    models = {uid: node for uid, node in nodes.items() if node["resource_type"] == "model"}
    return [f"{node['name']} ({DBT_LAYERS[dbt_layer(node)]}) refs {models[ref]['name']} "
            f"({DBT_LAYERS[dbt_layer(models[ref])]})"
            for node in models.values() for ref in node["depends_on"]["nodes"]
            if ref in models and dbt_layer(models[ref]) > dbt_layer(node)]


def test_dbt_models_ref_only_their_layer_or_below(dbt_manifest: Path) -> None:
    import json

    nodes = json.loads(dbt_manifest.read_text(encoding="utf-8"))["nodes"]
    assert any(node["resource_type"] == "model" for node in nodes.values())
    assert upward_refs(nodes) == []


def test_the_dbt_checker_sees_an_upward_ref() -> None:
    def model(name: str, folder: str, *refs: str) -> tuple[str, dict]:
        return f"model.p.{name}", {"name": name, "resource_type": "model",
                                   "original_file_path": f"models/{folder}/{name}.sql",
                                   "depends_on": {"nodes": [f"model.p.{r}" for r in refs]}}

    nodes = dict([model("stg_a", "staging"), model("fct_b", "marts", "stg_a"),
                  model("int_c", "intermediate", "fct_b", "stg_a")])
    assert upward_refs(nodes) == ["int_c (intermediate) refs fct_b (marts)"]
