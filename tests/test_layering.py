"""The seams of the package, read from the source (the AST of every module under src/landasset).

Three rules:

1. **No private names across packages.** A module never imports a private name (``_x``)
   of another package. A private *module* (``landasset.measures._common``) serves its
   package and the packages inside it, so ``landasset._errors`` or ``landasset._stages``
   serve the whole library while ``landasset.measures._common`` serves only
   ``landasset.measures``. A private *name inside a module* (``landasset.io._atomic``)
   serves the modules of that module's own package (``landasset.site`` may use
   ``landasset.schema._nonfinite``; ``landasset.cli.sample`` may not use
   ``landasset.io._atomic``). ``from m import _x``, ``from pkg import _mod`` and
   ``alias._x`` on an imported module all count; dunders (``__version__``) are public.
2. **No import cycles** between modules, imports inside functions included: a cycle
   hidden in a function body is still two modules that each need the other, and it
   is where circles hide (``io``/``site`` and ``cli._common``/``cli.lifecycle`` both
   did). Only imports under ``if TYPE_CHECKING:`` are left out: they never run and
   exist to annotate across a dependency that points the other way.
3. **Layering** io → site → measures → suitability / lifecycle / efficiency → viz → cli:
   a module never imports one of a higher layer (runtime, function-level and
   type-checking imports alike), and suitability, lifecycle and efficiency never
   import each other.

When this test was written the first rule found, outside lifecycle/ and
measures/network.py: ``cli._common`` ← ``io._writable_format``, ``cli.sample`` ←
``io._atomic`` and ``suitability.model`` ← ``measures.batch._LAYER`` / ``_REGISTRY``
(now ``io.writable_format``, ``io.atomic_write`` and ``measures.batch.LAYER_PARAMETERS``);
the second found ``io`` ↔ ``site`` and ``cli._common`` ↔ ``cli.lifecycle``.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

import landasset

ROOT = "landasset"
SOURCE = Path(landasset.__file__).parent

#: Private imports across packages that are known and wait for a module's split:
#: ``(importing module, "module.name" imported)``. Only lifecycle/ and
#: measures/network.py may appear here; each entry goes when that module is split
#: (the ledger into storage, batch checks and lineage; network into its parts).
#: Empty today: neither imports another package's private names, nor is imported so.
ALLOWED_PRIVATE: frozenset[tuple[str, str]] = frozenset()

#: Where the allow-list may point (see ALLOWED_PRIVATE).
_ALLOWED_AREAS = ("landasset.lifecycle", "landasset.measures.network")

#: Layers from the bottom; a module may import only its own layer and the ones below.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "base",
        (
            "landasset._errors",
            "landasset._dates",
            "landasset._compat",
            "landasset._config",
            "landasset._sqlite",
            "landasset._postgres",
            "landasset._vocab",
            "landasset._lazy",
            "landasset._topology",
            "landasset._buildings",
            "landasset._stages",
            "landasset.units",
            "landasset.crs",
            "landasset.landuse",
            "landasset.schema",
            "landasset.styles",
            "landasset.index",
            # one investment minimum table for lifecycle and efficiency alike
            "landasset.investment",
        ),
    ),
    ("io", ("landasset.io", "landasset.postgis")),
    # the sample generators build Sites; the sample history also knows the stages
    ("site", ("landasset.site", "landasset.sample", "landasset._samplegen")),
    ("measures", ("landasset.measures",)),
    (
        "analysis",
        (
            "landasset.suitability",
            "landasset.lifecycle",
            "landasset.efficiency",
            "landasset._samplegen.history",
        ),
    ),
    # the fiscal appraisal reads the ledger and the per-mu evaluation
    ("appraisal", ("landasset.fiscal",)),
    # incoming projects read suitability profiles; matching builds on them
    ("projects", ("landasset.projects",)),
    ("viz", ("landasset.viz",)),
    # dask: measures and scores partitioned parcel sets on a cluster
    ("scale", ("landasset.scale", "landasset._dask_plugins", "landasset._window")),
    # the OGC API service calls the analyses; the CLI starts it
    ("serve", ("landasset.serve",)),
    ("cli", ("landasset.cli", "landasset.__main__")),
)

#: Packages of one layer that stay independent of each other.
SIBLINGS = ("landasset.suitability", "landasset.lifecycle", "landasset.efficiency")

#: What the package root (the facade that re-exports the API, above every layer) may
#: give to the modules below it.
ROOT_NAMES = ("__version__",)


@dataclass(frozen=True)
class Ref:
    """One thing a module imports: ``target`` (a module) and ``name`` in it, if any."""

    module: str
    target: str
    name: str | None
    line: int
    type_only: bool

    @property
    def dotted(self) -> str:
        return self.target if self.name is None else f"{self.target}.{self.name}"


# -- reading the source ----------------------------------------------------------------


def module_sources(source: Path = SOURCE) -> dict[str, str]:
    """Module name → source text, for every module of the package."""
    out = {}
    for path in sorted(source.rglob("*.py")):
        parts = [ROOT, *path.relative_to(source).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path.read_text(encoding="utf-8")
    return out


def _packages(sources: Mapping[str, str], package_names: Iterable[str]) -> set[str]:
    return set(package_names) | {m.rsplit(".", 1)[0] for m in sources if "." in m}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", None)
            if name == "TYPE_CHECKING":
                for stmt in node.body:
                    inside.update(id(n) for n in ast.walk(stmt))
    return inside


def imports(sources: Mapping[str, str], packages: set[str]) -> list[Ref]:
    """Every reference of a module to another module of the package, or to a name in one."""
    refs: list[Ref] = []
    for module, text in sources.items():
        tree = ast.parse(text)
        typing_only = _type_checking_nodes(tree)
        own_package = module if module in packages else module.rsplit(".", 1)[0]
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            type_only = id(node) in typing_only
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = own_package.split(".")
                    base = base[: len(base) - node.level + 1]
                    source = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                if source != ROOT and not source.startswith(ROOT + "."):
                    continue
                for alias in node.names:
                    full = f"{source}.{alias.name}"
                    if full in sources:
                        refs.append(Ref(module, full, None, node.lineno, type_only))
                        aliases[alias.asname or alias.name] = full
                    else:
                        refs.append(Ref(module, source, alias.name, node.lineno, type_only))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == ROOT or alias.name.startswith(ROOT + "."):
                        refs.append(Ref(module, alias.name, None, node.lineno, type_only))
                        if alias.asname:
                            aliases[alias.asname] = alias.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
            ):
                target = aliases[node.value.id]
                refs.append(Ref(module, target, node.attr, node.lineno, id(node) in typing_only))
    return refs


# -- the three rules ---------------------------------------------------------------------


def _private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def private_violations(
    sources: Mapping[str, str], packages: set[str], refs: Iterable[Ref]
) -> list[tuple[str, str, int]]:
    """(module, "target.name", line) for each private name used outside where it serves."""
    out = []
    for ref in refs:
        parts = ref.dotted.split(".")
        first = next((i for i, p in enumerate(parts) if _private(p)), None)
        if first is None:
            continue
        here = ref.module if ref.module in packages else ref.module.rsplit(".", 1)[0]
        prefix = ".".join(parts[:first])
        if ".".join(parts[: first + 1]) in sources:
            # a private module serves its package and the packages inside it
            allowed = here == prefix or here.startswith(prefix + ".")
        else:
            # a private name in a module serves that module's own package
            owner = prefix if prefix in packages else prefix.rsplit(".", 1)[0]
            allowed = here == owner
        if not allowed:
            out.append((ref.module, ref.dotted, ref.line))
    return out


def cycles(refs: Iterable[Ref]) -> list[list[str]]:
    """The import cycles (strongly connected groups of two or more modules), sorted."""
    graph: dict[str, set[str]] = {}
    for ref in refs:
        if not ref.type_only and ref.target != ref.module:
            graph.setdefault(ref.module, set()).add(ref.target)
            graph.setdefault(ref.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:  # Tarjan, iterative
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return sorted(found)


def layer_of(module: str) -> tuple[int, str]:
    """(rank, area) of a module: rank in LAYERS, area the entry of LAYERS it falls in."""
    if module == ROOT:
        return len(LAYERS), ROOT
    found = [
        (len(member), rank, member)
        for rank, (_, members) in enumerate(LAYERS)
        for member in members
        if module == member or module.startswith(member + ".")
    ]
    if found:  # the most specific entry wins: a module may sit above its package
        _, rank, member = max(found)
        return rank, member
    raise AssertionError(f"{module} is in no layer; add it to LAYERS in tests/test_layering.py")


def layering_violations(refs: Iterable[Ref]) -> list[tuple[str, str, int]]:
    """(module, target, line) for each import of a higher layer or of a sibling package."""
    out = []
    for ref in refs:
        if ref.module == ROOT or ref.target == ref.module:
            continue
        if ref.target == ROOT and ref.name in ROOT_NAMES:
            continue
        (low_rank, low_area), (high_rank, high_area) = layer_of(ref.module), layer_of(ref.target)
        sideways = low_area != high_area and low_area in SIBLINGS and high_area in SIBLINGS
        if high_rank > low_rank or sideways:
            out.append((ref.module, ref.dotted, ref.line))
    return out


# -- the package itself -------------------------------------------------------------------


@pytest.fixture(scope="module")
def package() -> tuple[dict[str, str], set[str], list[Ref]]:
    sources = module_sources()
    packages = _packages(sources, [])
    return sources, packages, imports(sources, packages)


def test_the_package_is_read_whole(package):
    sources, packages, refs = package
    assert {"landasset.io", "landasset.site", "landasset.suitability.model"} <= set(sources)
    assert {"landasset", "landasset.cli", "landasset.suitability"} <= packages
    assert len(sources) > 60 and len(refs) > 300


def test_no_private_names_across_packages(package):
    sources, packages, refs = package
    found = private_violations(sources, packages, refs)
    unexpected = [v for v in found if (v[0], v[1]) not in ALLOWED_PRIVATE]
    assert unexpected == [], (
        "private names used outside their package; make them public in a private module "
        f"of the package that needs them, or move them: {unexpected}"
    )
    stale = ALLOWED_PRIVATE - {(m, d) for m, d, _ in found}
    assert not stale, f"allow-listed private imports that no longer happen; remove them: {stale}"


def test_the_allow_list_covers_only_modules_waiting_for_their_split():
    for module, dotted in ALLOWED_PRIVATE:
        assert any(
            name == area or name.startswith(area + ".")
            for name in (module, dotted)
            for area in _ALLOWED_AREAS
        ), (module, dotted)


def test_no_import_cycles(package):
    _, _, refs = package
    assert cycles(refs) == []


def test_lower_layers_never_import_higher_ones(package):
    _, _, refs = package
    assert layering_violations(refs) == []


def test_every_module_has_a_layer(package):
    sources, _, _ = package
    for module in sources:
        layer_of(module)


# -- the checks catch what they should (synthetic packages) ----------------------------


def _fake(modules: Mapping[str, str], packages: Iterable[str] = ()) -> tuple:
    sources = {name: textwrap.dedent(text) for name, text in modules.items()}
    pkgs = _packages(sources, [ROOT, *packages])
    return sources, pkgs, imports(sources, pkgs)


PRIVATE_CASES = [
    # (importer source, found as a violation?)
    ("from landasset.io import _atomic", True),
    ("from landasset.io import format_for", False),
    ("import landasset.io as lio\nlio._atomic", True),
    ("import landasset.io\nlandasset.io.format_for", False),
    ("from landasset.measures._common import Cache", True),
    ("from landasset.measures import _common", True),
    ("from landasset import _stages", False),
    ("from landasset._errors import SchemaError", False),
    ("from landasset import __version__", False),
    ("def f():\n    from landasset.io import _atomic", True),
]


@pytest.mark.parametrize(("text", "violation"), PRIVATE_CASES)
def test_private_rule_on_a_module_of_another_package(text, violation):
    sources, pkgs, refs = _fake(
        {
            "landasset.cli.sample": text,
            "landasset.io": "",
            "landasset._stages": "",
            "landasset._errors": "",
            "landasset.measures": "",
            "landasset.measures._common": "",
        },
        ["landasset.cli", "landasset.measures"],
    )
    found = [v for v in private_violations(sources, pkgs, refs) if v[0] == "landasset.cli.sample"]
    assert bool(found) is violation, found


def test_private_rule_within_a_package():
    sources, pkgs, refs = _fake(
        {
            "landasset.site": "from landasset.schema import _nonfinite",
            "landasset.schema": "_nonfinite = None",
            "landasset.measures": "",
            "landasset.measures.batch": (
                "from landasset.measures import network as _n\n"
                "from landasset.measures._common import Cache\n_n._walk"
            ),
            "landasset.measures.network": "",
            "landasset.measures._common": "",
            "landasset.measures.deep": "",
            "landasset.measures.deep.x": "from landasset.measures._common import Cache",
            "landasset.measures.deep.y": "from landasset.measures.batch import _REGISTRY",
        },
        ["landasset.measures", "landasset.measures.deep"],
    )
    found = private_violations(sources, pkgs, refs)
    # a private module serves subpackages; a private name in a module does not
    assert found == [("landasset.measures.deep.y", "landasset.measures.batch._REGISTRY", 1)]


def test_cycles_include_function_level_imports_but_not_type_checking_ones():
    _, _, refs = _fake(
        {
            "landasset.a": "def f():\n    from landasset.b import x",
            "landasset.b": "from landasset.c import y",
            "landasset.c": "import landasset.a",
            "landasset.d": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import landasset.e",
            "landasset.e": "import landasset.d",
            "landasset.f": "import landasset.f",
        }
    )
    assert cycles(refs) == [["landasset.a", "landasset.b", "landasset.c"]]


def test_layering_catches_upward_and_sideways_imports():
    _, _, refs = _fake(
        {
            "landasset.io": "def f():\n    from landasset.site import read_site",
            "landasset.site": "from landasset.io import read_layers",
            "landasset.measures.batch": "from landasset.site import Site",
            "landasset.efficiency.land": "from landasset.lifecycle import Ledger",
            "landasset.lifecycle.kpi": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                "    from landasset.viz import maps"
            ),
            "landasset.viz.maps": "from landasset.efficiency import evaluate",
            "landasset.cli._main": "from landasset import __version__, Site",
        },
        ["landasset.measures", "landasset.efficiency", "landasset.lifecycle", "landasset.viz"],
    )
    assert sorted(layering_violations(refs)) == [
        ("landasset.cli._main", "landasset.Site", 1),
        ("landasset.efficiency.land", "landasset.lifecycle.Ledger", 1),
        ("landasset.io", "landasset.site.read_site", 2),
        ("landasset.lifecycle.kpi", "landasset.viz.maps", 3),
    ]
