"""What every taxonomic-profile reader returns, and 16S copy-number correction.

A :class:`TaxonProfile` is a sparse taxa × samples table with one
:class:`~gutbrain.core.lineage.Lineage` per taxon. Counts and relative
abundances are kept apart by :attr:`TaxonProfile.kind`:

========================  ===========  =============================================
format                    kind         why
========================  ===========  =============================================
``metaphlan``             relative     MetaPhlAn reports percentages
``biom`` / ``qza``        counts       ``FeatureTable[Frequency]`` (BIOM default)
``qza``                   relative     ``FeatureTable[RelativeFrequency]``
``kraken``                counts       Kraken 2 clade reads, Bracken ``new_est_reads``
``kraken`` (fraction)     relative     Bracken ``fraction_total_reads`` when asked
``table``                 see below    :func:`infer_kind`
========================  ===========  =============================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from gutbrain.core.lineage import Lineage
from gutbrain.core.table import check_abundances, check_unique_ids
from gutbrain.errors import InputFormatError, OptionError

__all__ = [
    "FORMAT_SUMMARIES",
    "Sequencing",
    "TaxonFormat",
    "TaxonInputFormat",
    "TaxonKind",
    "TaxonProfile",
    "copy_number_correct",
    "infer_kind",
]

#: Format a taxonomic profile was read as.
TaxonFormat = Literal["metaphlan", "biom", "qza", "kraken", "table"]
#: Format asked for; ``"auto"`` sniffs the file.
TaxonInputFormat = Literal["auto", "metaphlan", "biom", "qza", "kraken", "table"]
#: Raw read counts or relative abundances (fractions or percentages).
TaxonKind = Literal["counts", "relative"]
#: How the community was sequenced, when the format says so.
Sequencing = Literal["shotgun", "16S", "unknown"]

#: One line per format, in auto-detection order, for messages and help.
FORMAT_SUMMARIES: tuple[tuple[TaxonFormat, str], ...] = (
    ("qza", "QIIME 2 archive of a FeatureTable[Frequency|RelativeFrequency]"),
    ("biom", "BIOM 1.0 JSON (optionally gzipped) or BIOM 2.1 HDF5 table"),
    ("metaphlan", "MetaPhlAn 3/4 profile or merged table ('k__...|s__...' clades)"),
    ("kraken", "Kraken 2 report (6 columns) or Bracken abundance table"),
    ("table", "taxon x sample table (TSV/CSV, either orientation) with taxon names"),
)

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class TaxonProfile:
    """A taxonomic profile read from one file: taxa × samples, sparse.

    Attributes
    ----------
    format:
        The format the file was read as.
    source:
        The file path as given.
    features:
        Feature labels or ids as in the file (unique).
    lineages:
        One :class:`Lineage` per feature (unresolvable when unknown).
    samples:
        Sample ids (unique).
    values:
        ``scipy.sparse.csc_array`` of shape ``(n_features, n_samples)``,
        float64, finite and non-negative.
    kind:
        ``"counts"`` or ``"relative"``.
    sequencing:
        ``"shotgun"``, ``"16S"`` or ``"unknown"``.
    unclassified:
        Per-sample unclassified share in the file's unit (percent for
        MetaPhlAn and Kraken), or ``None`` when the format does not report it.
    notes:
        What the reader did, e.g. ``"kept 4 species rows of 13"``.
    """

    format: TaxonFormat
    source: str
    features: tuple[str, ...]
    lineages: tuple[Lineage, ...]
    samples: tuple[str, ...]
    values: sp.csc_array
    kind: TaxonKind
    sequencing: Sequencing = "unknown"
    unclassified: FloatArray | None = None
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features))
        object.__setattr__(self, "lineages", tuple(self.lineages))
        object.__setattr__(self, "samples", tuple(self.samples))
        values = sp.csc_array(self.values, dtype=np.float64)
        values.sum_duplicates()
        shape = (len(self.features), len(self.samples))
        if values.shape != shape or len(self.lineages) != len(self.features):
            raise InputFormatError(
                "table shape does not match its ids",
                where=self.source,
                found=f"values {values.shape}, {len(self.lineages)} lineages",
                expected=f"{shape} and {len(self.features)} lineages",
                fix="report this as a gutbrain bug",
            )
        check_unique_ids(self.features, "feature", self.source)
        check_unique_ids(self.samples, "sample", self.source)
        check_abundances(values.data, self.source)
        values.eliminate_zeros()
        object.__setattr__(self, "values", values)
        if self.unclassified is not None:
            share = np.array(self.unclassified, dtype=np.float64, copy=True)
            share.setflags(write=False)
            object.__setattr__(self, "unclassified", share)

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_features, n_samples)``."""
        return (len(self.features), len(self.samples))

    def column(self, sample: str) -> FloatArray:
        """Dense values of one sample, in feature order."""
        j = self.samples.index(sample)
        return np.asarray(self.values[:, [j]].toarray()[:, 0], dtype=np.float64)

    def value(self, feature: str, sample: str) -> float:
        """One cell."""
        return float(self.values[self.features.index(feature), self.samples.index(sample)])


def infer_kind(values: sp.csc_array | FloatArray) -> tuple[TaxonKind, str]:
    """Counts or relative abundances, with the rule that decided, for a generic table.

    The rule: a table is ``"relative"`` when some value is not an integer and
    every sample sums to at most ~1 (proportions) or every sample sums to at
    most ~100 (percentages); otherwise ``"counts"``. Sums below 1 (or 100) are
    accepted because published tables are often subsets of a full profile
    (e.g. the 87 species of the MaAsLin 2 HMP2 table).

    >>> infer_kind(np.array([[0.25, 0.5], [0.75, 0.5]]))[0]
    'relative'
    >>> infer_kind(np.array([[3.0, 1.0], [2.0, 0.0]]))[0]
    'counts'
    >>> infer_kind(np.array([[30.5, 1.0], [200.0, 0.0]]))[0]
    'counts'
    """
    matrix = sp.csc_array(values)
    data = np.asarray(matrix.data, dtype=np.float64)
    sums = np.asarray(matrix.sum(axis=0), dtype=np.float64).ravel()
    integral = bool(np.all(data == np.round(data)))
    tol = 1e-3
    if integral:
        return "counts", "kind: counts (all values are integers)"
    if sums.size and sums.max() <= 1.0 + tol:
        return "relative", "kind: relative (non-integer values, samples sum to <= 1)"
    if sums.size and sums.max() <= 100.0 * (1.0 + tol):
        return "relative", "kind: relative (non-integer values, samples sum to <= 100)"
    return "counts", "kind: counts (samples sum to more than 100)"


def _genus_key(name: str | None, table: Mapping[str, float]) -> str | None:
    """The key of ``table`` for a genus name: as written, else lower-case with spaces."""
    if name is None:
        return None
    if name in table:
        return name
    folded = " ".join(name.replace("_", " ").lower().split())
    return folded if folded in table else None


def copy_number_correct(profile: TaxonProfile, copy_numbers: Mapping[str, float]) -> TaxonProfile:
    """Divide each feature's counts by the 16S rRNA gene copy number of its genus.

    ``corrected[f, s] = counts[f, s] / copies(genus(f))``. The genus is looked
    up as written or case-folded, then without a GTDB suffix (:attr:`Lineage.genus_base`).
    Features without a genus or without a copy number are left as they are and
    counted in a note. Relative profiles stay relative but are not renormalised.

    Raises
    ------
    OptionError
        For a shotgun profile (copy numbers do not bias shotgun reads) or a
        copy number that is not a positive finite number.

    Examples
    --------
    >>> from gutbrain.core.lineage import parse_lineage
    >>> p = TaxonProfile("table", "t", ("a", "b"),
    ...     (parse_lineage("g__Blautia"), parse_lineage("Akkermansia muciniphila")),
    ...     ("S1",), sp.csc_array(np.array([[6.0], [3.0]])), "counts", "16S")
    >>> q = copy_number_correct(p, {"Blautia": 6.0})
    >>> q.values.toarray().ravel().tolist(), q.notes[-1]
    ([1.0, 3.0], 'copy-number correction: 1 of 2 features without a copy number, left as is')
    """
    if profile.sequencing == "shotgun":
        raise OptionError(
            "16S copy-number correction of a shotgun profile",
            where=profile.source,
            found="sequencing 'shotgun'",
            expected="a 16S (amplicon) profile",
            fix="leave out the copy-number correction for metagenomic profiles",
        )
    bad = next(
        (k for k, v in copy_numbers.items() if not (np.isfinite(v) and v > 0)),
        None,
    )
    if bad is not None:
        raise OptionError(
            "invalid 16S copy number",
            found=f"{bad!r}: {copy_numbers[bad]!r}",
            expected="a positive finite number per genus",
            fix="correct the copy-number table",
        )
    divisors = np.ones(len(profile.features))
    missing = 0
    for i, lineage in enumerate(profile.lineages):
        for name in (lineage.genus, lineage.genus_base):
            key = _genus_key(name, copy_numbers)
            if key is not None:
                divisors[i] = float(copy_numbers[key])
                break
        else:
            missing += 1
    coo = sp.coo_array(profile.values)
    values = sp.csc_array(
        (coo.data / divisors[coo.row], (coo.row, coo.col)), shape=profile.values.shape
    )
    note = (
        f"copy-number correction: {missing} of {len(divisors)} features "
        "without a copy number, left as is"
    )
    return replace(profile, values=values, notes=(*profile.notes, note))
