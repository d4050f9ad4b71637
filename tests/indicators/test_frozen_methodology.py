"""A methodology version with published results is frozen, in the admin as in the import:
its published answers are worded from its labels, so a new version is the way to change."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import override

from indicators.models import GradeBand, Indicator, ThematicArea
from tests import factories


def change_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def staff(client, project_staff):
    client.force_login(project_staff)
    return client


@pytest.fixture
def scale(published_2021, methodology):
    return Indicator.objects.get(code="A.1.2", criterion__area__version=methodology)


def test_project_staff_cannot_reword_a_published_scale_in_the_admin(
    published_2021, scale, staff, citizen
):
    page = staff.get(change_url(scale))
    refused = staff.post(change_url(scale), {"scale_labels_en": "No\nSome\nMost\nAll"})

    assert page.status_code == 200 and 'name="scale_labels_en"' not in page.content.decode()
    assert refused.status_code == 403
    scale.refresh_from_db()
    assert scale.labels_in("en") == ["None", "Draft", "Adopted", "Applied"]
    scorecard = citizen.get("/en/scorecards/2021/telavi/?show=all").content.decode()
    assert "Adopted (level 2 of 3)" in scorecard


@pytest.mark.parametrize("model", [ThematicArea, Indicator, GradeBand])
def test_no_item_of_a_frozen_version_can_be_changed_or_removed(
    published_2021, methodology, staff, model
):
    versioned = {
        ThematicArea: {"version": methodology},
        Indicator: {"criterion__area__version": methodology},
        GradeBand: {"version": methodology},
    }
    item = model.objects.filter(**versioned[model]).first()
    meta = model._meta
    delete = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[item.pk])

    assert staff.post(change_url(item), {}).status_code == 403
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=item.pk).exists()


def test_the_model_refuses_a_change_to_a_frozen_version(published_2021, scale, methodology):
    scale.scale_labels_en = "No\nSome\nMost\nAll"
    with override("en"), pytest.raises(ValidationError, match="already has published"):
        scale.full_clean()
    methodology.name_en = "Renamed"
    with override("en"), pytest.raises(ValidationError, match="already has published"):
        methodology.full_clean()


def test_a_frozen_version_still_may_stop_being_the_current_one(published_2021, methodology):
    methodology.is_current = False
    methodology.full_clean()  # which version the site explains is not a published result


def test_the_version_page_says_why_it_is_frozen_and_adds_nothing(
    published_2021, methodology, staff
):
    page = staff.get(change_url(methodology), headers={"accept-language": "en"}).content.decode()
    assert "already has published assessments" in page
    assert 'name="areas-0-code"' not in page  # the areas are shown, not editable
    assert 'name="name_en"' not in page


def test_an_unpublished_version_s_page_offers_its_areas_to_edit(methodology, staff):
    page = staff.get(change_url(methodology)).content.decode()
    assert 'name="areas-0-code"' in page and 'name="name_en"' in page


def test_a_version_without_published_results_may_still_change(methodology, staff):
    version = factories.methodology(code="2024", is_current=False)
    scale = Indicator.objects.get(code="A.1.2", criterion__area__version=version)
    scale.scale_labels_en = "No\nSome\nMost\nAll"
    scale.full_clean()
    assert staff.get(change_url(scale)).content.decode().count('name="scale_labels_en"') == 1
