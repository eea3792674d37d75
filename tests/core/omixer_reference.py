"""A literal, path-enumerating re-statement of Omixer-RPM 1.1 scoring, for tests only.

Written from the specification (MODULE_ALGORITHM §2.3-2.5), deliberately
naive: every path is enumerated, the best path is chosen in enumeration order
exactly as described, and the ``min`` and ``distribute`` quirks are applied
literally. The vectorised engine is checked against it.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Mapping, Sequence

Steps = Sequence[Sequence[Sequence[str]]]


def commons_median(values: list[float]) -> float:
    """commons-math Median, legacy estimation."""
    if not values:
        return math.nan
    work = sorted(values)
    n = len(work)
    pos = 0.5 * (n + 1)
    if pos < 1:
        return work[0]
    if pos >= n:
        return work[-1]
    fpos = math.floor(pos)
    dif = pos - fpos
    lower = work[int(fpos) - 1]
    upper = work[int(fpos)]
    return lower + dif * (upper - lower)


def distribute_weights(modules: Sequence[Steps]) -> list[dict[tuple[int, int, int], float]]:
    """Per module: weight of each (step, alt, subunit) listing."""
    n = Counter(k for steps in modules for st in steps for alt in st for k in alt)
    out = []
    for steps in modules:
        last: dict[str, tuple[int, int, int]] = {}
        for si, st in enumerate(steps):
            for ai, alt in enumerate(st):
                for ki, k in enumerate(alt):
                    last[k] = (si, ai, ki)
        out.append({pos: 1.0 / n[k] for k, pos in last.items() if n[k] > 1})
    return out


def score(
    steps: Steps,
    x: Mapping[str, float],
    estimator: str = "median",
    normalize: bool = False,
    weights: Mapping[tuple[int, int, int], float] | None = None,
) -> tuple[float, float]:
    """(coverage, abundance) of the best path."""
    weights = weights or {}
    big_l = len(steps)

    def val(si: int, ai: int, ki: int, k: str) -> float:
        return x.get(k, 0.0) * weights.get((si, ai, ki), 1.0)

    best_cov, best_score = -1.0, math.nan
    for path in itertools.product(*[range(len(st)) for st in steps]):
        step_vals: list[float] = []
        observed: list[bool] = []
        for si, ai in enumerate(path):
            alt = steps[si][ai]
            vs = [val(si, ai, ki, k) for ki, k in enumerate(alt)]
            total = sum(vs)
            step_vals.append(total / len(alt))
            observed.append(total > 0)
        p = sum(observed)
        cov = p / big_l
        if estimator == "median":
            lst = [v for v, o in zip(step_vals, observed, strict=True) if o]
            if normalize:
                lst += [0.0] * (big_l - p)
            s = commons_median(lst)
            if normalize and s == 0:
                pos = [v for v in lst if v > 0]
                s = min(pos) if pos else s
        elif estimator in ("average", "sum"):
            total = sum(v for v, o in zip(step_vals, observed, strict=True) if o)
            if normalize:
                s = total / big_l
            elif estimator == "average":
                s = total / p if p else math.nan
            else:
                s = total
        else:  # min, with the first-observed-step overwrite quirk
            running = 0.0
            first = True
            for si, ai in enumerate(path):
                if not observed[si]:
                    continue
                for ki, k in enumerate(steps[si][ai]):
                    v = val(si, ai, ki, k)
                    if v > 0:
                        running = v if first else min(running, v)
                first = False
            s = running
        if cov > best_cov or (cov == best_cov and s > best_score):
            best_cov, best_score = cov, s
    return best_cov, best_score
