"""The folder tree is the architecture: each package imports only what its docstring allows.

An AST walk over every module of `bot/` (imports anywhere in a file count, including
ones inside functions and under `TYPE_CHECKING`) checks the rules below, that neither
modules nor packages import each other in a cycle, and the size rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

BOT = REPO_ROOT / "bot"

# What each part of `bot` may import from the rest of `bot` (itself always allowed).
ALLOWED: dict[str, set[str]] = {
    "bot.errors": set(),
    "bot.text": set(),
    "bot.briefings": {"bot.text", "bot.errors"},
    "bot.authoring": {"bot.briefings", "bot.text", "bot.errors"},
    "bot.digests": {"bot.briefings", "bot.text", "bot.errors"},
    "bot.store": {"bot.briefings", "bot.digests", "bot.errors"},
    "bot.delivery": {"bot.store", "bot.digests", "bot.briefings", "bot.text", "bot.errors"},
    "bot.config": {"bot.briefings", "bot.digests", "bot.errors"},
    "bot.discord": {
        "bot.authoring",
        "bot.briefings",
        "bot.config",
        "bot.delivery",
        "bot.digests",
        "bot.errors",
        "bot.store",
        "bot.text",
    },
    "bot.cli": {
        "bot.authoring",
        "bot.briefings",
        "bot.config",
        "bot.discord",
        "bot.errors",
        "bot.store",
        "bot.text",
    },
    "bot.__main__": {"bot.cli"},
    "bot": set(),
}

# Third-party packages that only some parts may import.
CONFINED: dict[str, set[str]] = {
    "discord": {"bot.discord", "bot.delivery.queue", "bot.delivery.targets"},
    "aiohttp": {"bot.discord", "bot.delivery.queue", "bot.delivery.pacing"},
    "simcord": {"bot.discord.demo"},
    "aiosqlite": {"bot.store"},
    "asyncpg": {"bot.store"},
    "sqlite3": {"bot.store", "bot.discord.runner"},
    "watchfiles": {"bot.discord.watcher"},
    "uvloop": {"bot.discord.event_loop"},
    "apscheduler": {"bot.digests.schedule", "bot.delivery.scheduler"},
}

MAX_LINES = 500


def module_name(path: Path) -> str:
    """`bot/delivery/run.py` -> `bot.delivery.run`; a package's `__init__` is the package."""
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def bot_modules() -> dict[str, Path]:
    """Every module of `bot/`, by dotted name."""
    return {module_name(path): path for path in sorted(BOT.rglob("*.py"))}


def imported_names(path: Path, module: str) -> Iterator[str]:
    """Every module a file imports, anywhere in it, as absolute dotted names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            for alias in node.names:
                yield f"{base}.{alias.name}"


def part_of(module: str) -> str:
    """The rule key that governs a module: the longest prefix in `ALLOWED`."""
    candidates = [key for key in ALLOWED if module == key or module.startswith(f"{key}.")]
    return max(candidates, key=len)


def within(module: str, prefix: str) -> bool:
    """Whether `module` is `prefix` or inside it."""
    return module == prefix or module.startswith(f"{prefix}.")


def internal_imports() -> dict[str, set[str]]:
    """For each bot module, the bot modules it imports (names resolved to real modules)."""
    modules = bot_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in imported_names(path, name):
            if not within(imported, "bot"):
                continue
            # `from bot.x import y` names a module only when y is one; else it is x.
            while imported not in modules and "." in imported:
                imported = imported.rpartition(".")[0]
            if imported != name and imported in modules:
                targets.add(imported)
        graph[name] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path that ends where it starts, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def package_of(module: str) -> str:
    """The package directly under `bot` that holds a module (or the top-level module)."""
    parts = module.split(".")
    return ".".join(parts[:2])


def test_every_module_is_governed_by_a_rule() -> None:
    for name in bot_modules():
        assert part_of(name), name


def test_each_part_imports_only_what_it_may() -> None:
    broken = []
    for name, targets in internal_imports().items():
        part = part_of(name)
        for target in targets:
            target_part = part_of(target)
            if target_part != part and not any(within(target, a) for a in ALLOWED[part]):
                broken.append(f"{name} imports {target}")
    assert broken == []


@pytest.mark.parametrize("third_party", sorted(CONFINED))
def test_third_party_packages_stay_where_they_belong(third_party: str) -> None:
    allowed = CONFINED[third_party]
    offenders = sorted(
        name
        for name, path in bot_modules().items()
        if any(within(i, third_party) for i in imported_names(path, name))
        and not any(within(name, place) for place in allowed)
    )
    assert offenders == []


def test_no_module_imports_itself_through_others() -> None:
    assert find_cycle(internal_imports()) is None


def test_no_two_packages_import_each_other() -> None:
    packages: dict[str, set[str]] = {}
    for name, targets in internal_imports().items():
        here = package_of(name)
        packages.setdefault(here, set()).update(
            package_of(t) for t in targets if package_of(t) != here
        )
    assert find_cycle(packages) is None


def test_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_rules_catch_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from bot.discord.rendering import card_embed\nimport discord\n")
    names = set(imported_names(sample, "bot.briefings.sample"))
    assert "bot.discord.rendering" in names
    assert "discord" in names
    assert not any(within("bot.discord.rendering", a) for a in ALLOWED["bot.briefings"])


def test_every_package_says_what_lives_there_and_what_it_may_import() -> None:
    for init in sorted(BOT.glob("*/__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert docstring, init
        assert "import" in docstring.lower(), f"{init}: say what the package may import"


def test_no_module_is_over_the_size_limit_unless_it_says_why() -> None:
    oversized = []
    for name, path in bot_modules().items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > MAX_LINES and f"over {MAX_LINES} lines" not in docstring:
            oversized.append(f"{name}: {lines} lines")
    assert oversized == []
