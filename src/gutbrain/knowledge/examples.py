"""Example inputs shipped with gutbrain (real public data, with provenance)."""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable

from gutbrain.errors import OptionError

__all__ = ["EXAMPLES", "example_file"]

#: name -> (file, description)
EXAMPLES: dict[str, tuple[str, str]] = {
    "ko-profile": (
        "darzi2016_ko_profile.tsv",
        "KEGG-ortholog profile of two human gut metagenomes (Darzi et al. 2016, GPL-3.0)",
    ),
    "answers": (
        "answers_example.yaml",
        "questionnaire answers of a made-up client, Alex Example (for gutbrain assess)",
    ),
    "answers-previous": (
        "answers_example_previous.yaml",
        "the same made-up client's answers four weeks earlier (for --previous)",
    ),
    "taxon-profile": (
        "hmp2_nonibd_metaphlan4.tsv",
        "MetaPhlAn 4 species profile of one real HMP2 non-IBD stool sample "
        "(Lloyd-Price et al. 2019; via MaAsLin 3, MIT)",
    ),
}


def example_file(name: str) -> Traversable:
    """The packaged example file called ``name``.

    >>> example_file("ko-profile").name
    'darzi2016_ko_profile.tsv'
    """
    if name not in EXAMPLES:
        raise OptionError(
            f"unknown example {name!r}",
            found=repr(name),
            expected="one of " + ", ".join(EXAMPLES),
            fix="run 'gutbrain examples' to list them",
        )
    return resources.files("gutbrain.knowledge") / "data" / "examples" / EXAMPLES[name][0]
