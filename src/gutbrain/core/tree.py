"""An immutable rooted phylogenetic tree stored as flat arrays.

Nodes are numbered in **postorder** (every child before its parent, the root
last), so that quantities can be accumulated from the tips to the root with one
pass, or with one sparse matrix product (:meth:`Tree.node_tip_matrix`).

The tree is built from a parent list (any node order), which is what the Newick
reader in :mod:`gutbrain.io.newick` produces; building never recurses, so trees
of any depth are fine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from gutbrain.errors import InputError

__all__ = ["Tree"]


def _frozen(array: NDArray[np.generic]) -> NDArray[np.generic]:
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class Tree:
    """A rooted tree as arrays, nodes in postorder (root last).

    Attributes
    ----------
    parent:
        ``parent[v]`` is the index of the parent of node ``v``; ``-1`` for the root.
        Always ``parent[v] > v`` (postorder).
    length:
        Branch length above each node (the branch joining it to its parent); ``0.0``
        where the Newick text gave none.
    has_length:
        ``True`` where a branch length was given. Phylogenetic metrics require it on
        every non-root node, as scikit-bio does.
    names:
        Node labels (``None`` when unlabelled). For internal nodes these are often
        support values.
    tip_index:
        Tip name → node index, for every named tip.

    Examples
    --------
    >>> t = Tree.from_parents([-1, 0, 0], ["r", "a", "b"], [None, 1.0, 2.0])
    >>> t.parent.tolist(), t.length.tolist(), t.names
    ([2, 2, -1], [1.0, 2.0, 0.0], ('a', 'b', 'r'))
    >>> t.tips_of(["b", "a"]).tolist()
    [1, 0]
    """

    parent: NDArray[np.intp]
    length: NDArray[np.float64]
    has_length: NDArray[np.bool_]
    names: tuple[str | None, ...]
    is_tip: NDArray[np.bool_]
    tip_index: Mapping[str, int] = field(repr=False)

    @property
    def n_nodes(self) -> int:
        """Number of nodes, tips included."""
        return int(self.parent.shape[0])

    @property
    def n_tips(self) -> int:
        """Number of tips (named or not)."""
        return int(self.is_tip.sum())

    @classmethod
    def from_parents(
        cls,
        parents: Sequence[int],
        names: Sequence[str | None],
        lengths: Sequence[float | None],
        *,
        where: str = "tree",
    ) -> Tree:
        """Build a tree from a parent list in any node order.

        Parameters
        ----------
        parents:
            Parent index of each node, ``-1`` for the single root. Children keep the
            order in which they appear in this list.
        names:
            Label of each node or ``None``.
        lengths:
            Branch length above each node or ``None`` when missing (stored as 0.0 and
            recorded in :attr:`has_length`).
        where:
            Where the tree came from, for error messages.

        Raises
        ------
        InputError
            Not exactly one root, a cycle, or two tips with the same name.
        """
        n = len(parents)
        if n == 0 or len(names) != n or len(lengths) != n:
            raise InputError(
                "empty or inconsistent tree",
                where=where,
                found=f"{n} parents, {len(names)} names, {len(lengths)} lengths",
                expected="at least one node and one name and length per node",
            )
        roots = [i for i, p in enumerate(parents) if p < 0]
        if len(roots) != 1:
            raise InputError(
                "tree must have exactly one root",
                where=where,
                found=f"{len(roots)} roots",
                expected="one node without parent",
            )
        children: list[list[int]] = [[] for _ in range(n)]
        for i, p in enumerate(parents):
            if p >= 0:
                children[p].append(i)
        # Iterative postorder: (node, next child position) stack.
        order: list[int] = []
        stack: list[tuple[int, int]] = [(roots[0], 0)]
        while stack:
            node, k = stack.pop()
            if k < len(children[node]):
                stack.append((node, k + 1))
                stack.append((children[node][k], 0))
            else:
                order.append(node)
        if len(order) != n:
            raise InputError(
                "tree has nodes not connected to the root (a cycle)",
                where=where,
                found=f"{n - len(order)} unreachable nodes",
                expected="a single rooted tree",
            )
        new_of_old = np.empty(n, dtype=np.intp)
        new_of_old[np.asarray(order, dtype=np.intp)] = np.arange(n, dtype=np.intp)
        old_parent = np.asarray(parents, dtype=np.intp)[order]
        parent = np.where(old_parent < 0, -1, new_of_old[np.maximum(old_parent, 0)])
        length = np.array(
            [0.0 if lengths[i] is None else float(lengths[i]) for i in order],  # type: ignore[arg-type]
            dtype=np.float64,
        )
        has_length = np.array([lengths[i] is not None for i in order], dtype=np.bool_)
        new_names = tuple(names[i] for i in order)
        is_tip = np.array([not children[i] for i in order], dtype=np.bool_)
        tip_index: dict[str, int] = {}
        duplicates: list[str] = []
        for v in np.flatnonzero(is_tip).tolist():
            name = new_names[v]
            if name is None:
                continue
            if name in tip_index:
                duplicates.append(name)
            tip_index[name] = v
        if duplicates:
            shown = ", ".join(InputError.quote(d) for d in sorted(set(duplicates))[:5])
            raise InputError(
                "duplicate tip names",
                where=where,
                found=shown,
                expected="every tip name once",
                fix="rename or remove the duplicated tips",
            )
        return cls(
            parent=_frozen(parent.astype(np.intp)),  # type: ignore[arg-type]
            length=_frozen(length),  # type: ignore[arg-type]
            has_length=_frozen(has_length),  # type: ignore[arg-type]
            names=new_names,
            is_tip=_frozen(is_tip),  # type: ignore[arg-type]
            tip_index=MappingProxyType(tip_index),
        )

    def tips_of(self, feature_ids: Iterable[str], *, where: str = "table") -> NDArray[np.intp]:
        """Node indices of the tips named by ``feature_ids``, in the same order.

        Raises
        ------
        InputError
            "tree missing tips of the table", naming (up to five of) the missing ids.
        """
        ids = list(feature_ids)
        missing = [f for f in ids if f not in self.tip_index]
        if missing:
            shown = ", ".join(InputError.quote(m) for m in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise InputError(
                "tree missing tips of the table",
                where=where,
                found=f"{len(missing)} feature ids not among the tree tips: {shown}{more}",
                expected="every feature id as a tip name of the tree",
                fix="use the tree the table was built with, or drop those features",
            )
        return np.fromiter((self.tip_index[f] for f in ids), dtype=np.intp, count=len(ids))

    def node_tip_matrix(self, tips: NDArray[np.intp]) -> sp.csr_matrix:
        """Sparse 0/1 matrix ``A`` (nodes × features): ``A[v, f] = 1`` if tip ``tips[f]``
        descends from node ``v`` (a node descends from itself).

        ``counts @ A.T`` then gives, for each sample, the total count below every
        node. Built by walking all tips up together, one level per step.
        """
        n_feat = int(tips.shape[0])
        rows: list[NDArray[np.intp]] = []
        cols: list[NDArray[np.intp]] = []
        cur = np.asarray(tips, dtype=np.intp)
        feat = np.arange(n_feat, dtype=np.intp)
        while cur.size:
            rows.append(cur)
            cols.append(feat)
            cur = self.parent[cur]
            alive = cur >= 0
            cur, feat = cur[alive], feat[alive]
        row = np.concatenate(rows) if rows else np.empty(0, dtype=np.intp)
        col = np.concatenate(cols) if cols else np.empty(0, dtype=np.intp)
        data = np.ones(row.shape[0], dtype=np.float64)
        return sp.csr_matrix((data, (row, col)), shape=(self.n_nodes, n_feat))

    def require_lengths(self, *, where: str = "tree") -> None:
        """Raise :class:`InputError` if a non-root node has no branch length."""
        missing = np.flatnonzero(~self.has_length[:-1])
        if missing.size:
            example = self.names[int(missing[0])]
            raise InputError(
                "branch lengths missing",
                where=where,
                found=f"{missing.size} non-root nodes without length (e.g. {example!r})",
                expected="a length on every branch for phylogenetic metrics",
                fix="use a tree with branch lengths",
            )
