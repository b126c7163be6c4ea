"""The house's shape: dependencies point one way, no module imports another that imports it back."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PILLARS = ("elections", "mandates", "mediation")
PACKAGES = ("institutions", *PILLARS)
TOP_MODULES = ("app", "config", "extensions")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules() -> dict[str, Path]:
    """Every module of the app (not tests, benchmarks or migrations), by dotted name."""
    modules = {name: ROOT / f"{name}.py" for name in TOP_MODULES}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            modules[_module_name(path)] = path
    return modules


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """The app modules a module imports, at the top or inside functions alike (both run, both tie)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # `from package import module` depends on the module itself, not on the whole package.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the app modules it imports."""
    known = set(modules)
    return {name: imports_of(path, name, known) for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or round a circle (Tarjan's components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _top(module: str) -> str:
    return module.split(".")[0]


def wrong_way(graph: dict[str, set[str]]) -> list[str]:
    """Imports against the house's direction: the core importing a pillar, a pillar importing another."""
    problems = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            source, goal = _top(module), _top(target)
            if source == "institutions" and goal in PILLARS:
                problems.append(f"{module} (core) imports the pillar module {target}")
            elif source in PILLARS and goal in PILLARS and goal != source:
                problems.append(f"{module} imports {target} of another pillar")
    return problems


@pytest.fixture(scope="module")
def graph():
    return import_graph(app_modules())


def test_the_core_imports_no_pillar_and_no_pillar_imports_another(graph):
    assert wrong_way(graph) == []


def test_no_two_modules_import_each_other(graph):
    assert circles(graph) == []


def test_the_checks_see_a_circle_and_a_wrong_way_import(tmp_path):
    """The walker itself: a planted circle and planted wrong-way imports are reported."""
    for package, files in {
        "institutions": {"a.py": "from institutions import b\n", "b.py": "def f():\n    from institutions.a import x\n",
                         "c.py": "import mediation.cases\n"},
        "mediation": {"cases.py": "from elections.models import Election\n"},
        "elections": {"models.py": "Election = 1\n"},
    }.items():
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
        for filename, text in files.items():
            (tmp_path / package / filename).write_text(text)
    modules = {".".join(path.relative_to(tmp_path).with_suffix("").parts).removesuffix(".__init__"): path
               for path in tmp_path.rglob("*.py")}
    planted = import_graph(modules)
    assert circles(planted) == [["institutions.a", "institutions.b"]]
    assert wrong_way(planted) == ["institutions.c (core) imports the pillar module mediation.cases",
                                  "mediation.cases imports elections.models of another pillar"]


def test_mediation_is_a_pillar_and_the_core_stays_small():
    assert (ROOT / "mediation" / "feature.py").is_file()
    assert not (ROOT / "institutions" / "cases").exists()
    lines = sum(len(path.read_text(encoding="utf-8").splitlines()) for path in (ROOT / "institutions").rglob("*.py"))
    assert lines < 8000, f"institutions/ holds {lines} lines"


@pytest.mark.parametrize("pillar", PILLARS)
def test_every_pillar_has_the_same_shape(pillar):
    base = ROOT / pillar
    for name in ("models.py", "permissions.py", "access.py", "clock.py", "feature.py", "cli.py", "demo.py"):
        assert (base / name).is_file(), f"{pillar}/{name} is missing"
    for package in ("views", "api"):
        assert (base / package / "__init__.py").is_file(), f"{pillar}/{package}/ is not a package"
