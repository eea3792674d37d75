"""Wording and rounding of the report: every fixed sentence lives here, in wellness language.

The disclaimers follow the project's evidence notes (section E.3, gutbrain's own wording); the
crisis banner and the questionnaire disclaimer come from the knowledge base
(:func:`gutbrain.knowledge.wording.load_safety_wording`) so the assessment, the plan and the
report say the same thing. :func:`all_texts` lists every sentence for the wording check
(:func:`gutbrain.knowledge.wording.find_forbidden`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = [
    "CLIENT_INTROS",
    "DIRECTION_TEXT",
    "GRADE_TEXT",
    "MECHANISM_STATE_TEXT",
    "REFERRAL_TEXT",
    "STATE_TEXT",
    "TEXTS",
    "all_texts",
    "format_coverage",
    "format_number",
    "format_percentile",
    "ordinal",
    "percentile_sentence",
]

#: fixed sentences, by key (used by the templates as ``t.key``)
TEXTS: Mapping[str, str] = {
    "footer": (
        "This report is for general wellness and education. It is not a medical diagnosis and "
        "has not been evaluated as a medical device. Microbiome results describe the bacteria "
        "detected in one stool sample and their genetic potential, compared with a reference "
        "group; they can change from day to day and between laboratories. Associations with "
        "mood come from population studies and do not predict or explain any individual's "
        "mental health."
    ),
    "plan_header": (
        "Recommendations are lifestyle suggestions that complement, not replace, care from "
        "your doctor. Check with your doctor or pharmacist before starting supplements, "
        "especially if you take medication, are pregnant, or have a medical condition."
    ),
    "practitioner_scope": (
        "Your health expert is not providing a psychiatric diagnosis or treatment and will "
        "refer you to a medical professional where appropriate."
    ),
    "no_disclosure": (
        "No statement about product earnings was recorded with this report: ask your "
        "practitioner whether they earn from any product recommended here."
    ),
    "potential": (
        "Microbial genes and taxa show genetic potential, not measured production of any "
        "compound, and say nothing about the levels of any substance in your body."
    ),
    "how_to_read": (
        "Each chart compares one measure from your sample with the reference group named "
        "above it. The grey bars show how the reference group's values are spread; the "
        "dark-orange line and triangle mark your sample. The percentile says how many in 100 "
        "people of the reference group had a lower value. A dashed line and a hollow "
        "triangle mean the measure covers less than half of your sample (low coverage). "
        "Measures that could not be compared are greyed out with the reason written across, "
        "and measures that could not be estimated are listed with a hatched strip: that is "
        "not the same as zero."
    ),
    "how_to_read_practitioner": (
        "Charts: histogram of the stored reference values (all values, or 201 evenly spaced "
        "quantiles for large references) on the component's own scale; the sample's value as "
        "a vertical line with its mid-rank percentile; the bar under the histogram spans the "
        "25th to 75th reference percentile with a tick at the median. Dashed: low coverage "
        "(< 50 %). Greyed with the state written across: not comparable / not in reference. "
        "Not estimable components are listed with a hatched strip (never drawn as 0)."
    ),
    "score_meaning": (
        "A mechanism score from 0 to 100 summarises its main measures, each turned so that "
        "higher means closer to the favourable end seen in studies. It is a comparison with "
        "the reference group, not a health rating, and the confidence beside it falls with "
        "weak evidence and low coverage."
    ),
    "no_score": "Not estimable from this sample",
    "distribution_missing": (
        "The reference distribution is not available here; the position is shown on a 0 to "
        "100 percentile scale."
    ),
    "markers_intro": (
        "Some bacteria have been reported as more or less common in groups of people with "
        "lower mood in large population studies. This does not mean your mood is caused by "
        "your gut, and a stool test cannot tell you anything about your mental health."
    ),
    "diversity_intro": (
        "Diversity describes how many kinds of bacteria were detected and how evenly they are "
        "spread. Lower diversity has been reported more often in groups of people with lower "
        "mood; it varies with diet, stool consistency and many other factors."
    ),
    "questionnaire_intro": (
        "Your answers are summarised below with the range each score falls in. Scores change "
        "over time; tracking them helps you and your practitioner see what is working."
    ),
    "trend_note": "Earlier assessments are shown as a line, oldest on the left.",
    "plan_intro": (
        "Your plan lists a few changes, most relevant first, each with weekly steps and the "
        "evidence behind it."
    ),
    "privacy": (
        "This file was made on your practitioner's computer and contains everything it shows: "
        "it loads nothing from the internet."
    ),
    "uncertain": (
        "What is uncertain: one stool sample is a snapshot; percentiles depend on the "
        "reference group and the laboratory method; measures with low coverage or weak "
        "evidence should be read with care."
    ),
    "no_profile": "No microbiome profile was included in this report.",
    "no_assessment": "No questionnaire answers were included in this report.",
    "no_plan": "No plan was included in this report.",
}

#: client-language introduction of each mechanism (ids of ``mechanisms.json``)
CLIENT_INTROS: Mapping[str, str] = {
    "serotonin": (
        "Tryptophan is an amino acid from food. Some gut bacteria can make or break it down, "
        "and the gut lining uses it to make serotonin for the gut itself. Serotonin made in "
        "the gut stays in the body's circulation and does not reach the brain."
    ),
    "stress": (
        "The stress-response system and gut bacteria influence each other in studies, mostly "
        "in animals. A stool sample cannot measure how stressed you are; the stress "
        "questionnaire and your daily routine are better guides."
    ),
    "inflammation": (
        "Some bacteria make short-chain fatty acids that help keep the gut lining healthy, "
        "while others carry parts of their cell wall that the immune system reacts to. This "
        "section shows which of these groups were found, not inflammation in your body."
    ),
    "neurotransmitters": (
        "Some gut bacteria carry genes for compounds such as GABA or glutamate that also act "
        "as messengers in the nervous system. These are genetic potential only; they tell "
        "nothing about the levels of these messengers in your nervous system."
    ),
    "scfa": (
        "Short-chain fatty acids such as butyrate are made by gut bacteria when they ferment "
        "fibre. A varied, fibre-rich diet supports the bacteria that make them."
    ),
    "vitamins": (
        "Some gut bacteria carry genes for B vitamins and vitamin K. Vitamin levels in your "
        "body are measured with a blood test, not a stool test."
    ),
    "diversity": TEXTS["diversity_intro"],
    "markers": TEXTS["markers_intro"],
}

#: what a component state means, per audience
STATE_TEXT: Mapping[str, Mapping[str, str]] = {
    "client": {
        "ok": "",
        "low_coverage": "Low coverage: less than half of your sample could be assessed",
        "not_in_reference": "No comparison: the reference group has no values for this",
        "not_comparable": "Not comparable: your sample was measured in other units",
        "not_estimable": "Not estimable from this sample",
    },
    "practitioner": {
        "ok": "ok",
        "low_coverage": "low coverage (< 50 %)",
        "not_in_reference": "not in reference",
        "not_comparable": "not comparable (units differ)",
        "not_estimable": "not estimable",
    },
}

MECHANISM_STATE_TEXT: Mapping[str, str] = {
    "ok": "enough measures for a score",
    "low_confidence": "low confidence",
    "not_estimable": "not estimable from this sample",
}

#: the favourable direction of a component, in words
DIRECTION_TEXT: Mapping[str, str] = {
    "higher": "Higher values are the favourable direction in the studies cited.",
    "lower": "Lower values are the favourable direction in the studies cited.",
    "neutral": "Shown for context; there is no favourable direction.",
    "balance": "Read together with the measure it is balanced against; not scored.",
}

#: evidence grades in plain words
GRADE_TEXT: Mapping[str, str] = {
    "A": "strong human evidence",
    "B": "moderate human evidence",
    "C": "limited or mixed evidence",
    "D": "early evidence, mostly laboratory or animal studies",
    "practitioner": "added by your practitioner",
}

#: referral levels of an assessment, in words
REFERRAL_TEXT: Mapping[str, str] = {
    "none": "No referral rule was met by these answers.",
    "suggest_screening": "A short mood questionnaire (PHQ-9) is suggested.",
    "professional_assessment": (
        "An assessment by a doctor or mental-health professional is recommended."
    ),
    "prompt_professional_care": (
        "Prompt care from a doctor or mental-health professional is recommended."
    ),
}


def all_texts() -> list[str]:
    """Every fixed sentence of this module (for the forbidden-wording check)."""
    out = list(TEXTS.values()) + list(CLIENT_INTROS.values())
    for table in STATE_TEXT.values():
        out.extend(v for v in table.values() if v)
    for mapping in (MECHANISM_STATE_TEXT, DIRECTION_TEXT, GRADE_TEXT, REFERRAL_TEXT):
        out.extend(mapping.values())
    return out


def ordinal(n: int) -> str:
    """English ordinal of a whole number.

    >>> [ordinal(k) for k in (1, 2, 3, 4, 11, 12, 13, 21, 83, 100)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '83rd', '100th']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def format_percentile(p: float | None) -> str:
    """A percentile for display: whole numbers, with the extremes said as such.

    >>> [format_percentile(x) for x in (None, 0.0, 0.4, 1.2, 49.6, 99.7, 100.0)]
    ['–', 'below all', '<1st', '1st', '50th', '>99th', 'above all']
    """
    if p is None or not math.isfinite(p):
        return "–"
    if p <= 0.0:
        return "below all"
    if p >= 100.0:
        return "above all"
    whole = math.floor(p + 0.5)
    if whole < 1:
        return "<1st"
    if whole > 99:
        return ">99th"
    return ordinal(whole)


def percentile_sentence(p: float, n: int | None) -> str:
    """The client sentence for a percentile in a reference group of ``n`` people.

    >>> percentile_sentence(83.2, 405)
    'higher than about 83 in 100 people of the reference group (n = 405)'
    >>> percentile_sentence(0.0, 405)
    'lower than everyone in the reference group (n = 405)'
    >>> percentile_sentence(0.37, 405)
    'lower than almost everyone in the reference group (n = 405)'
    """
    size = f" (n = {n})" if n else ""
    whole = math.floor(p + 0.5)
    if p <= 0.0:
        return f"lower than everyone in the reference group{size}"
    if p >= 100.0:
        return f"higher than everyone in the reference group{size}"
    if whole < 1:
        return f"lower than almost everyone in the reference group{size}"
    if whole > 99:
        return f"higher than almost everyone in the reference group{size}"
    return f"higher than about {whole} in 100 people of the reference group{size}"


def format_number(x: float | None) -> str:
    """A value with three significant digits (``–`` when unknown, never ``0``).

    >>> [format_number(v) for v in (None, 0.0, 0.714285714286, 2.0, 972.5, 1234567.0, 4e-05)]
    ['–', '0', '0.714', '2', '972', '1.23e+06', '4e-05']
    """
    if x is None or not math.isfinite(x):
        return "–"
    if x == 0:
        return "0"
    return f"{x:.3g}"


def format_coverage(c: float | None) -> str:
    """Coverage as a whole percentage, or ``n/a``.

    >>> [format_coverage(c) for c in (None, 0.0, 0.456, 1.0)]
    ['n/a', '0 %', '46 %', '100 %']
    """
    if c is None or not math.isfinite(c):
        return "n/a"
    return f"{math.floor(100 * c + 0.5)} %"
