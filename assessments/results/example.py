"""The worked example on the methodology page, computed by the real scoring engine.

The answers are invented; every number the page prints comes from scoring.py,
so the explanation cannot drift from what the platform actually does.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from musqat.numbers import plain_number

from .. import scoring
from ..scoring import NUMERIC, PERCENT, SCALE, YES_NO, AreaSpec, CriterionSpec, IndicatorSpec

D = Decimal


@dataclass
class ExampleIndicator:
    spec: IndicatorSpec
    name: str
    answer: str
    rule: str
    normalised: Decimal | None

    @property
    def is_na(self):
        return self.normalised is None


@dataclass
class WorkedExample:
    indicators: list[ExampleIndicator]
    criterion_score: Decimal
    second_criterion_score: Decimal
    area_score: Decimal
    other_area_score: Decimal
    overall: Decimal
    criterion_weights: tuple[Decimal, Decimal]
    area_weights: tuple[Decimal, Decimal]

    @property
    def applicable(self) -> list[ExampleIndicator]:
        return [item for item in self.indicators if not item.is_na]


def worked_example() -> WorkedExample:
    first = [
        (IndicatorSpec("X.1.1", "X.1", YES_NO, D(1)), D(1),
         _("A service standard is adopted"), _("Yes"), _("yes = 1, no = 0")),
        (IndicatorSpec("X.1.2", "X.1", SCALE, D(2), scale_max=4), D(3),
         _("How well the standard is applied (levels 0–4)"), _("level 3 of 4"),
         _("level ÷ 4")),
        (IndicatorSpec("X.1.3", "X.1", PERCENT, D(1)), D("62.5"),
         _("Share of villages the service reaches"), f"{plain_number(D('62.5'))}%",
         _("value ÷ 100")),
        (IndicatorSpec("X.1.4", "X.1", NUMERIC, D(1), worst=D(30), best=D(5)), D(12),
         _("Days to answer a citizen's request (30 or more scores 0, 5 or fewer scores 1)"),
         _("12 days"), _("(value − 30) ÷ (5 − 30), kept between 0 and 1")),
        (IndicatorSpec("X.1.5", "X.1", YES_NO, D(1)), None,
         _("Winter road clearing plan"),
         _("Not applicable: the municipality has no mountain roads"),
         _("left out")),
    ]  # fmt: skip
    second = [
        IndicatorSpec("X.2.1", "X.2", YES_NO),
        IndicatorSpec("X.2.2", "X.2", YES_NO),
    ]
    other = [IndicatorSpec("Y.1.1", "Y.1", PERCENT)]
    methodology = scoring.Methodology(
        areas=[AreaSpec("X", D(1)), AreaSpec("Y", D("1.5"))],
        criteria=[
            CriterionSpec("X.1", "X", D("1.5")),
            CriterionSpec("X.2", "X", D(1)),
            CriterionSpec("Y.1", "Y", D(1)),
        ],
        indicators=[spec for spec, *_rest in first] + second + other,
    )
    answers = {
        spec.code: scoring.NOT_APPLICABLE if value is None else scoring.Answer(value=value)
        for spec, value, *_rest in first
    }
    answers["X.2.1"] = scoring.Answer(value=D(1))
    answers["X.2.2"] = scoring.Answer(value=D(0))
    answers["Y.1.1"] = scoring.Answer(value=D(40))
    result = scoring.score(methodology, answers)
    return WorkedExample(
        indicators=[
            ExampleIndicator(spec, name, answer, rule, result.indicators[spec.code])
            for spec, _value, name, answer, rule in first
        ],
        criterion_score=result.criteria["X.1"],
        second_criterion_score=result.criteria["X.2"],
        area_score=result.areas["X"],
        other_area_score=result.areas["Y"],
        overall=result.overall,
        criterion_weights=(D("1.5"), D(1)),
        area_weights=(D(1), D("1.5")),
    )
