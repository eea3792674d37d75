"""Lineage parsing: every supported syntax, uninformative labels, errors, fuzz."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gutbrain.core.lineage import (
    RANKS,
    Lineage,
    is_uninformative,
    lineage_from_ranks,
    parse_lineage,
)
from gutbrain.errors import GutBrainError, InputFormatError

SYNTAXES = [
    # id, text, rank, expected name at that rank, deepest rank
    (
        "metaphlan3",
        "k__Bacteria|p__Bacteroidetes|c__Bacteroidia|o__Bacteroidales|f__Bacteroidaceae"
        "|g__Bacteroides|s__Bacteroides_dorei",
        "species",
        "Bacteroides dorei",
        "species",
    ),
    (
        "metaphlan4-sgb",
        "k__Bacteria|p__Firmicutes|g__Faecalibacterium|s__Faecalibacterium_prausnitzii|t__SGB15316",
        "strain",
        "SGB15316",
        "strain",
    ),
    (
        "greengenes",
        "k__Bacteria; p__Firmicutes; c__Clostridia; o__Clostridiales; f__Ruminococcaceae; "
        "g__Faecalibacterium; s__prausnitzii",
        "species",
        "Faecalibacterium prausnitzii",
        "species",
    ),
    (
        "greengenes-empty",
        "k__Bacteria; p__Proteobacteria; c__Betaproteobacteria; o__Neisseriales; "
        "f__Neisseriaceae; g__; s__",
        "family",
        "Neisseriaceae",
        "family",
    ),
    (
        "silva-old",
        "D_0__Bacteria;D_1__Firmicutes;D_2__Clostridia;D_3__Clostridiales;"
        "D_4__Lachnospiraceae;D_5__Blautia;D_6__uncultured bacterium",
        "genus",
        "Blautia",
        "genus",
    ),
    (
        "silva-138",
        "d__Bacteria; p__Firmicutes; c__Clostridia; o__Lachnospirales; "
        "f__Lachnospiraceae; g__Lachnospiraceae_NK4A136_group",
        "genus",
        "Lachnospiraceae_NK4A136_group",
        "genus",
    ),
    (
        "gtdb",
        "d__Bacteria;p__Bacillota;c__Clostridia;o__Oscillospirales;f__Ruminococcaceae;"
        "g__Faecalibacterium;s__Faecalibacterium prausnitzii",
        "species",
        "Faecalibacterium prausnitzii",
        "species",
    ),
    ("two-ranks", "g__Blautia;s__Blautia obeum", "species", "Blautia obeum", "species"),
    ("binomial", "Faecalibacterium prausnitzii", "genus", "Faecalibacterium", "species"),
    (
        "binomial-underscore",
        "Faecalibacterium_prausnitzii",
        "species",
        "Faecalibacterium prausnitzii",
        "species",
    ),
    ("mpa4-clade", "Prevotella_copri_clade_A", "species", "Prevotella copri clade A", "species"),
    ("genus", "Akkermansia", "genus", "Akkermansia", "genus"),
    ("single-prefixed", "s__Bacteroides_dorei", "species", "Bacteroides dorei", "species"),
]


@pytest.mark.parametrize(
    ("text", "rank", "name", "deepest"),
    [case[1:] for case in SYNTAXES],
    ids=[case[0] for case in SYNTAXES],
)
def test_syntaxes(text: str, rank: str, name: str, deepest: str) -> None:
    lineage = parse_lineage(text)
    assert lineage.names[RANKS.index(rank)] == name  # type: ignore[arg-type]
    assert lineage.deepest_rank == deepest
    assert lineage.label == text


def test_same_species_from_every_syntax() -> None:
    texts = [
        "Bacteroides dorei",
        "Bacteroides_dorei",
        "s__Bacteroides_dorei",
        "k__Bacteria|g__Bacteroides|s__Bacteroides_dorei",
        "k__Bacteria; g__Bacteroides; s__dorei",
        "g__Bacteroides;s__Bacteroides dorei",
    ]
    assert {parse_lineage(t).species for t in texts} == {"Bacteroides dorei"}
    assert {parse_lineage(t).genus for t in texts} == {"Bacteroides"}


def test_gtdb_suffix() -> None:
    lineage = parse_lineage(
        "d__Bacteria;p__Bacteroidota;g__Bacteroides_A;s__Bacteroides_A plebeius"
    )
    assert lineage.genus == "Bacteroides_A"
    assert lineage.raw[5] == "Bacteroides_A"
    assert lineage.genus_base == "Bacteroides"
    assert parse_lineage("Bacteroides_A").genus_base == "Bacteroides"


@pytest.mark.parametrize(
    "label",
    [
        "uncultured bacterium",
        "metagenome",
        "unidentified",
        "Unassigned",
        "s__",
        "UNKNOWN",
        "UNCLASSIFIED",
        "",
        "  ",
        "k__; p__; c__",
        "D_0__Unassigned",
    ],
)
def test_uninformative_is_unresolvable(label: str) -> None:
    lineage = parse_lineage(label)
    assert not lineage.resolvable
    assert lineage.deepest_rank is None
    assert lineage.species is None and lineage.genus is None


def test_uninformative_ranks_left_empty() -> None:
    lineage = parse_lineage("D_0__Bacteria;D_5__uncultured;D_6__metagenome")
    assert lineage.deepest_rank == "domain"
    assert is_uninformative("t__Bacteroides_stercoris_unclassified")
    assert not is_uninformative("Blautia")


def test_positional_ranks_and_taxid() -> None:
    lineage = lineage_from_ranks(["Bacteria", "Firmicutes", "Clostridia", "", None], taxid=7)
    assert lineage.class_ == "Clostridia" and lineage.taxid == 7
    assert parse_lineage("Akkermansia muciniphila", taxid=239935).taxid == 239935
    assert Lineage.unresolvable("x").with_taxid(3).taxid == 3


@pytest.mark.parametrize(
    "text",
    [
        "K00001",
        "12",
        "CSM5FZ3N_P",
        "sample 1",
        "a|b|c",
        "x;y;z",
        "UniRef50_A3DKL1",
        "k__Bacteria|UniRef50",
    ],
)
def test_unknown_syntax(text: str) -> None:
    with pytest.raises(
        InputFormatError,
        match=r"unknown lineage syntax; found .*; expected .*"
        r"MetaPhlAn.*Greengenes.*SILVA.*GTDB",
    ):
        parse_lineage(text)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.lists(
            st.sampled_from(
                [
                    "k__",
                    "p__",
                    "s__",
                    "g__",
                    "D_0__",
                    "d__",
                    "t__",
                    "x",
                    "|",
                    ";",
                    " ",
                    "_",
                    "Bacteroides",
                    "dorei",
                    "[",
                    "]",
                    "A",
                    "1",
                ]
            ),
            max_size=12,
        ).map("".join),
    )
)
def test_fuzz_only_gutbrain_errors(text: str) -> None:
    try:
        lineage = parse_lineage(text)
    except GutBrainError:
        return
    assert len(lineage.names) == len(RANKS)
    assert lineage.deepest_rank is None or lineage.name is not None
