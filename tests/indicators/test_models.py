"""The methodology's own rules: weights, scales, thresholds and grade bands."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import override

from indicators.models import Indicator, ThematicArea
from tests import factories


@pytest.fixture(autouse=True)
def in_english():
    """The messages below are matched in English, whatever ran before."""
    with override("en"):
        yield


@pytest.fixture
def criterion(methodology):
    return methodology.areas.get(code="A").criteria.get(code="A.1")


def clean(criterion, **fields):
    indicator = Indicator(
        criterion=criterion, code="A.1.9", name_ka="ტესტი", name_en="Test", **fields
    )
    indicator.full_clean()
    return indicator


def test_a_new_version_gets_the_default_grade_bands(methodology):
    bands = [(b.min_score, b.label_en, b.label_ka) for b in methodology.grade_bands.all()]
    assert [b[0] for b in bands] == [D(0), D(40), D(60), D(80)]
    assert [b[1] for b in bands] == ["Low", "Developing", "Good", "High"]
    assert all(b[2] and b[2] != b[1] for b in bands)


@pytest.mark.parametrize("weight", [D(0), D(-1)])
def test_it_rejects_a_weight_that_is_not_positive(methodology, weight):
    with pytest.raises(IntegrityError), transaction.atomic():
        ThematicArea.objects.create(version=methodology, code="Z", name_ka="ზ", weight=weight)
    with pytest.raises(ValidationError):
        ThematicArea(
            version=methodology, code="Z", name_ka="ზ", name_en="Z", weight=weight
        ).full_clean()


def test_a_scale_needs_a_label_for_every_level_in_both_languages(criterion):
    with pytest.raises(ValidationError) as error:
        clean(criterion, response_type="scale", scale_labels_ka="არა", scale_labels_en="No")
    assert {"scale_labels_ka", "scale_labels_en"} <= set(error.value.message_dict)

    with pytest.raises(ValidationError, match="same number of levels"):
        clean(
            criterion,
            response_type="scale",
            scale_labels_ka="არა\nნაწილობრივ\nდიახ",
            scale_labels_en="No\nYes",
        )
    indicator = clean(
        criterion, response_type="scale", scale_labels_ka="არა\nდიახ", scale_labels_en="No\nYes"
    )
    assert indicator.scale_max == 1


def test_only_a_scale_has_level_labels(criterion):
    with pytest.raises(ValidationError, match="Only scale indicators"):
        clean(criterion, response_type="yes_no", scale_labels_en="No\nYes")


def test_a_numeric_indicator_needs_two_different_thresholds(criterion):
    with pytest.raises(ValidationError) as error:
        clean(criterion, response_type="numeric", worst=D(5))
    assert "best" in error.value.message_dict
    with pytest.raises(ValidationError, match="must differ"):
        clean(criterion, response_type="numeric", worst=D(5), best=D(5))
    clean(criterion, response_type="numeric", worst=D(20), best=D(5))


def test_only_a_numeric_indicator_has_thresholds(criterion):
    with pytest.raises(ValidationError, match="Only numeric"):
        clean(criterion, response_type="percent", worst=D(0), best=D(100))


def test_the_database_rejects_thresholds_that_do_not_fit_the_type(criterion):
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(
            criterion=criterion,
            code="A.1.8",
            name_ka="ტ",
            response_type="numeric",
            worst=D(1),
            best=D(1),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(
            criterion=criterion, code="A.1.7", name_ka="ტ", response_type="yes_no", best=D(1)
        )


def test_a_counterpart_must_come_from_the_previous_version(methodology, criterion):
    newer = factories.methodology(code="2024", is_current=False)
    newer.previous = methodology
    newer.save()
    new_criterion = newer.areas.get(code="A").criteria.get(code="A.1")
    old_indicator = criterion.indicators.get(code="A.1.1")
    same_version = new_criterion.indicators.get(code="A.1.2")

    indicator = Indicator(
        criterion=new_criterion,
        code="A.1.9",
        name_ka="ტ",
        name_en="T",
        response_type="yes_no",
        previous=old_indicator,
        comparable=True,
    )
    indicator.full_clean()
    indicator.previous = same_version
    with pytest.raises(ValidationError, match="previous methodology version"):
        indicator.full_clean()


def test_only_one_version_is_current(methodology):
    with pytest.raises(IntegrityError):
        factories.methodology(code="2024", is_current=True)
