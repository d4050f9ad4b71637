"""Rules that live in the assessment models and the database."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import override

from assessments.models import Response
from tests import factories


@pytest.fixture
def telavi_self(telavi, cycle_2021):
    return factories.assessment(telavi, cycle_2021, "self")


def test_it_rejects_a_second_assessment_of_the_same_kind_and_cycle(telavi, cycle_2021):
    factories.assessment(telavi, cycle_2021, "self")
    with pytest.raises(IntegrityError):
        factories.assessment(telavi, cycle_2021, "self")


def test_a_municipality_has_one_self_and_one_external_assessment_per_cycle(telavi, cycle_2021, cso):
    factories.assessment(telavi, cycle_2021, "self")
    factories.assessment(telavi, cycle_2021, "external", organization=cso)
    assert telavi.assessments.count() == 2


def test_it_rejects_a_second_response_to_the_same_indicator(telavi_self):
    first = factories.answer(telavi_self, "A.1.1", 1)
    with pytest.raises(IntegrityError):
        Response.objects.create(assessment=telavi_self, indicator=first.indicator, value=D(0))


def test_it_rejects_not_applicable_without_a_reason_in_the_database(telavi_self):
    indicator = telavi_self.indicators().get(code="A.1.1")
    with pytest.raises(IntegrityError):
        Response.objects.create(assessment=telavi_self, indicator=indicator, is_na=True)


def test_it_rejects_a_self_assessment_owned_by_a_cso(telavi, cycle_2021, cso):
    with pytest.raises(IntegrityError):
        factories.assessment(telavi, cycle_2021, "self", organization=cso)


def validate(assessment, code, **fields):
    response = Response(
        assessment=assessment, indicator=assessment.indicators().get(code=code), **fields
    )
    response.full_clean()
    return response


@pytest.mark.parametrize(
    ("code", "value"),
    [("A.1.1", 2), ("A.1.2", 4), ("A.1.2", D("1.5")), ("A.1.2", -1)],
)
def test_it_rejects_values_outside_the_response_type(telavi_self, code, value):
    with pytest.raises(ValidationError) as error:
        validate(telavi_self, code, value=D(value))
    assert "value" in error.value.message_dict


def test_it_rejects_a_percentage_over_100(telavi, cycle_2021, cso):
    external = factories.assessment(telavi, cycle_2021, "external", organization=cso)
    with override("en"), pytest.raises(ValidationError, match="0 to 100"):
        validate(external, "A.2.1", value=D("100.5"))


def test_it_says_which_levels_a_scale_allows(telavi_self):
    with override("en"), pytest.raises(ValidationError, match="from 0 to 3"):
        validate(telavi_self, "A.1.2", value=D(4))


def test_it_accepts_any_number_for_a_numeric_indicator(telavi_self):
    validate(telavi_self, "B.1.1", value=D("250"))


def test_not_applicable_needs_a_reason_and_no_value(telavi_self):
    with pytest.raises(ValidationError) as error:
        validate(telavi_self, "A.1.1", is_na=True, value=D(1))
    assert set(error.value.message_dict) == {"na_reason", "value"}
    validate(telavi_self, "A.1.1", is_na=True, na_reason="The service is run by the state")


def test_an_assessment_answers_only_the_indicators_of_its_kind(telavi, cycle_2021, cso):
    self_codes = set(
        factories.assessment(telavi, cycle_2021, "self").indicators().values_list("code", flat=True)
    )
    external = factories.assessment(telavi, cycle_2021, "external", organization=cso)
    external_codes = set(external.indicators().values_list("code", flat=True))
    assert self_codes == {"A.1.1", "A.1.2", "B.1.1"}
    assert external_codes == {"A.1.1", "A.2.1", "B.1.1"}


def test_a_draft_score_is_partial_and_shows_its_coverage(telavi_self):
    factories.answer(telavi_self, "A.1.1", 1)
    result = telavi_self.score()
    assert result.is_partial
    # Area A is ½ of the weight; A.1 is all of A for a self-assessment (A.2 has no
    # self-answered indicator); A.1.1 is ½ of A.1 → ¼.
    assert result.coverage.quantize(D("0.0001")) == D("0.2500")
