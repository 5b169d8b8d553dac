"""Imports go one way: engine at the bottom, then the ground floor, then the feature apps, then
the site shell (shared/STYLE.md). Every import in studyapp/ is read from the source, function-level
ones included, so a loop cannot hide inside a function."""

import ast
from pathlib import Path

from django.conf import settings

PACKAGE = Path(settings.BASE_DIR, "studyapp")
ENGINE = "studyapp.sandbox.runtime"
GROUND = ("studyapp.content", "studyapp.core", "studyapp.env", "studyapp.settings", "studyapp.settings_test")
FEATURES = ("studyapp.topics", "studyapp.quiz", "studyapp.sandbox")
SHELL = ("studyapp.shell", "studyapp.urls", "studyapp.wsgi", "studyapp.asgi")
# The one door a feature app may open into another: the sandbox's engine-per-process service.
SERVICE_MODULES = ("studyapp.sandbox.service",)


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer(module: str) -> tuple[int, str]:
    if _within(module, ENGINE):
        return 0, ENGINE
    for rank, group in ((1, GROUND), (2, FEATURES), (3, SHELL)):
        for prefix in group:
            if _within(module, prefix):
                return rank, prefix
    raise AssertionError(f"{module} belongs to no layer: add it to tests/architecture/test_import_layers.py")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_imports(path: Path, here: str):
    """(imported module, line, is function-level) for every import of studyapp in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            nested.update(id(inner) for inner in ast.walk(node) if inner is not node)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import: resolve against this package
                package = here.split(".")[: -node.level] if path.name != "__init__.py" else here.split(".")
                base = ".".join(package + ([base] if base else []))
            names = [f"{base}.{alias.name}" for alias in node.names] if base == "studyapp" else [base]
        else:
            continue
        for name in names:
            if _within(name, "studyapp"):
                yield name, node.lineno, id(node) in nested


def source_files():
    # studyapp/__init__.py is empty: the package itself is no layer.
    return [p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts and p != PACKAGE / "__init__.py"]


def all_imports():
    for path in source_files():
        for target, line, in_function in project_imports(path, module_name(path)):
            yield path, module_name(path), target, line, in_function


def test_every_module_belongs_to_a_layer():
    for path in source_files():
        layer(module_name(path))


def test_no_import_goes_down_to_up():
    wrong = []
    for path, source, target, line, _ in all_imports():
        (source_rank, source_group), (target_rank, _) = layer(source), layer(target)
        if target_rank > source_rank:
            wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {source_group} imports {target}")
    assert not wrong, "imports that go up a layer:\n" + "\n".join(wrong)


def test_the_engine_imports_nothing_of_the_project_above_it():
    wrong = [
        f"{path}:{line} imports {target}"
        for path, source, target, line, _ in all_imports()
        if _within(source, ENGINE) and not _within(target, ENGINE)
    ]
    assert not wrong, wrong


def test_feature_apps_use_each_other_only_through_a_service_function():
    wrong = []
    for path, source, target, line, _ in all_imports():
        (source_rank, source_group), (target_rank, target_group) = layer(source), layer(target)
        crossing = source_rank == target_rank == 2 and source_group != target_group
        if crossing and not any(_within(target, service) for service in SERVICE_MODULES):
            wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {source} imports {target}")
    assert not wrong, "feature apps reaching into each other:\n" + "\n".join(wrong)


def test_no_loops_between_packages():
    edges: dict[str, set[str]] = {}
    for _, source, target, _, _ in all_imports():
        if _within(source, ENGINE) or _within(target, ENGINE):
            continue
        source_group, target_group = layer(source)[1], layer(target)[1]
        if source_group != target_group:
            edges.setdefault(source_group, set()).add(target_group)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in edges.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    loops = sorted(group for group in edges if reaches(group, group, {group}))
    assert not loops, f"packages that import themselves through others: {loops} ({edges})"


def test_function_level_imports_only_register_things_at_app_start():
    """An import inside a function usually hides a loop; apps.ready() is the one place it belongs."""
    hidden = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {target}"
        for path, _, target, line, in_function in all_imports()
        if in_function and path.name != "apps.py"
    ]
    assert not hidden, "function-level imports of the project:\n" + "\n".join(hidden)


def test_the_checker_sees_a_wrong_way_import(tmp_path):
    """The rules above can fail: a ground-floor module importing a view is caught."""
    source = "def f():\n    from studyapp.quiz.views import home\n"
    probe = tmp_path / "probe.py"
    probe.write_text(source)
    found = list(project_imports(probe, "studyapp.content.probe"))
    assert found == [("studyapp.quiz.views", 2, True)]
    assert layer("studyapp.content.topics")[0] < layer(found[0][0])[0]


def runtime_import_graph() -> dict[str, set[str]]:
    """Engine module -> the engine modules it imports (TYPE_CHECKING ones included)."""
    graph = {}
    for path in sorted((PACKAGE / "sandbox" / "runtime").glob("*.py")):
        here = module_name(path)
        if here == ENGINE:
            continue  # the package's front door re-exports; it is not part of the engine's loops
        graph[here] = {
            name for name, _, _ in project_imports(path, here) if _within(name, ENGINE) and name != ENGINE
        }
    return graph


def test_the_engines_modules_import_each_other_without_a_loop():
    """A run gets a small context, the async path a run function: no module needs the engine
    back, so each piece can be tested on its own."""
    graph = runtime_import_graph()
    assert "studyapp.sandbox.runtime.engine" not in set().union(*graph.values())
    visiting, done = set(), set()

    def visit(module, trail):
        if module in done:
            return
        assert module not in visiting, "import loop: " + " -> ".join([*trail, module])
        visiting.add(module)
        for target in graph.get(module, ()):
            visit(target, [*trail, module])
        visiting.discard(module)
        done.add(module)

    for module in graph:
        visit(module, [])
