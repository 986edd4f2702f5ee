"""The layering of docs/architecture.md, kept true: every import of a project module (at the top
of a module or inside a function) points down the tiers below, no two modules import each
other, and no group of packages imports itself round in a circle.

The graph is read from the source with ``ast``; imports under ``if TYPE_CHECKING:`` are left
out (they never run)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("dsgrid_core", "app")

# Low to high: a package may import the packages of its own tier and of lower tiers only (with
# no circle: test_no_packages_import_each_other_round_a_circle).
TIERS: list[set[str]] = [
    {
        "dsgrid_core.errors",
        "dsgrid_core.settings",
        "dsgrid_core.numbers",
        "dsgrid_core.sql",
        "dsgrid_core.sqlrows",
        "dsgrid_core.private_dirs",
        "dsgrid_core",  # __version__ alone
    },
    {"dsgrid_core.config"},  # the pydantic models of every format
    {"dsgrid_core.timealign", "dsgrid_core.data", "dsgrid_core.demo"},
    {
        "dsgrid_core.engine",
        "dsgrid_core.infer",
        "dsgrid_core.validate",
        "dsgrid_core.uploads",
        "dsgrid_core.mapping_edit",
    },
    {"dsgrid_core.forms"},
    {"dsgrid_core.registry"},  # knows nothing of queries, jobs or what the pages show
    {"dsgrid_core.query"},
    {"dsgrid_core.jobs"},
    {"dsgrid_core.browse"},
    {"dsgrid_core.service"},
    {"app"},  # the web server: pages, components and the /api/v1 routes
    {"dsgrid_core.cli"},  # `dsgrid serve` starts the web server
]


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imported(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: from the module's own package
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    return [f"{base}.{alias.name}" for alias in node.names]


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (anywhere in its file)."""
    modules = _modules()
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        skipped = {
            id(inner)
            for node in ast.walk(tree)
            if _is_type_checking(node)
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom) or id(node) in skipped:
                continue
            for name in _imported(module, path, node):
                while name and name not in modules:  # a name inside a module: the module
                    name = name.rpartition(".")[0]
                if name and name != module:
                    graph[module].add(name)
    return graph


def tier_of(module: str) -> tuple[int, str]:
    """(tier, package) of a module: the longest package name of TIERS it belongs to."""
    best = None
    for index, packages in enumerate(TIERS):
        for package in packages:
            if (module == package or module.startswith(package + ".")) and (
                best is None or len(package) > len(best[1])
            ):
                best = (index, package)
    assert best is not None, f"{module} is in no tier: add its package to TIERS"
    return best


GRAPH = import_graph()


def test_the_graph_is_read():
    """The reader sees the imports the code has (a check that cannot fail would be hollow)."""
    assert "dsgrid_core.registry.store" in GRAPH["dsgrid_core.registry.registry"]
    assert "dsgrid_core.config.query" in GRAPH["dsgrid_core.query.run"]
    assert len(GRAPH) > 150


def test_every_import_points_down_the_tiers():
    upward = []
    for module, imported in sorted(GRAPH.items()):
        tier, package = tier_of(module)
        for name in sorted(imported):
            other_tier, other_package = tier_of(name)
            if other_tier > tier:
                upward.append(f"{module} -> {name}")
    assert upward == []


def test_no_two_modules_import_each_other():
    pairs = sorted(
        f"{a} <-> {b}"
        for a, names in GRAPH.items()
        for b in names
        if a < b and a in GRAPH.get(b, ())
    )
    assert pairs == []


def test_no_packages_import_each_other_round_a_circle():
    """Packages (``dsgrid_core.query``, ``app.api``, ...) with their imports form no cycle."""

    def package(module: str) -> str:
        return ".".join(module.split(".")[:2])

    edges: dict[str, set[str]] = defaultdict(set)
    for module, names in GRAPH.items():
        for name in names:
            if package(name) != package(module):
                edges[package(module)].add(package(name))
    cycles = _cycles(edges)
    assert cycles == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one node (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_registry_store_is_reached_through_the_facade_only():
    """Outside dsgrid_core/registry, nothing touches a registry's store or its private
    attributes: the Registry facade is the only door (the objects a front door calls its
    registry are named ``registry``, ``reg``, ``source`` or ``target``, or come from
    ``state.registry()``)."""
    reached = []
    for module, path in _modules().items():
        if module.startswith("dsgrid_core.registry"):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Attribute):
                continue
            owner = ast.unparse(node.value)
            registry_like = owner in {"registry", "reg", "source", "target"} or owner.endswith(
                "registry()"
            )
            private = node.attr.startswith("_") and not node.attr.startswith("__")
            if registry_like and (node.attr == "store" or private):
                reached.append(f"{module}:{node.lineno} {owner}.{node.attr}")
    assert reached == []


# --- the front doors ---------------------------------------------------------------------------

FRONT_DOORS = ("dsgrid_core.cli", "app")
# What a front door (the CLI, the pages, the API routes) may import of the core: the service
# and the vocabulary every layer shares (errors, settings, config models, numbers). The query
# builder's state (a page's URL <-> a query) and the unit table are pure data of the pages; the
# ENGINES name table is a vocabulary. Everything else is reached through dsgrid_core.service.
FRONT_DOOR_MAY_IMPORT = (
    "dsgrid_core.service",
    "dsgrid_core.errors",
    "dsgrid_core.settings",
    "dsgrid_core.config",
    "dsgrid_core.numbers",
    "dsgrid_core.private_dirs",
    "dsgrid_core.query.builder",
    "dsgrid_core.query.units",
    "dsgrid_core.forms",  # what the web forms build from their fields (pure)
    "dsgrid_core.infer",  # guesses from an uploaded file (pure)
    "dsgrid_core.mapping_edit",  # a mapping's rows edited in a form (pure)
    "dsgrid_core.uploads",  # the upload sessions of the web forms
    "dsgrid_core.data.records",  # reading a record file a form was given
    "dsgrid_core.browse.paging.parse_sort",  # "name,-version" -> pairs (pure)
    "dsgrid_core.browse.records.record_columns",  # the columns of a list of records (pure)
)
# Names a front door may take from a module it may not import whole: constants and types
# (UPPER_CASE and CapWords names), which describe answers, never compute them.
VOCABULARY_MODULES = ("dsgrid_core.browse", "dsgrid_core.engine")


def _reach_throughs(module: str, path: Path, source: str, modules) -> list[str]:
    """The imports of ``source`` (the text of front-door ``module``) that reach past the
    service: neither allowed whole nor a vocabulary name."""
    found = []
    for node in ast.walk(ast.parse(source, str(path))):
        if not isinstance(node, ast.Import | ast.ImportFrom) or _is_type_checking(node):
            continue
        for name in _imported(module, path, node):
            if not name.startswith("dsgrid_core.") or name.startswith(FRONT_DOORS):
                continue
            if name.startswith(FRONT_DOOR_MAY_IMPORT) or name == "dsgrid_core.__version__":
                continue
            owner, _, last = name.rpartition(".")
            vocabulary = owner.startswith(VOCABULARY_MODULES) and owner in modules
            if vocabulary and last[:1].isupper():
                continue
            found.append(f"{module} -> {name}")
    return found


def test_front_doors_reach_the_core_through_the_service():
    modules = _modules()
    found = [
        line
        for module, path in sorted(modules.items())
        if module.startswith(FRONT_DOORS)
        for line in _reach_throughs(module, path, path.read_text(), modules)
    ]
    assert found == []


def test_the_front_door_rule_tells_a_reach_through_from_a_vocabulary_name():
    modules = _modules()
    source = (
        "from dsgrid_core.registry.registry import Registry\n"
        "from dsgrid_core.browse.paging import Page, page_rows\n"
        "from dsgrid_core.service import open_registry\n"
        "def f():\n    from dsgrid_core.jobs.store import JobStore\n"
    )
    found = _reach_throughs("app.pages.x", ROOT / "app/pages/x.py", source, modules)
    assert found == [
        "app.pages.x -> dsgrid_core.registry.registry.Registry",
        "app.pages.x -> dsgrid_core.browse.paging.page_rows",
        "app.pages.x -> dsgrid_core.jobs.store.JobStore",
    ]


# --- imports at the top ------------------------------------------------------------------------

LATE = "# late"  # e.g. `import pandas as pd  # late: pandas`


def _unmarked_local_imports(path: Path, source: str) -> list[str]:
    """Imports inside a function of ``source`` that do not say why they are late: a comment
    starting with ``# late`` on one of the import's lines or on the line right above it."""
    lines = source.splitlines()
    inside = {
        id(sub): sub
        for node in ast.walk(ast.parse(source, str(path)))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for sub in ast.walk(node)
        if isinstance(sub, ast.Import | ast.ImportFrom)
    }
    found = []
    for node in sorted(inside.values(), key=lambda n: n.lineno):
        own = lines[node.lineno - 1 : node.end_lineno or node.lineno]
        above = lines[node.lineno - 2].strip() if node.lineno >= 2 else ""
        if not any(LATE in line for line in own) and not (above.startswith("#") and LATE in above):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {own[0].strip()}")
    return found


def test_imports_are_at_the_top_unless_they_say_why_they_are_late():
    """A function-local import is a deliberate choice (a heavy library, `dsgrid --help` kept
    fast) and says so; anything else goes to the top of its module, where cycles show."""
    found = [
        line
        for path in sorted(_modules().values())
        for line in _unmarked_local_imports(path, path.read_text())
    ]
    assert found == []


def test_the_late_import_rule_reads_functions_only():
    source = (
        "import os\n"
        "def f():\n"
        "    import json\n"
        "    import pandas as pd  # late: pandas\n"
        "    # late: pyarrow\n"
        "    import pyarrow\n"
    )
    path = ROOT / "app" / "x.py"
    assert _unmarked_local_imports(path, source) == ["app/x.py:3: import json"]
