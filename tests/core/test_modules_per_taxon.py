"""Per-taxon scoring equals scoring each taxon's own table as a community."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gutbrain.core.modules import ScoringOptions, compile_modules, score_modules
from gutbrain.core.modules_per_taxon import score_modules_per_taxon
from gutbrain.core.table import StratifiedTable
from gutbrain.knowledge.module_format import parse_modules

MODULES = parse_modules("A\ta\nK1\tK2\nK3,K4\n///\nB\tb\nK2\nK5\nK1,K3\tK6\n///\nC\tc\nK9\n///\n")
FEATURES = ("K1", "K2", "K3", "K4", "K5", "K6")


@settings(max_examples=100, deadline=None)
@given(
    n_taxa=st.integers(1, 5),
    n_samples=st.integers(1, 4),
    seed=st.integers(0, 2**31),
    chunk=st.integers(1, 10),
    estimator=st.sampled_from(["median", "average", "sum", "min"]),
)
def test_per_taxon_equals_each_taxon_alone(
    n_taxa: int, n_samples: int, seed: int, chunk: int, estimator: str
) -> None:
    rng = np.random.default_rng(seed)
    rows = [(t, f) for t in range(n_taxa) for f in range(len(FEATURES)) if rng.random() < 0.6]
    if not rows:
        rows = [(0, 0)]
    ti, fi = zip(*rows, strict=True)
    values = rng.choice([0.0, 1.0, 2.5, 7.0], size=(len(rows), n_samples))
    taxa = tuple(f"t{i}" for i in range(n_taxa))
    table = StratifiedTable(
        taxa, FEATURES, ti, fi, tuple(f"s{j}" for j in range(n_samples)), values
    )
    opts = ScoringOptions(estimator)  # type: ignore[arg-type]
    compiled = compile_modules(MODULES, table.features)
    got = score_modules_per_taxon(compiled, table, opts, chunk=chunk)
    for k, taxon in enumerate(got.taxa):
        t = taxa.index(taxon)
        x = np.zeros((len(FEATURES), n_samples))
        for r, (tt, ff) in enumerate(rows):
            if tt == t:
                x[ff] = values[r]
        alone = score_modules(compile_modules(MODULES, FEATURES), x, opts)
        np.testing.assert_array_equal(got.coverage[k], alone.coverage)
        np.testing.assert_allclose(got.abundance[k], alone.abundance, rtol=1e-12)
    # every listed taxon carries at least one module identifier
    assert set(got.taxa) <= {taxa[t] for t, _ in rows}
