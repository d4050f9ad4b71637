"""Small factories: each builds the least a test needs, with readable defaults."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import (
    Action,
    ActionIndicator,
    ActionPlan,
    Assessment,
    Cycle,
    Response,
)
from assessments.permissions import ensure_groups
from assessments.plans import services as plan_services
from indicators.models import Criterion, Indicator, MethodologyVersion, ThematicArea
from municipalities.models import (
    Municipality,
    MunicipalityMembership,
    Organization,
    OrganizationMembership,
    Region,
)


def region(slug="kakheti"):
    return Region.objects.get_or_create(
        slug=slug, defaults={"name_ka": "კახეთი", "name_en": "Kakheti"}
    )[0]


def municipality(slug, name_en, name_ka, **facts):
    defaults = {
        "region": region(),
        "name_ka": name_ka,
        "name_en": name_en,
        "official_name_ka": f"{name_ka}ს მუნიციპალიტეტი",
        "official_name_en": f"{name_en} Municipality",
        "centre_ka": name_ka,
        "centre_en": name_en,
        "population": 30000,
        "area_km2": Decimal("1000.0"),
        "latitude": Decimal("41.9"),
        "longitude": Decimal("45.5"),
    } | facts
    return Municipality.objects.create(slug=slug, **defaults)


def organization(slug="civic-monitor"):
    return Organization.objects.create(
        slug=slug, name_ka="სამოქალაქო მონიტორი", name_en="Civic Monitor"
    )


def methodology(code="2020", is_current=True):
    """A small methodology with every response type.

    A (weight 1): A.1 = A.1.1 yes/no, A.1.2 scale 0–3 (municipality only);
                  A.2 = A.2.1 percent (CSO only)
    B (weight 1): B.1 = B.1.1 numeric, worst 20 days, best 5 (lower is better)
    """
    version = MethodologyVersion.objects.create(
        code=code, name_ka="მეთოდოლოგია", name_en="Methodology", is_current=is_current
    )
    a = ThematicArea.objects.create(
        version=version, code="A", name_ka="მმართველობა", name_en="Governance", order=0
    )
    b = ThematicArea.objects.create(
        version=version, code="B", name_ka="ინფრასტრუქტურა", name_en="Infrastructure", order=1
    )
    a1 = Criterion.objects.create(area=a, code="A.1", name_ka="სტრატეგია", name_en="Strategy")
    a2 = Criterion.objects.create(
        area=a, code="A.2", name_ka="ხელმისაწვდომობა", name_en="Access", order=1
    )
    b1 = Criterion.objects.create(area=b, code="B.1", name_ka="რეაგირება", name_en="Response")
    indicator(a1, "A.1.1", "yes_no")
    indicator(
        a1,
        "A.1.2",
        "scale",
        answered_by="municipality",
        scale_labels_ka="არა\nპროექტი\nმიღებული\nგამოიყენება",
        scale_labels_en="None\nDraft\nAdopted\nApplied",
    )
    indicator(a2, "A.2.1", "percent", answered_by="cso", unit_ka="%", unit_en="%")
    indicator(
        b1, "B.1.1", "numeric", worst=Decimal(20), best=Decimal(5), unit_ka="დღე", unit_en="days"
    )
    return version


def indicator(criterion, code, response_type, **fields):
    defaults = {
        "name_ka": f"ინდიკატორი {code}",
        "name_en": f"Indicator {code}",
        "answered_by": "both",
    }
    return Indicator.objects.create(
        criterion=criterion, code=code, response_type=response_type, **(defaults | fields)
    )


def cycle(year, version, is_open=False):
    return Cycle.objects.create(year=year, methodology=version, is_open=is_open)


def assessment(municipality, cycle, kind="self", **fields):
    return Assessment.objects.create(municipality=municipality, cycle=cycle, kind=kind, **fields)


def answer(assessment, code, value=None, *, is_na=False, na_reason=""):
    indicator = assessment.indicators().get(code=code)
    return Response.objects.update_or_create(
        assessment=assessment,
        indicator=indicator,
        defaults={
            "value": None if value is None else Decimal(str(value)),
            "is_na": is_na,
            "na_reason": na_reason,
        },
    )[0]


def user(username, *, group=None, **fields):
    ensure_groups()
    person = get_user_model().objects.create_user(username=username, password="pw", **fields)
    if group:
        person.groups.add(Group.objects.get(name=group))
    return person


def municipal_staff(username, municipality):
    from assessments.permissions import MUNICIPAL_STAFF_GROUP

    person = user(username, group=MUNICIPAL_STAFF_GROUP)
    MunicipalityMembership.objects.create(user=person, municipality=municipality)
    return person


def cso_monitor(username, organization):
    from assessments.permissions import CSO_MONITOR_GROUP

    person = user(username, group=CSO_MONITOR_GROUP)
    OrganizationMembership.objects.create(user=person, organization=organization)
    return person


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="order.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def plan(municipality, cycle, *, starts_on="2022-01-01", ends_on="2023-12-31", **fields):
    """A draft action plan; `adopted_plan` adopts one through the service."""
    return ActionPlan.objects.create(
        municipality=municipality,
        cycle=cycle,
        starts_on=datetime.date.fromisoformat(starts_on),
        ends_on=datetime.date.fromisoformat(ends_on),
        **fields,
    )


def action(plan, number, *, indicators=(), starts_on=None, due_on=None, **fields):
    defaults = {
        "title_ka": f"ღონისძიება {number}",
        "title_en": f"Action {number}",
        "description_ka": "აღწერა",
        "description_en": "Description",
        "responsible_unit_ka": "ინფრასტრუქტურის სამსახური",
        "responsible_unit_en": "Infrastructure department",
        "expected_result_ka": "შედეგი",
        "expected_result_en": "Result",
        "budget": Decimal("12500.50"),
        "budget_source_ka": "მუნიციპალური ბიუჯეტი",
        "budget_source_en": "Municipal budget",
    }
    created = Action.objects.create(
        plan=plan,
        number=number,
        starts_on=starts_on or plan.starts_on,
        due_on=due_on or plan.ends_on,
        **(defaults | fields),
    )
    for code in indicators:
        indicator = Indicator.objects.get(
            code=code, criterion__area__version=plan.cycle.methodology
        )
        ActionIndicator.objects.create(action=created, indicator=indicator)
    return created


def adopt(plan, by, *, now=None):
    plan.order_number = plan.order_number or "N 123"
    plan.order_date = plan.order_date or plan.starts_on
    if not plan.order_document:
        plan.order_document.save("order.pdf", pdf(), save=False)
    plan.save()
    # Adopted as the plan starts, unless the test says when: reports may not predate it.
    now = now or datetime.datetime.combine(plan.starts_on, datetime.time(9), tzinfo=datetime.UTC)
    return plan_services.adopt_plan(plan=plan, by=by, now=now)
