"""The layout stays easy to see: no import circles, imports between the apps run one way, no module over 600 lines."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# The apps from the bottom up: each may import the ones before it, never the ones after it.
LAYERS = [app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()]
WIRING = {"sanlian.settings", "sanlian.urls", "sanlian.views", "sanlian.celery", "sanlian.wsgi", "sanlian.asgi"}
MAX_LINES = 600


def project_modules() -> dict[str, Path]:
    """Every module of the apps and of ``sanlian`` (migrations excluded), by dotted name."""
    found = {}
    for package in ["sanlian", *LAYERS]:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports, at module level or inside functions."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            targets = [base] + ["{}.{}".format(base, alias.name) for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, result, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return result


def test_no_import_circles():
    assert cycles(graph()) == []


def test_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_apps_import_only_the_apps_below_them():
    layer = {app: number for number, app in enumerate(LAYERS)}
    wrong = []
    for name, targets in graph().items():
        top = name.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if top == "sanlian" and name not in WIRING and other != "sanlian":
                wrong.append((name, target))  # sanlian's helpers know no domain
            elif top in layer and other in layer and layer[other] > layer[top]:
                wrong.append((name, target))
    assert wrong == []


def test_models_do_not_import_access_rules():
    edges = graph()
    assert [(name, target) for name, targets in edges.items() if name.endswith(".models")
            for target in targets if target.endswith(".access") and not target.startswith("sanlian")] == []


def test_no_module_over_the_limit():
    long = {name: n for name, path in project_modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
