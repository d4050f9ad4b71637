"""The grant competition's people and calls, shared by every grants test.

One open call of the 2021 findings for Telavi and Sighnaghi, the CSO monitor's
organisation (`cso`, `cso_monitor` from tests/conftest.py) and another organisation's
monitor, a grant reviewer and project staff. Applications are made through the services,
as the pages make them.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from assessments.permissions import GRANT_REVIEWER_GROUP
from grants import services
from grants.models import (
    ApplicationAttachment,
    BudgetLine,
    Call,
    CallStage,
    ChecklistItem,
    RequiredAttachment,
    RubricCriterion,
)
from indicators.models import Indicator
from municipalities.models import Organization
from tests import factories

# The smallest files whose content musqat.uploads.content_matches accepts.
PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
XLSX_BYTES = b"PK\x03\x04" + b"\x00" * 60

# When the tests' awards of 2025 are decided: a grant may not end in the past at its
# decision, and these tests keep their fixed dates of 2025 whatever today is.
DECIDED_AT = datetime.datetime(2024, 12, 20, 9, 0, tzinfo=datetime.UTC)


def pdf_file(name="budget.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def xlsx_file(name="budget.xlsx", content=XLSX_BYTES):
    return SimpleUploadedFile(
        name,
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Passwords hashed quickly: these tests create many people."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def browser_of():
    """A separate browser for each person (None: a citizen, not logged in), optionally
    asking for a language ("en" or "ka")."""

    def browser_of(person, language=None):
        browser = Client(headers={"Accept-Language": language} if language else {})
        if person is not None:
            browser.force_login(person)
        return browser

    return browser_of


@pytest.fixture
def grant_cycle(published_2021):
    """The published cycle whose findings the calls address."""
    return published_2021.cycle


@pytest.fixture
def open_call(grant_cycle, telavi, sighnaghi):
    """Announced, opened a day ago, closes in ten days: 5 000–20 000 ₾ of 100 000 ₾.

    Priority indicator A.2.1; one document required ("Project budget", xlsx or pdf);
    two eligibility conditions and two rubric criteria (Relevance ×2, Feasibility ×1).
    """
    now = timezone.now().replace(microsecond=0)
    call = Call.objects.create(
        slug="kakheti-2024",
        title_ka="მცირე გრანტები 2024",
        title_en="Small grants 2024",
        description_ka="ადვოკატირება შეფასების შედეგების საფუძველზე.",
        description_en="Advocacy built on the assessment's findings.",
        budget=Decimal("100000"),
        min_grant=Decimal("5000"),
        max_grant=Decimal("20000"),
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=10),
        stage=CallStage.ANNOUNCED,
        cycle=grant_cycle,
    )
    call.municipalities.set([telavi, sighnaghi])
    call.priority_indicators.set(
        Indicator.objects.filter(criterion__area__version=grant_cycle.methodology, code="A.2.1")
    )
    ChecklistItem.objects.create(
        call=call, text_ka="რეგისტრირებული ორგანიზაცია", text_en="A registered CSO", order=0
    )
    ChecklistItem.objects.create(
        call=call, text_ka="მუშაობს კახეთში", text_en="Works in Kakheti", order=1
    )
    RequiredAttachment.objects.create(
        call=call, name_ka="პროექტის ბიუჯეტი", name_en="Project budget", extensions="xlsx, pdf"
    )
    RubricCriterion.objects.create(
        call=call, name_ka="შესაბამისობა", name_en="Relevance", weight=Decimal(2), order=0
    )
    RubricCriterion.objects.create(
        call=call, name_ka="განხორციელებადობა", name_en="Feasibility", weight=Decimal(1), order=1
    )
    return call


@pytest.fixture
def budget_requirement(open_call):
    """The call's one required document, "Project budget"."""
    return open_call.required_attachments.get()


@pytest.fixture
def other_cso(db):
    return Organization.objects.create(
        slug="other-cso", name_ka="სხვა ორგანიზაცია", name_en="Other organisation"
    )


@pytest.fixture
def other_monitor(other_cso):
    """A CSO monitor of another organisation: sees none of `cso`'s applications."""
    return factories.cso_monitor("other-monitor", other_cso)


@pytest.fixture
def grant_reviewer(db):
    return factories.user("grant-reviewer", group=GRANT_REVIEWER_GROUP, email="r@example.org")


@pytest.fixture
def draft_application(open_call, cso, cso_monitor):
    """The CSO monitor's organisation has started an application, nothing filled in yet."""
    return services.start_application(call=open_call, organization_id=cso.pk, by=cso_monitor)


def complete(application, by, telavi):
    """Fill in everything a submission needs: 12 000 ₾ in two lines, the budget attached."""
    application.contact_name = "Nino Beridze"
    application.contact_email = "nino@example.org"
    application.title = "Water for every village"
    application.summary = "Advocacy for the water service."
    application.objectives = "More villages served."
    application.activities = "Meetings and a public hearing."
    application.municipality = telavi
    application.save()
    application.indicators.set(
        Indicator.objects.filter(
            criterion__area__version=application.call.cycle.methodology, code="A.2.1"
        )
    )
    BudgetLine.objects.create(
        application=application, description="Meetings", amount=Decimal("7000"), order=0
    )
    BudgetLine.objects.create(
        application=application, description="Hearing", amount=Decimal("5000"), order=1
    )
    ApplicationAttachment.objects.create(
        application=application,
        requirement=application.call.required_attachments.first(),
        file=pdf_file(),
        name="budget.pdf",
        size=len(PDF_BYTES),
        uploaded_by=by,
    )
    return application


@pytest.fixture
def complete_draft(draft_application, cso_monitor, telavi):
    """A draft with everything a submission needs, not submitted yet."""
    return complete(draft_application, cso_monitor, telavi)


@pytest.fixture
def submitted_application(complete_draft, cso_monitor):
    """Submitted to the open call, reference KAKHETI-2024-001."""
    return services.submit_application(application=complete_draft, by=cso_monitor)


@pytest.fixture
def awarded_application(submitted_application, open_call, project_staff):
    """The call closed, was reviewed and decided: 10 000 ₾ awarded for 2025, with an interim
    report due 2025-07-02 and a final one due 2026-01-30."""
    services.start_review(call=open_call, by=project_staff, now=open_call.closes_at)
    services.check_eligibility(application=submitted_application, eligible=True, by=project_staff)
    services.decide(
        application=submitted_application,
        award=True,
        amount=Decimal("10000"),
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
        reason="Strong link to the findings.",
        by=project_staff,
        summary_ka="სასმელი წყალი ყველა სოფელს",
        summary_en="Drinking water for every village",
        now=DECIDED_AT,
    )
    services.close_decisions(call=open_call, by=project_staff)
    submitted_application.refresh_from_db()
    return submitted_application
