"""Rules the code base keeps: modules import each other in one direction, and test assertions say
what they mean."""

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "pipeline"


def _module_name(path: Path) -> str:
    return "flows" if path == ROOT / "flows.py" else f"pipeline.{path.stem}"


def import_graph() -> dict[str, set[str]]:
    """Which of our modules each of our modules imports, at the top or inside a function (a lazy
    import still ties the two modules together)."""
    files = sorted(PACKAGE.glob("*.py")) + [ROOT / "flows.py"]
    ours = {_module_name(f) for f in files}
    graph: dict[str, set[str]] = {}
    for f in files:
        name = _module_name(f)
        deps: set[str] = set()
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"), str(f))):
            if isinstance(node, ast.ImportFrom):
                base = "pipeline" if node.level == 1 else (node.module or "")
                if node.level == 1 and node.module:
                    base = f"pipeline.{node.module}"
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            deps.update(t for t in targets if t in ours and t != name)
        graph[name] = deps
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return path[path.index(dep):] + [dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    assert "pipeline.isolation" in graph["pipeline.batch"]  # the graph is really read
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph) or [])


def test_prefect_is_imported_only_by_flows():
    users = []
    for f in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "prefect" or n.startswith(("prefect.", "prefect_")) for n in names):
                users.append(f.name)
    assert users == []


def _mixed_and_or(test: ast.expr, source: str) -> list[int]:
    """Lines where ``or`` takes an ``and`` operand that is not parenthesised: ``a and b or c``
    reads as a check of a, b and c but passes whenever c is true."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(test):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            for value in node.values:
                if isinstance(value, ast.BoolOp) and isinstance(value.op, ast.And):
                    before = lines[value.lineno - 1][:value.col_offset].rstrip()
                    if not before.endswith("("):
                        found.append(value.lineno)
    return found


def test_the_mixed_and_or_check_catches_the_pattern():
    bad = "assert a and b and name in msg or row['x']\n"
    good = "assert (a and b) or c\nassert a and (b or c)\nassert a or b\n"
    assert _mixed_and_or(ast.parse(bad), bad) == [1]
    assert _mixed_and_or(ast.parse(good), good) == []


def test_no_assertion_mixes_and_with_or_unparenthesised():
    found = []
    for f in sorted((ROOT / "tests").glob("*.py")):
        source = f.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Assert):
                found += [f"{f.name}:{line}" for line in _mixed_and_or(node.test, source)]
    assert found == []
