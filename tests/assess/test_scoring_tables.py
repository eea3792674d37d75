"""Hand-computed scoring tables: at least 15 cases per instrument, from the published rules.

Every expected value below was worked out by hand from the scoring rules in
docs/assessments.md (PHQ-9: Kroenke 2001 + NHS Data Dictionary prorating; GAD-7: Spitzer
2006; PSS-10: Cohen lab scoring page, items 4, 5, 7, 8 reversed; WHO-5: Topp 2015, raw x 4;
Bristol: Lewis & Heaton 1997; MEDAS without wine: Schröder 2011; IPAQ: 2005 protocol;
EVS: Coleman 2012 / Young 2014), not computed with gutbrain.
"""

from __future__ import annotations

import pytest

from gutbrain.assess import score_instrument
from gutbrain.knowledge.instruments import get_instrument

N = None


def check(
    instrument: str,
    answers: object,
    score: float | None,
    band: str | None,
    scorable: bool = True,
    prorated: bool = False,
) -> None:
    result = score_instrument(get_instrument(instrument), answers)
    assert result.scorable is scorable, result.reason
    assert result.score == score
    assert (result.band.id if result.band else None) == band
    assert result.prorated is prorated


PHQ9 = [
    ([0] * 9, 0, "minimal", True, False),
    ([3] * 9, 27, "severe", True, False),
    ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "minimal", True, False),
    ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "mild", True, False),
    ([1] * 9, 9, "mild", True, False),
    ([2, 1, 1, 1, 1, 1, 1, 1, 1], 10, "moderate", True, False),
    ([2, 2, 2, 2, 2, 1, 1, 1, 1], 14, "moderate", True, False),
    ([2, 2, 2, 2, 2, 2, 1, 1, 1], 15, "moderately_severe", True, False),
    ([3, 3, 3, 2, 2, 2, 2, 2, 0], 19, "moderately_severe", True, False),
    ([3, 3, 3, 3, 2, 2, 2, 2, 0], 20, "severe", True, False),
    ([0, 0, 0, 0, 0, 0, 0, 0, 3], 3, "minimal", True, False),
    # one missing: 5 x 9 / 8 = 5.625 -> 6
    ([1, 1, N, 0, 1, 0, 1, 0, 1], 6, "mild", True, True),
    # one missing, exact half: 4 x 9 / 8 = 4.5 -> 5 (half up crosses the band edge)
    ([1, 1, 1, 1, N, 0, 0, 0, 0], 5, "mild", True, True),
    # two missing: 12 x 9 / 7 = 15.43 -> 15
    ([2, 2, N, N, 2, 2, 2, 2, 0], 15, "moderately_severe", True, True),
    # two missing at the top: 21 x 9 / 7 = 27
    ([3, 3, 3, 3, 3, 3, N, N, 3], 27, "severe", True, True),
    # three missing: not scored
    ([1, N, N, N, 1, 1, 1, 1, 0], None, None, False, False),
    # item 9 missing: never prorated
    ([1, 1, 1, 1, 1, 1, 1, 1, N], None, None, False, False),
    ([N] * 9, None, None, False, False),
]

GAD7 = [
    ([0] * 7, 0, "minimal", True),
    ([3] * 7, 21, "severe", True),
    ([1, 1, 1, 1, 0, 0, 0], 4, "minimal", True),
    ([1, 1, 1, 1, 1, 0, 0], 5, "mild", True),
    ([2, 2, 1, 1, 1, 1, 1], 9, "mild", True),
    ([2, 2, 2, 1, 1, 1, 1], 10, "moderate", True),
    ([2] * 7, 14, "moderate", True),
    ([3, 2, 2, 2, 2, 2, 2], 15, "severe", True),
    ([3, 3, 3, 3, 3, 0, 0], 15, "severe", True),
    ([0, 0, 0, 0, 0, 0, 3], 3, "minimal", True),
    ([1, 2, 1, 0, 1, 1, 0], 6, "mild", True),
    ([3, 3, 3, 0, 0, 0, 0], 9, "mild", True),
    ([2, 2, 2, 2, 2, 0, 0], 10, "moderate", True),
    ([N, 0, 0, 0, 0, 0, 0], None, None, False),
    ([3, 3, 3, 3, 3, 3, N], None, None, False),
    ([N] * 7, None, None, False),
]

PSS10 = [
    # items 4, 5, 7, 8 reversed: 0 <-> 4, 1 <-> 3
    ([0] * 10, 16, "moderate", True),
    ([4] * 10, 24, "moderate", True),
    ([0, 0, 0, 4, 4, 0, 4, 4, 0, 0], 0, "low", True),
    ([4, 4, 4, 0, 0, 4, 0, 0, 4, 4], 40, "high", True),
    ([2] * 10, 20, "moderate", True),
    ([4, 4, 4, 4, 4, 1, 4, 4, 0, 0], 13, "low", True),
    ([4, 4, 4, 4, 4, 2, 4, 4, 0, 0], 14, "moderate", True),
    ([4, 4, 4, 3, 3, 4, 4, 4, 4, 4], 26, "moderate", True),
    ([4, 4, 4, 3, 3, 4, 3, 4, 4, 4], 27, "high", True),
    ([0, 0, 0, 0, 4, 4, 4, 4, 0, 0], 8, "low", True),
    ([1, 1, 1, 3, 3, 1, 3, 3, 1, 1], 10, "low", True),
    ([3, 3, 3, 1, 1, 3, 1, 1, 3, 3], 30, "high", True),
    ([2, 2, 3, 2, 2, 2, 2, 2, 1, 1], 19, "moderate", True),
    ([0, 0, 0, 0, 0, 0, 0, 0, 0, 4], 20, "moderate", True),
    ([N, 0, 0, 0, 0, 0, 0, 0, 0, 0], None, None, False),
    ([0, 0, 0, N, 0, 0, 0, 0, 0, 0], None, None, False),
]

WHO5 = [
    # percentage = raw x 4
    ([0] * 5, 0, "very_low", True),
    ([5] * 5, 100, "good", True),
    ([2, 2, 1, 1, 1], 28, "very_low", True),
    ([2, 2, 2, 1, 1], 32, "low", True),
    ([3, 3, 2, 2, 2], 48, "low", True),
    ([3, 3, 3, 2, 2], 52, "good", True),
    ([1] * 5, 20, "very_low", True),
    ([4] * 5, 80, "good", True),
    ([5, 5, 5, 5, 0], 80, "good", True),
    ([3, 2, 2, 2, 3], 48, "low", True),
    ([5, 0, 0, 0, 0], 20, "very_low", True),
    ([3, 3, 3, 3, 0], 48, "low", True),
    ([2] * 5, 40, "low", True),
    ([1, 2, 3, 4, 5], 60, "good", True),
    ([N, 5, 5, 5, 5], None, None, False),
    ([0, 0, 0, 0, N], None, None, False),
]

BSFS = [
    ([1, N, N], 1, "hard", True),
    ([2, N, N], 2, "hard", True),
    ([3, N, N], 3, "typical", True),
    ([4, N, N], 4, "typical", True),
    ([5, N, N], 5, "loose", True),
    ([6, N, N], 6, "very_loose", True),
    ([7, N, N], 7, "very_loose", True),
    ([N, N, N], None, None, False),
    ([N, 4, 7], None, None, False),
    ([2, 6, 3], 2, "hard", True),
    ({"usual_type": 5}, 5, "loose", True),
    ({"usual_type": 6, "sample_type": 6}, 6, "very_loose", True),
    ([7, N, 21], 7, "very_loose", True),
    ([3, N, 0], 3, "typical", True),
    ([1, 1, 70], 1, "hard", True),
    ({"sample_type": 4, "movements_per_week": 7}, None, None, False),
]

MEDAS13 = [
    ([0] * 13, 0, "low", True),
    ([1] * 13, 13, "high", True),
    ([1] * 5 + [0] * 8, 5, "low", True),
    ([1] * 6 + [0] * 7, 6, "moderate", True),
    ([1] * 8 + [0] * 5, 8, "moderate", True),
    ([1] * 9 + [0] * 4, 9, "high", True),
    ([True] * 9 + [False] * 4, 9, "high", True),
    ([1, 0] * 6 + [1], 7, "moderate", True),
    ([0] * 12 + [1], 1, "low", True),
    ([1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 0], 9, "high", True),
    ([0, 1] * 6 + [0], 6, "moderate", True),
    ([1] * 10 + [0] * 3, 10, "high", True),
    ([1] * 3 + [0] * 10, 3, "low", True),
    ([1] * 12 + [N], None, None, False),
    ([N] + [1] * 12, None, None, False),
]

IPAQ = [
    # vigorous days, min, moderate days, min, walking days, min, sitting
    ([0, N, 0, N, 0, N, N], 0, "low", True),
    # 7 x 180 x (8 + 4 + 3.3) = 19278
    ([7, 180, 7, 180, 7, 180, 600], 19278, "high", True),
    ([0, N, 0, N, 7, 30, N], 693, "moderate", True),  # 3.3 x 30 x 7
    ([0, N, 0, N, 5, 30, N], 495, "moderate", True),  # 5 days of >= 30 min walking
    ([0, N, 0, N, 4, 30, N], 396, "low", True),
    ([3, 20, 0, N, 0, N, N], 480, "moderate", True),  # 3 days >= 20 min vigorous
    ([3, 19, 0, N, 0, N, N], 456, "low", True),
    ([0, N, 0, N, 7, 9, N], 0, "low", True),  # bouts under 10 min count as 0
    ([0, N, 0, N, 7, 10, N], 231, "low", True),  # 5+ days but 231 < 600
    ([0, N, 2, 300, 0, N, N], 1440, "low", True),  # 300 truncated to 180: 4 x 180 x 2
    ([1, 400, 1, 400, 1, 200, N], None, None, False),  # 1000 min a day > 960: excluded
    ([1, 480, 1, 480, 0, N, N], 2160, "low", True),  # 960 is allowed; both truncated
    ([3, 60, 0, N, 1, 20, N], 1506, "high", True),  # 1440 + 66, vigorous on 3 days
    ([0, N, 4, 180, 3, 20, N], 3078, "high", True),  # 7 days, 2880 + 198 >= 3000
    ([2, 30, 0, N, 3, 15, N], 628.5, "moderate", True),  # 5 days, 480 + 148.5 >= 600
    ([0, N, 3, 30, 2, 30, N], 558, "moderate", True),  # 3 + 2 days of >= 30 min
    ([0, N, 0, N, 1, 15, N], 49.5, "low", True),
    ([N, N, 0, N, 0, N, N], None, None, False),  # days unanswered
    ([2, N, 0, N, 0, N, N], None, None, False),  # minutes unanswered although days > 0
]

EVS = [
    ([0, N], 0, "inactive", True),
    ([0, 30], 0, "inactive", True),
    ([7, 600], 4200, "active", True),
    ([1, 1], 1, "insufficient", True),
    ([3, 49], 147, "insufficient", True),
    ([3, 50], 150, "active", True),
    ([5, 30], 150, "active", True),
    ([7, 21], 147, "insufficient", True),
    ([2, 74], 148, "insufficient", True),
    ([2, 75], 150, "active", True),
    ([1, 149], 149, "insufficient", True),
    ([6, 25], 150, "active", True),
    ([4, 0], 0, "inactive", True),
    ([N, 30], None, None, False),
    ([3, N], None, None, False),
    ([N, N], None, None, False),
]

STRESS = [
    ([0, N], 0, "none", True),
    ([7, 5], 35, "regular", True),
    ([6, 5], 30, "some", True),
    ([1, 34], 34, "some", True),
    ([1, 35], 35, "regular", True),
    ([7, 600], 4200, "regular", True),
    ([5, 7], 35, "regular", True),
    ([2, 10], 20, "some", True),
    ([3, 0], 0, "none", True),
    ([1, 1], 1, "some", True),
    ([0, 20], 0, "none", True),
    ([7, 4], 28, "some", True),
    ([4, 9], 36, "regular", True),
    ([N, 10], None, None, False),
    ([2, N], None, None, False),
]


@pytest.mark.parametrize(("answers", "score", "band", "scorable", "prorated"), PHQ9)
def test_phq9(
    answers: list[int | None], score: int | None, band: str | None, scorable: bool, prorated: bool
) -> None:
    check("phq9", answers, score, band, scorable, prorated)


@pytest.mark.parametrize(
    ("instrument", "answers", "score", "band", "scorable"),
    [("gad7", *row) for row in GAD7]
    + [("pss10", *row) for row in PSS10]
    + [("who5", *row) for row in WHO5]
    + [("bsfs", *row) for row in BSFS]
    + [("medas13", *row) for row in MEDAS13]
    + [("ipaq_sf", *row) for row in IPAQ]
    + [("evs", *row) for row in EVS]
    + [("stress_practice", *row) for row in STRESS],
)
def test_instrument_table(
    instrument: str, answers: object, score: float | None, band: str | None, scorable: bool
) -> None:
    check(instrument, answers, score, band, scorable)


@pytest.mark.parametrize(
    "table", [PHQ9, GAD7, PSS10, WHO5, BSFS, MEDAS13, IPAQ, EVS, STRESS, "gbdiet"]
)
def test_every_table_has_at_least_15_cases(table: object) -> None:
    rows = GBDIET if table == "gbdiet" else table
    assert isinstance(rows, list) and len(rows) >= 15


# --------------------------------------------------------------------------- gut-brain diet

_DIET: dict[str, object] = {
    "plant_types_per_week": 30,
    "prebiotic_servings_per_day": 1,
    "fermented_servings_per_day": 1,
    "fish_portions_per_week": 2,
}

GBDIET: list[tuple[dict[str, object], bool, dict[str, bool | None]]] = [
    (_DIET, True, {"plant_types_per_week": True, "fish_portions_per_week": True}),
    ({**_DIET, "plant_types_per_week": 29}, True, {"plant_types_per_week": False}),
    ({**_DIET, "fibre_g_per_day": 25}, True, {"fibre_g_per_day": True}),
    ({**_DIET, "fibre_g_per_day": 24.9}, True, {"fibre_g_per_day": False}),
    ({**_DIET, "fish_portions_per_week": 1.5}, True, {"fish_portions_per_week": False}),
    ({**_DIET, "fish_portions_per_week": 0}, True, {"fish_portions_per_week": False}),
    (
        {k: v for k, v in _DIET.items() if k != "plant_types_per_week"},
        False,
        {"plant_types_per_week": None},
    ),
    ({k: v for k, v in _DIET.items() if k != "fish_portions_per_week"}, False, {}),
    ({k: v for k, v in _DIET.items() if k != "prebiotic_servings_per_day"}, False, {}),
    ({k: v for k, v in _DIET.items() if k != "fermented_servings_per_day"}, False, {}),
    ({**_DIET, "fibre_g_per_day": None}, True, {"fibre_g_per_day": None}),
    ({**_DIET, "fermented_servings_per_day": 6}, True, {"fermented_servings_per_day": None}),
    ({**_DIET, "omega3_supplement": True}, True, {"omega3_supplement": None}),
    (
        {
            "plant_types_per_week": 0,
            "prebiotic_servings_per_day": 0,
            "fermented_servings_per_day": 0,
            "fish_portions_per_week": 0,
        },
        True,
        {"plant_types_per_week": False, "fish_portions_per_week": False},
    ),
    (
        {**_DIET, "plant_types_per_week": 200, "fibre_g_per_day": 150},
        True,
        {"plant_types_per_week": True, "fibre_g_per_day": True},
    ),
    ({}, False, {}),
]


@pytest.mark.parametrize(("answers", "scorable", "targets"), GBDIET)
def test_gbdiet_profile(
    answers: dict[str, object], scorable: bool, targets: dict[str, bool | None]
) -> None:
    result = score_instrument(get_instrument("gbdiet"), answers)
    assert result.scorable is scorable
    assert result.score is None and result.band is None
    for item_id, met in targets.items():
        assert result.item(item_id).target_met is met


def test_reversed_items_report_the_scored_value() -> None:
    result = score_instrument(get_instrument("pss10"), [1, 1, 1, 1, 1, 1, 0, 4, 1, 1])
    assert [(i.answer, i.value) for i in result.items if i.id in ("q4", "q7", "q8")] == [
        (1, 3),
        (0, 4),
        (4, 0),
    ]
    assert result.item("q1").value == 1


def test_ipaq_reports_cleaned_values() -> None:
    result = score_instrument(get_instrument("ipaq_sf"), [2, 5, 1, 300, 0, None, 420])
    values = {i.id: i.value for i in result.items}
    assert values["vigorous_days"] == 0 and values["vigorous_minutes"] == 0
    assert values["moderate_minutes"] == 180
    assert values["sitting_minutes"] == 420
    assert result.item("walking_minutes").skipped


@pytest.mark.parametrize(
    ("instrument", "answers", "level"),
    [
        ("phq9", [1] * 9, "none"),
        ("phq9", [2, 1, 1, 1, 1, 1, 1, 1, 1], "professional_assessment"),
        ("phq9", [3, 3, 3, 3, 2, 2, 2, 2, 0], "prompt_professional_care"),
        ("gad7", [2, 2, 2, 1, 1, 1, 1], "professional_assessment"),
        ("gad7", [3, 2, 2, 2, 2, 2, 2], "prompt_professional_care"),
        ("who5", [3, 3, 3, 2, 2], "none"),
        ("who5", [5, 5, 5, 5, 1], "suggest_screening"),  # one item at 'some of the time'
        ("who5", [3, 3, 2, 2, 2], "suggest_screening"),  # 48 <= 50
        ("who5", [2, 2, 1, 1, 1], "professional_assessment"),  # 28
        ("who5", [None, 1, 5, 5, 5], "suggest_screening"),  # item rule even unscored
        ("pss10", [4, 4, 4, 0, 0, 4, 0, 0, 4, 4], "none"),
    ],
)
def test_referral_levels(instrument: str, answers: list[int | None], level: str) -> None:
    assert score_instrument(get_instrument(instrument), answers).referral == level


def test_age_outside_the_validated_range_is_noted() -> None:
    inst = get_instrument("ipaq_sf")
    answers = [0, None, 0, None, 5, 30, None]
    assert score_instrument(inst, answers, age=40).notes == ()
    (note,) = score_instrument(inst, answers, age=75).notes
    assert "15 to 69" in note
