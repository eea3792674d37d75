"""Component tables from taxonomic and functional profiles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from gutbrain.core.lineage import parse_lineage
from gutbrain.errors import InputError
from gutbrain.io.functional import read_functional_profile
from gutbrain.io.taxon_profile import TaxonProfile
from gutbrain.io.taxonomic import read_taxon_profile
from gutbrain.pipeline.features import (
    ComponentTable,
    functional_components,
    taxon_name,
    taxonomic_components,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


def _profile(names: list[str], values: list[list[float]], kind: str = "counts") -> TaxonProfile:
    return TaxonProfile(
        "table",
        "test",
        tuple(f"f{i}" for i in range(len(names))),
        tuple(parse_lineage(n) for n in names),
        tuple(f"S{j}" for j in range(len(values[0]))),
        sp.csc_array(np.array(values, dtype=float)),
        kind,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def omixer_matrix() -> ComponentTable:
    path = _need(SHARED / "reference/modules/peer_examples/omixer-rpmR/matrix.tsv")
    return functional_components(read_functional_profile(path))


def test_module_value_and_coverage(omixer_matrix: ComponentTable) -> None:
    t = omixer_matrix
    assert (t.kind, t.resolution) == ("functional", "ko")
    i = t.components.index("module:MF0004")
    j = t.samples.index("S1")
    assert t.values[i, j] == 5457.398359
    assert t.coverage[i, j] == 5 / 7


def test_eggnog_only_module_not_estimable(omixer_matrix: ComponentTable) -> None:
    i = omixer_matrix.components.index("module:MGB011")
    assert np.isnan(omixer_matrix.values[i]).all()
    assert np.isnan(omixer_matrix.coverage[i]).all()


def test_every_packaged_module_present(omixer_matrix: ComponentTable) -> None:
    ids = omixer_matrix.components
    assert all(c.startswith("module:") for c in ids)
    assert {"module:MF0001", "module:MGB001"} <= set(ids)
    assert len(ids) == len(set(ids))


def test_metaphlan_demo() -> None:
    path = _need(SHARED / "data/humann_demo/v3.9/demo_metaphlan_bugs_list.tsv")
    t = taxonomic_components(read_taxon_profile(path))
    assert (t.kind, t.resolution, t.units) == ("taxonomic", "species", "relative abundance")
    assert t.row("taxon:genus:Bacteroides").tolist() == [1.0]
    assert t.row("diversity:observed_features").tolist() == [2.0]
    assert "diversity:chao1" not in t.components  # relative abundances, not counts
    traits = [c for c in t.components if c.startswith("trait:")]
    assert "trait:butyrate" in traits
    rows = [t.components.index(c) for c in traits]
    cov = t.coverage[rows]
    assert ((cov >= 0) & (cov <= 1)).all()
    assert ((t.values[rows] >= 0) & (t.values[rows] <= 1)).all()
    i = t.components.index("diversity:shannon")
    assert t.coverage[i].tolist() == [1.0]


def test_synonyms_merge_into_one_taxon_row() -> None:
    p = _profile(
        ["Eubacterium rectale", "Agathobacter rectalis", "g__Blautia"],
        [[2.0, 0.0], [1.0, 4.0], [1.0, 4.0]],
    )
    t = taxonomic_components(p)
    species = [c for c in t.components if c.startswith("taxon:species:")]
    assert species == [f"taxon:species:{taxon_name(39491, 'species')}"]
    assert t.row(species[0]).tolist() == [0.75, 0.5]
    i = t.components.index(species[0])
    assert t.coverage[i].tolist() == [0.75, 0.5]  # Blautia has no species
    g = t.components.index("taxon:genus:Blautia")
    assert t.values[g].tolist() == [0.25, 0.5]
    assert t.coverage[g].tolist() == [1.0, 1.0]


def test_counts_get_chao1_and_empty_samples_are_nan() -> None:
    p = _profile(["Faecalibacterium prausnitzii", "g__Blautia"], [[3.0, 0.0], [1.0, 0.0]])
    t = taxonomic_components(p)
    assert "diversity:chao1" in t.components
    assert np.isnan(t.values[:, 1]).all()
    assert np.isnan(t.coverage[:, 1]).all()
    assert t.row("taxon:genus:Faecalibacterium")[0] == 0.75


def test_genus_resolution_when_most_abundance_lacks_species() -> None:
    p = _profile(["Faecalibacterium prausnitzii", "g__Blautia"], [[1.0], [3.0]])
    assert taxonomic_components(p).resolution == "genus"


def test_percent_and_fraction_inputs_agree() -> None:
    names = ["Faecalibacterium prausnitzii", "g__Blautia"]
    a = taxonomic_components(_profile(names, [[60.0], [40.0]], "relative"))
    b = taxonomic_components(_profile(names, [[0.6], [0.4]], "relative"))
    assert a.components == b.components
    np.testing.assert_allclose(a.values, b.values)


def test_values_are_read_only() -> None:
    t = taxonomic_components(_profile(["g__Blautia"], [[1.0]]))
    with pytest.raises(ValueError, match="read-only"):
        t.values[0, 0] = 2.0


@pytest.mark.parametrize(
    ("components", "values", "match"),
    [
        (("a",), np.zeros((2, 1)), "do not match the ids"),
        (("a", "a"), np.zeros((2, 1)), "duplicate component id"),
    ],
)
def test_component_table_errors(
    components: tuple[str, ...], values: np.ndarray, match: str
) -> None:
    with pytest.raises(InputError, match=match):
        ComponentTable("taxonomic", "genus", "x", ("S1",), components, values, values)
