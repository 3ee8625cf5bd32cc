"""Questionnaires: data-driven instruments, the run state machine, scoring and comparison.

The public API is re-exported here. Behind it: ``instruments`` (the data model), ``loader``
(reading instrument files), ``engine`` (taking a questionnaire), ``scoring`` (results).
"""

from innertalk.domain.questionnaires.engine import (
    Action,
    InvalidRunStateError,
    InvalidStepError,
    QuestionnaireRun,
    Step,
    run_from_dict,
)
from innertalk.domain.questionnaires.instruments import (
    Band,
    HigherIs,
    Instrument,
    Item,
    Localized,
    Option,
    ScoringMethod,
    Subscale,
)
from innertalk.domain.questionnaires.loader import (
    InstrumentError,
    load_builtin_instruments,
    parse_instrument,
)
from innertalk.domain.questionnaires.scoring import (
    Change,
    Comparison,
    Scored,
    SubscaleScore,
    compare,
    crisis_flagged,
    rescore,
    result_context_line,
    score_answers,
    to_result,
)

__all__ = [
    "Action",
    "Band",
    "Change",
    "Comparison",
    "HigherIs",
    "Instrument",
    "InstrumentError",
    "InvalidRunStateError",
    "InvalidStepError",
    "Item",
    "Localized",
    "Option",
    "QuestionnaireRun",
    "Scored",
    "ScoringMethod",
    "Step",
    "Subscale",
    "SubscaleScore",
    "compare",
    "crisis_flagged",
    "load_builtin_instruments",
    "parse_instrument",
    "rescore",
    "result_context_line",
    "run_from_dict",
    "score_answers",
    "to_result",
]
