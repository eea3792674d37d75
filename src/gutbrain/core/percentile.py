"""Percentiles of values against a reference distribution (mid-rank convention).

A :class:`ReferenceDistribution` is the sorted finite values of one component in a
reference population. :func:`percentile` places new values in it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gutbrain.errors import InputError

__all__ = ["CoverageSummary", "ReferenceDistribution", "percentile"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CoverageSummary:
    """Coverage of one component over the reference samples where it is known.

    ``n`` counts the samples with a finite coverage; the other fields are the
    minimum, median and mean of those coverages.
    """

    n: int
    minimum: float
    median: float
    mean: float


@dataclass(frozen=True)
class ReferenceDistribution:
    """Sorted finite reference values of one component.

    Attributes
    ----------
    values:
        Ascending, finite, read-only. Either every reference value, or (for large
        references) evenly spaced quantiles of them; percentiles are computed
        against exactly these values.
    n:
        Number of finite values in the reference population (``len(values)``
        unless the values are quantiles).
    coverage:
        Summary of the component's coverage in the reference, ``None`` when
        coverage does not apply or is unknown.

    Raises
    ------
    InputError
        Values not finite or not ascending, or ``n`` smaller than the number of
        values.

    Examples
    --------
    >>> ReferenceDistribution.from_sample([3.0, float("nan"), 1.0]).values.tolist()
    [1.0, 3.0]
    """

    values: FloatArray
    n: int
    coverage: CoverageSummary | None = None

    def __post_init__(self) -> None:
        arr = np.array(self.values, dtype=np.float64, copy=True).ravel()
        if not np.isfinite(arr).all() or (arr.size > 1 and (np.diff(arr) < 0).any()):
            raise InputError(
                "reference values must be finite and ascending",
                where="ReferenceDistribution",
                found=f"{arr.size} values, not sorted or with NaN/infinity",
                expected="sorted finite values",
                fix="build it with ReferenceDistribution.from_sample",
            )
        if self.n < arr.size:
            raise InputError(
                "reference size smaller than its number of values",
                where="ReferenceDistribution",
                found=f"n={self.n}, {arr.size} values",
                expected="n >= number of values",
            )
        arr.setflags(write=False)
        object.__setattr__(self, "values", arr)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReferenceDistribution):
            return NotImplemented
        return (
            self.n == other.n
            and self.coverage == other.coverage
            and np.array_equal(self.values, other.values)
        )

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def from_sample(
        cls,
        values: npt.ArrayLike,
        coverage: npt.ArrayLike | None = None,
        *,
        max_values: int | None = None,
        n_quantiles: int = 201,
    ) -> ReferenceDistribution:
        """Distribution of the finite entries of ``values``.

        When ``max_values`` is given and more finite values are present, the
        distribution keeps ``n_quantiles`` evenly spaced quantiles (linear
        interpolation, minimum and maximum included) instead of every value.
        ``coverage`` (same length, NaN = unknown) is summarised over its finite
        entries.

        >>> d = ReferenceDistribution.from_sample(np.arange(5.0), max_values=3, n_quantiles=3)
        >>> d.values.tolist(), d.n
        ([0.0, 2.0, 4.0], 5)
        """
        arr = np.asarray(values, dtype=np.float64).ravel()
        finite = np.sort(arr[np.isfinite(arr)])
        n = int(finite.size)
        if max_values is not None and n > max_values:
            finite = np.quantile(finite, np.linspace(0.0, 1.0, n_quantiles))
        summary = None
        if coverage is not None:
            cov = np.asarray(coverage, dtype=np.float64).ravel()
            cov = cov[np.isfinite(cov)]
            if cov.size:
                summary = CoverageSummary(
                    int(cov.size), float(cov.min()), float(np.median(cov)), float(cov.mean())
                )
        return cls(finite, n, summary)


def percentile(values: npt.ArrayLike, reference: ReferenceDistribution) -> FloatArray:
    r"""Mid-rank percentile of each value within a reference distribution.

    With :math:`r_1 \le \dots \le r_m` the reference values,

    .. math::

        p(x) = 100 \cdot \frac{\#\{i : r_i < x\} + \tfrac12 \#\{i : r_i = x\}}{m}

    (the "mid-rank" or Hazen-type convention used for percentile ranks, e.g. SciPy's
    ``percentileofscore(kind="mean")``). A value below every reference value scores 0,
    above every one 100; a value tied with reference values gets the middle of their
    ranks, so a reference sample scored against its own reference lands on its own
    mid-rank. ``p`` is non-decreasing in ``x`` and lies in [0, 100].

    Parameters
    ----------
    values : array_like
        Values of any shape; NaN gives NaN.
    reference : ReferenceDistribution
        The reference; when it is empty every result is NaN.

    Returns
    -------
    numpy.ndarray
        Float64 percentiles, same shape as ``values``.

    Examples
    --------
    >>> ref = ReferenceDistribution.from_sample([1.0, 2.0, 2.0, 4.0])
    >>> percentile([0.5, 2.0, 3.0, 5.0, float("nan")], ref).tolist()
    [0.0, 50.0, 75.0, 100.0, nan]
    """
    x = np.asarray(values, dtype=np.float64)
    ref = reference.values
    m = ref.size
    if m == 0:
        return np.full(x.shape, np.nan)
    below = np.searchsorted(ref, x, side="left")
    upto = np.searchsorted(ref, x, side="right")
    out = 100.0 * (below + 0.5 * (upto - below)) / m
    return np.asarray(np.where(np.isnan(x), np.nan, out), dtype=np.float64)
