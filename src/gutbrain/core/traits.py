"""Abundance-weighted trait potential with annotation coverage (numpy, scipy.sparse).

"No evidence" (``NaN`` in the trait matrix) is kept apart from "absent" (``0``): unannotated
taxa contribute neither to the potential nor to the annotated abundance, and the share of
abundance they represent is reported as ``1 - coverage``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

__all__ = ["TraitResult", "trait_potential"]

FloatArray = npt.NDArray[np.float64]


def _column_sums(weights: FloatArray, a: FloatArray) -> FloatArray:
    """``weights.T @ a``, each column added up over the taxa in taxon order.

    A BLAS product changes the order of its additions (so the last bits of the result)
    with its blocking, kernels and thread count, which depend on the number of columns;
    this sparse product's column ``s`` depends on column ``s`` of ``a`` alone, so a
    sample scores the same whatever other samples are scored with it.

    >>> a = np.array([[1.0, 2.0], [5.0, 5.0], [0.5, 0.0]])
    >>> _column_sums(np.array([[1.0], [0.0], [2.0]]), a)
    array([[2., 2.]])
    """
    return np.asarray(sp.csr_array(weights.T) @ a, dtype=np.float64)


@dataclass(frozen=True)
class TraitResult:
    """Per-trait, per-sample scores (all arrays traits × samples)."""

    #: Σ_t a_t · v_t over taxa annotated for the trait
    potential: FloatArray
    #: abundance share of annotated taxa, of the sample's total abundance (0–1)
    coverage: FloatArray
    #: potential / annotated abundance; NaN where nothing is annotated
    ratio: FloatArray


def trait_potential(abundance: npt.ArrayLike, values: npt.ArrayLike) -> TraitResult:
    r"""Trait potential, annotation coverage and annotated-mean ratio per sample.

    For trait :math:`f`, sample :math:`s`, abundance :math:`a_{ts} \ge 0` and trait value
    :math:`v_{tf} \in [0, 1]` (``NaN`` = no evidence), with :math:`A_f` the taxa annotated
    for :math:`f`:

    .. math::

        P_{fs} = \sum_{t \in A_f} a_{ts} v_{tf}, \qquad
        C_{fs} = \frac{\sum_{t \in A_f} a_{ts}}{\sum_t a_{ts}}, \qquad
        R_{fs} = \frac{P_{fs}}{\sum_{t \in A_f} a_{ts}}

    :math:`C` is 0 for an empty sample; :math:`R` is ``NaN`` when no annotated abundance is
    present, so that "no evidence" never reads as "absent".

    Parameters
    ----------
    abundance : array_like, shape (taxa, samples)
        Non-negative (relative) abundances; need not sum to 1.
    values : array_like, shape (taxa, traits)
        Trait values in [0, 1]; ``NaN`` marks taxa without evidence for that trait.

    Returns
    -------
    TraitResult
        ``potential``, ``coverage`` and ``ratio``, each of shape (traits, samples).

    Raises
    ------
    ValueError
        On mismatched shapes, negative or non-finite abundances, or values outside [0, 1].

    Examples
    --------
    >>> a = np.array([[0.5], [0.3], [0.2]])
    >>> v = np.array([[1.0], [0.0], [np.nan]])
    >>> r = trait_potential(a, v)
    >>> float(r.potential[0, 0]), float(r.coverage[0, 0]), float(r.ratio[0, 0])
    (0.5, 0.8, 0.625)
    """
    a = np.asarray(abundance, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    if a.ndim != 2 or v.ndim != 2 or a.shape[0] != v.shape[0]:
        raise ValueError(
            f"abundance (taxa × samples) and values (taxa × traits) must share the taxa axis; "
            f"got {a.shape} and {v.shape}"
        )
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError("abundance must be finite and non-negative")
    known = ~np.isnan(v)
    if np.any((v[known] < 0) | (v[known] > 1)):
        raise ValueError("trait values must lie in [0, 1] (NaN = no evidence)")
    filled = np.where(known, v, 0.0)
    potential = _column_sums(filled, a)
    annotated = _column_sums(known.astype(np.float64), a)
    total = _column_sums(np.ones((a.shape[0], 1)), a)[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(total > 0, annotated / np.where(total > 0, total, 1.0), 0.0)
        ratio = np.where(annotated > 0, potential / np.where(annotated > 0, annotated, 1.0), np.nan)
    coverage = np.clip(coverage, 0.0, 1.0)
    ratio = np.where(np.isnan(ratio), np.nan, np.clip(ratio, 0.0, 1.0))
    return TraitResult(potential=potential, coverage=coverage, ratio=ratio)
