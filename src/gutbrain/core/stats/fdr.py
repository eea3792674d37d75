r"""False-discovery-rate adjustment (Benjamini–Hochberg), as R ``p.adjust``.

For :math:`m` non-missing p-values sorted increasingly, :math:`p_{(1)} \le \dots \le p_{(m)}`,

.. math:: q_{(i)} = \min\Bigl(1, \min_{k \ge i} \frac{m}{k}\,p_{(k)}\Bigr).

Missing values stay missing and are not counted in :math:`m`
(Benjamini & Hochberg 1995, J R Stat Soc B 57:289–300). Empty input gives an
empty result.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["benjamini_hochberg"]

FloatArray = npt.NDArray[np.float64]


def benjamini_hochberg(pvalues: npt.ArrayLike) -> FloatArray:
    """BH-adjusted p-values (q-values) of any-shaped input, pooled over all entries.

    >>> benjamini_hochberg([0.01, 0.04, float("nan"), 0.03]).round(3).tolist()
    [0.03, 0.04, nan, 0.04]
    """
    p = np.asarray(pvalues, dtype=np.float64)
    flat = p.ravel()
    out = np.full(flat.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(flat))
    m = ok.size
    if m:
        order = ok[np.argsort(flat[ok], kind="stable")[::-1]]  # decreasing p
        rank = np.arange(m, 0, -1, dtype=np.float64)
        q = np.minimum.accumulate(m / rank * flat[order])
        out[order] = np.minimum(q, 1.0)
    result: FloatArray = out.reshape(p.shape)
    return result
