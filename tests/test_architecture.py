"""The layer rule of ARCHITECTURE.md, enforced on the source tree (AST, no imports run).

Data flows one way: files -> io -> core (+ knowledge) -> pipeline -> report / cli / web.
A package may import only from packages of a strictly lower layer, plus itself;
``io`` and ``knowledge`` are siblings and may not import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "gutbrain"

#: layer of each top-level part of the package; equal layers may not import each other
LAYERS: dict[str, int] = {
    "errors": 0,
    "core": 1,
    "io": 2,
    "knowledge": 2,
    "assess": 3,
    "plan": 3,
    "pipeline": 4,
    "distributed": 5,
    "report": 5,
    "cli": 6,
    "web": 6,
    "__main__": 7,
}
#: packages that must stay pure: no file access, no printing, no process exit
PURE = {"core", "assess", "plan"}


def _part(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _sources() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if _part(p) != "__init__")


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


def test_every_part_has_a_layer() -> None:
    parts = {_part(p) for p in _sources()}
    assert parts <= set(LAYERS), f"unassigned parts: {parts - set(LAYERS)}"


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(SRC)))
def test_layer_rule(path: Path) -> None:
    here = _part(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for lineno, name in _imports(tree):
        if not name.startswith("gutbrain."):
            continue
        target = name.split(".")[1]
        if target not in LAYERS or target == here:
            continue
        assert LAYERS[target] < LAYERS[here], (
            f"{path.relative_to(SRC)}:{lineno} imports {name}: layer {here} "
            f"({LAYERS[here]}) may not import {target} ({LAYERS[target]})"
        )


@pytest.mark.parametrize(
    "path", [p for p in _sources() if _part(p) in PURE], ids=lambda p: str(p.relative_to(SRC))
)
def test_pure_layers_do_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in {"open", "print", "exit", "input"}, (
                f"{path.relative_to(SRC)}:{node.lineno} calls {node.func.id}()"
            )
    for _, name in _imports(tree):
        assert name.split(".")[0] not in {"sys", "pathlib", "shutil", "subprocess", "gzip"}, (
            f"{path.relative_to(SRC)} imports {name}"
        )


def test_the_rule_catches_a_violation(tmp_path: Path) -> None:
    tree = ast.parse("from gutbrain.pipeline import run_modules\n")
    names = [n for _, n in _imports(tree)]
    assert LAYERS[names[0].split(".")[1]] > LAYERS["core"]
