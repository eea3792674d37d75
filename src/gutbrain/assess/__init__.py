"""Questionnaire scoring, change since a previous assessment, and the safety flag (pure).

No file access and no printing: answers come in as Python data (the YAML reader is
:mod:`gutbrain.io.answers`), an :class:`Assessment` comes out. The plan engine consumes
:class:`Assessment`: every instrument's score, band, items and change, the safety flag,
and the client's constraints.

Typical use::

    from gutbrain.assess import answer_set_from_mapping, assess

    assessment = assess(answer_set_from_mapping(document))
    if assessment.safety is not None:
        ...  # crisis resources and referral first
"""

from gutbrain.assess.answers import answer_set_from_mapping
from gutbrain.assess.assessment import assess
from gutbrain.assess.change import compare
from gutbrain.assess.model import ASSESSMENT_FORMAT, Answer, AnswerSet, Assessment, Client
from gutbrain.assess.results import (
    BandResult,
    Change,
    ChangeCategory,
    InstrumentResult,
    ItemResult,
)
from gutbrain.assess.safety import SafetyFlag, SafetyReason, evaluate_safety
from gutbrain.assess.scoring import score_instrument

__all__ = [
    "ASSESSMENT_FORMAT",
    "Answer",
    "AnswerSet",
    "Assessment",
    "BandResult",
    "Change",
    "ChangeCategory",
    "Client",
    "InstrumentResult",
    "ItemResult",
    "SafetyFlag",
    "SafetyReason",
    "answer_set_from_mapping",
    "assess",
    "compare",
    "evaluate_safety",
    "score_instrument",
]
