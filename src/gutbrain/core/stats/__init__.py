"""Cohort statistics: MaAsLin2/MaAsLin3-compatible filters, transforms, linear, mixed and
logistic models, FDR."""

from gutbrain.core.stats.maaslin2 import MAASLIN2_COLUMNS, fit_maaslin2
from gutbrain.core.stats.maaslin3 import MAASLIN3_COLUMNS, fit_maaslin3

__all__ = ["MAASLIN2_COLUMNS", "MAASLIN3_COLUMNS", "fit_maaslin2", "fit_maaslin3"]
