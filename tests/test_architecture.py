"""Apps depend one way, and no module imports itself round a cycle.

    accounts ← images ← authors ← articles ← comments ← demo

An app imports only apps to its left. A lower app that needs something from a higher one
offers a hook instead (the comments app gives the article page its section through a
template tag). `newsroom/` wires the apps together (settings, URLs, the admin site) and may
import them all; a few of its modules are plumbing every app uses (validators, the cache,
the admin's id check), and those import no app.

Every module of every app is read, migrations and management commands included, and every
import in it counts, also one inside a function: a late import is still a dependency.
"""

import ast
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent

# Lowest first. A module may import modules of its own layer and of the layers before it.
LAYERS: Sequence[tuple[str, ...]] = (
    (
        "newsroom.admin_guards",
        "newsroom.cache",
        "newsroom.compression",
        "newsroom.frontcache",
        "newsroom.fragments",
        "newsroom.headers",
        "newsroom.migration_operations",
        "newsroom.middleware",
        "newsroom.pagecache",
        "newsroom.validators",
    ),
    ("accounts",),
    ("images",),
    ("authors",),
    ("articles",),
    ("comments",),
    ("demo",),
    ("newsroom",),
)


def layer_of(module: str, layers: Sequence[tuple[str, ...]]) -> int | None:
    """The layer of the longest name in `layers` that is `module` or a package holding it."""
    matches = [
        (len(name), index)
        for index, names in enumerate(layers)
        for name in names
        if module == name or module.startswith(f"{name}.")
    ]
    return max(matches)[1] if matches else None


def project_modules(root: Path, layers: Sequence[tuple[str, ...]]) -> dict[str, Path]:
    """Every module of the packages the layers name, by dotted name."""
    packages = {name.split(".")[0] for names in layers for name in names}
    found = {}
    for package in sorted(packages):
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports_of(module: str, path: Path, known: Iterable[str]) -> set[str]:
    """The project modules `module` imports (a name imported from a package counts as the
    submodule when there is one, else as the package)."""
    known = set(known)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                imported.add(submodule if submodule in known else source)
    resolved = set()
    for name in imported:
        # `import a.b.c` and `from a.b import c` both use the closest enclosing module.
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module:
            resolved.add(name)
    return resolved


def import_graph(root: Path, layers: Sequence[tuple[str, ...]]) -> dict[str, set[str]]:
    modules = project_modules(root, layers)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def wrong_way_imports(
    graph: Mapping[str, set[str]], layers: Sequence[tuple[str, ...]]
) -> list[str]:
    wrong = []
    for module, imported in sorted(graph.items()):
        for target in sorted(imported):
            if layer_of(target, layers) > layer_of(module, layers):
                wrong.append(f"{module} imports {target}")
    return wrong


def import_cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


# --- the project ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(PROJECT, LAYERS)


def test_every_app_is_read(graph):
    for name in ["accounts", "images", "authors", "articles", "comments", "demo", "newsroom"]:
        assert name in graph
    assert "articles.migrations.0001_initial" in graph
    assert "demo.management.commands.seed_demo" in graph
    # The reader sees through relative imports and imports inside functions.
    assert "articles.models" in graph["articles.views"]
    assert "articles.models" in graph["comments.views"]


def test_apps_import_only_apps_below_them(graph):
    assert wrong_way_imports(graph, LAYERS) == []


def test_no_module_imports_itself_round_a_cycle(graph):
    assert import_cycles(graph) == []


def test_every_module_belongs_to_a_layer(graph):
    assert [module for module in graph if layer_of(module, LAYERS) is None] == []


# --- the contract can fail ------------------------------------------------------------------


def write(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


TOY_LAYERS = (("shared",), ("low",), ("high",))


@pytest.mark.parametrize(
    "statement",
    [
        "from high.views import page",
        "import high.views",
        "from high import views",
        "def late():\n    from high.views import page\n",
    ],
)
def test_an_import_the_wrong_way_is_reported(tmp_path, statement):
    write(
        tmp_path,
        {
            "shared/__init__.py": "",
            "low/__init__.py": "",
            "low/models.py": "from shared import x\n",
            "low/views.py": statement,
            "high/__init__.py": "",
            "high/views.py": "from low.models import M\nfrom . import helpers\n",
            "high/helpers.py": "",
        },
    )

    graph = import_graph(tmp_path, TOY_LAYERS)

    assert wrong_way_imports(graph, TOY_LAYERS) == ["low.views imports high.views"]


def test_plumbing_that_imports_an_app_is_reported(tmp_path):
    layers = (("core.validators",), ("app",), ("core",))
    write(
        tmp_path,
        {
            "core/__init__.py": "",
            "core/validators.py": "from app.models import Thing\n",
            "core/urls.py": "from app import models\nfrom .validators import check\n",
            "app/__init__.py": "",
            "app/models.py": "from core.validators import check\n",
        },
    )

    graph = import_graph(tmp_path, layers)

    assert wrong_way_imports(graph, layers) == ["core.validators imports app.models"]


def test_a_cycle_inside_an_app_is_reported(tmp_path):
    write(
        tmp_path,
        {
            "low/__init__.py": "",
            "low/a.py": "from .b import thing\n",
            "low/b.py": "def f():\n    from . import c\n",
            "low/c.py": "from low import a\n",
            "low/d.py": "from . import a\n",
        },
    )

    graph = import_graph(tmp_path, TOY_LAYERS)

    assert import_cycles(graph) == [["low.a", "low.b", "low.c"]]
    assert wrong_way_imports(graph, TOY_LAYERS) == []
