"""The attacker's world: the people, Telavi's assessments in every state, a live server.

The people are those of tests/conftest.py and tests/assessments/conftest.py (a Telavi staff
member, a Sighnaghi staff member, a CSO monitor of "Civic Monitor", the CSO assigned to the
external assessments, a monitor of another CSO, project staff and a citizen), and a grant
reviewer besides. Each signs in through the real login form of the live server, in a
browser of their own (tests/attack/client.py), and every request is real HTTP.

The grant competition is there too (`build_grants`): an open call with a draft of Civic
Monitor's and a submitted application of the other CSO, a call under review whose
applications the grant reviewer is assigned to (declared no conflict, declared one, not
declared yet), a decided call with an award, its reports and agreement, and a staff export.
Each application, review comment, report and file carries a secret of its own.

The world is built once per test module and committed, so that the live server's thread
sees it; the module flushes the database at its end, as a transactional test would, and
`transactional_db` stands in for pytest-django's own, which would flush it after every test
(as tests/browser/conftest.py does). That is why these tests carry no `django_db` mark.
"""

import datetime
import logging
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone

from assessments import services
from assessments.models import (
    ActionUpdate,
    Document,
    Export,
    JobStatus,
    PlanEvidence,
    Rendering,
    Response,
    ReviewComment,
)
from assessments.permissions import GRANT_REVIEWER_GROUP, PROJECT_STAFF_GROUP
from assessments.plans import services as plan_services
from assessments.workflow import Status
from grants.models import (
    Application,
    ApplicationAttachment,
    ApplicationStatus,
    Call,
    CallExport,
    CallStage,
    ChecklistItem,
    Decision,
    Eligibility,
    Report,
    ReportAttachment,
    ReportKind,
    ReportStatus,
    RequiredAttachment,
    ReviewAssignment,
    ReviewScore,
    RubricCriterion,
)
from municipalities.models import Organization
from tests import factories
from tests.assessments.conftest import PDF, bring_to, evidence

from .client import Browser

# Everyone the checklist tries, in the order the reports list them.
ROLES = (
    "citizen",
    "telavi_staff",
    "sighnaghi_staff",
    "cso_monitor",
    "other_monitor",
    "grant_reviewer",
    "project_staff",
)
# Staff (and municipal staff, who enter data there) sign in to the admin; everyone else to
# the monitor workspace, the only other login form the site has.
ADMIN_LOGIN, MONITOR_LOGIN = "/admin/login/", "/monitor/login/"
SIGNS_IN_AT = {
    "telavi_staff": ADMIN_LOGIN,
    "sighnaghi_staff": ADMIN_LOGIN,
    "project_staff": ADMIN_LOGIN,
    "cso_monitor": MONITOR_LOGIN,
    "other_monitor": MONITOR_LOGIN,
    "grant_reviewer": MONITOR_LOGIN,
}
PASSWORD = "pw"  # tests/factories.py gives everyone this one

# Text planted in each unpublished assessment (its evidence, its file, its review comment):
# a person who may not read the assessment never reads it anywhere.
SECRET = "SECRET-minutes-of-the-closed-council-meeting"


def secret_of(target) -> str:
    kind, status = target
    return f"{SECRET} ({kind}, {status})"


# The grant competition's calls, by their slugs (the public pages' addresses name them).
CALL_SLUGS = {
    "open": "open-call",  # announced, open for ten more days
    "review": "review-call",  # closed, under review
    "decided": "decided-call",  # decided, with an award
    "draft": "draft-call",  # never public
}
# Its applications, by what they are (and so who may read them): the organisation that
# applied ("cso": Civic Monitor, the CSO monitor's; "other": the other monitor's; "third":
# an organisation nobody of the world belongs to), the call, and the reference it has.
APPLICATIONS = {
    "draft": ("cso", "open", None),
    "submitted": ("other", "open", "OPEN-CALL-001"),
    "awarded": ("other", "decided", "DECIDED-CALL-001"),
    # The call under review: the grant reviewer is assigned to each of these three, and
    # declared no conflict, declared a conflict, and has not declared yet.
    "assigned": ("cso", "review", "REVIEW-CALL-001"),
    "conflicted": ("other", "review", "REVIEW-CALL-002"),
    "undeclared": ("third", "review", "REVIEW-CALL-003"),
}
ASSIGNMENTS = {"assigned": False, "conflicted": True, "undeclared": None}  # → has_conflict
MEMBERS = {"cso": {"cso_monitor"}, "other": {"other_monitor"}, "third": set()}


def applicants(key) -> set[str]:
    """The members of the organisation that made the application."""
    return MEMBERS[APPLICATIONS[key][0]]


def application_readers(key) -> set[str]:
    """Who may read an application (grants.permissions.may_read_application): its
    organisation's members, project staff, and a reviewer assigned to it who declared no
    conflict (the grant reviewer, for one of them)."""
    reviewer = {"grant_reviewer"} if ASSIGNMENTS.get(key) is False else set()
    return applicants(key) | {"project_staff"} | reviewer


GRANT_SECRET = "SECRET-plan-of-the-applicant-s-board"


def grant_secret_of(key) -> str:
    """The text planted in an application's objectives and in its attachment."""
    return f"{GRANT_SECRET} ({key})"


# Planted elsewhere in the grant competition, and who may read each.
REVIEW_SECRET = "SECRET-reviewer-s-note-on-the-applicant"  # the grant reviewer's comment
REPORT_SECRET = "SECRET-what-the-grantee-spent"  # the award's interim report and its file
AGREEMENT_SECRET = "SECRET-signed-grant-agreement"  # the award's agreement
GRANT_SECRETS = {
    REVIEW_SECRET: {"grant_reviewer", "project_staff"},
    REPORT_SECRET: {"other_monitor", "project_staff"},
    AGREEMENT_SECRET: {"project_staff"},
}

# Planted in Telavi's draft action plan (an action, the order, a report's file): read only
# by Telavi's staff and project staff, in the admin.
PLAN_SECRET = "SECRET-draft-plan-of-the-mayor-s-office"
PLAN_READERS = {"telavi_staff", "project_staff"}

# Telavi's assessments, by (kind, status), each in a cycle of its own year (an assessment
# is unique per municipality, cycle and kind). 2021 is published for Telavi and Sighnaghi.
PUBLISHED_YEAR = 2021
YEAR_OF = {
    Status.DRAFT: 2022,
    Status.REVIEW: 2023,
    Status.SUBMITTED: 2024,
    Status.REPLY: 2025,
    Status.PUBLISHED: PUBLISHED_YEAR,
}


# --- Settings for the whole package ---------------------------------------------------------


@pytest.fixture(scope="package", autouse=True)
def attack_settings(tmp_path_factory):
    """Quick password hashes (every role signs in once per module) and files in a folder of
    the run's own, for the live server's thread as for the tests."""
    folder = tmp_path_factory.mktemp("attack-files")
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        PRIVATE_ROOT=folder / "private",
        MEDIA_ROOT=folder / "media",
    ):
        yield folder


@pytest.fixture(autouse=True)
def private_files_in_a_temporary_folder():
    """Stands in for the fixture of tests/conftest.py, which gives each test a new private
    folder: the module's world keeps its evidence files in the package's folder."""


# --- The live server and the module's database -----------------------------------------------


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, live_server):
    """The live server's address; the database is open (committed, for its thread too) while
    the module runs, and flushed at its end."""
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connections

    with django_db_blocker.unblock():
        cache.clear()
        yield live_server.url
        call_command("flush", interactive=False, verbosity=0)
        cache.clear()
        connections.close_all()


@pytest.fixture
def transactional_db(site):
    """Stands in for pytest-django's fixture, which `live_server` asks for with every test
    and which would flush the module's world after the first one."""
    return None


class ServerErrorLog(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_server_error_logged(request):
    """Whatever else a test checks, the live server logged no error (a 500 is logged by
    django.request). A test marked xfail documents a finding and is left to say so."""
    log = ServerErrorLog()
    logger = logging.getLogger("django.request")
    logger.addHandler(log)
    yield log
    logger.removeHandler(log)
    if request.node.get_closest_marker("xfail") is None:
        errors = [f"{r.getMessage()}" for r in log.records]
        assert errors == [], f"the live server logged errors: {errors}"


# --- The world ------------------------------------------------------------------------------


class World:
    """Everything a module's tests name: people, places, assessments, files, addresses."""

    def __init__(self, base):
        self.base = base
        self.people = {}
        self.assessments = {}  # (kind, status) → Telavi's assessment
        self.published = {}  # (municipality slug, kind) → the published assessment of 2021
        self.browsers = {}
        self.secret_files = {}  # (kind, status) → the evidence file of Telavi's assessment
        self.calls = {}  # key of CALL_SLUGS → the grant call
        self.applications = {}  # key of APPLICATIONS → the application
        self.application_files = {}  # key of APPLICATIONS → its attachment
        self.assignments = {}  # key of ASSIGNMENTS → the grant reviewer's review of it
        self.reports = {}  # "interim", "final" → the award's report
        self.plans = {}  # "adopted", "draft" → Telavi's action plan
        self.plan_actions = {}  # "adopted", "draft" → action 1 of the plan

    def assessment(self, kind, status):
        return self.assessments[kind, status]

    def browser(self, role, language="en"):
        """A new, signed-in browser of this person (a citizen's is never signed in)."""
        browser = Browser(self.base, person=role, language=language)
        if role != "citizen":
            browser.sign_in(SIGNS_IN_AT[role], self.people[role].username, PASSWORD)
        return browser

    def of(self, role) -> Browser:
        """The module's browser of this person, signed in once."""
        if role not in self.browsers:
            self.browsers[role] = self.browser(role)
        return self.browsers[role]


def a_1_1(assessment):
    """The answer to A.1.1, which every assessment of the world has."""
    return Response.objects.get(assessment=assessment, indicator__code="A.1.1")


def build_people_and_places(world: World) -> World:
    """Telavi and Sighnaghi, the methodology, the two CSOs and everyone who signs in."""
    telavi = factories.municipality("telavi", "Telavi", "თელავი")
    sighnaghi = factories.municipality("sighnaghi", "Sighnaghi", "სიღნაღი")
    world.places = {"telavi": telavi, "sighnaghi": sighnaghi}
    world.methodology = factories.methodology()
    world.cso = factories.organization()
    world.other_cso = factories.organization("open-society-watch")
    world.people = {
        "telavi_staff": factories.municipal_staff("telavi-staff", telavi),
        "sighnaghi_staff": factories.municipal_staff("sighnaghi-staff", sighnaghi),
        "cso_monitor": factories.cso_monitor("cso-monitor", world.cso),
        "other_monitor": factories.cso_monitor("other-monitor", world.other_cso),
        "grant_reviewer": factories.user("grant-reviewer", group=GRANT_REVIEWER_GROUP),
        "project_staff": factories.user("project-staff", group=PROJECT_STAFF_GROUP, is_staff=True),
    }
    world.cycles = {}
    return world


def assessment_of(world: World, place, year: int, kind: str):
    """A new assessment of the place in the year's cycle (made as needed); an external one
    is carried out by Civic Monitor."""
    if year not in world.cycles:
        world.cycles[year] = factories.cycle(
            year, world.methodology, is_open=year != PUBLISHED_YEAR
        )
    organization = {"organization": world.cso} if kind == "external" else {}
    return factories.assessment(place, world.cycles[year], kind, **organization)


def build_published_2021(world: World) -> None:
    """Both kinds published for Telavi and Sighnaghi: the public pages, files and API have
    something to show, and one public evidence file."""
    staff = world.people["project_staff"]
    for slug, place in world.places.items():
        for kind in ("self", "external"):
            assessment = assessment_of(world, place, PUBLISHED_YEAR, kind)
            bring_to(assessment, Status.REVIEW, by=staff)
            response = a_1_1(assessment)
            response.evidence = f"Published evidence of {slug}"
            response.save()
            world.published[slug, kind] = assessment
    world.public_file = evidence(a_1_1(world.published["telavi", "external"]), "public.pdf")
    for assessment in world.published.values():
        services.publish_assessment(assessment=assessment, by=staff, notify=False)
        assessment.refresh_from_db()
    for kind in ("self", "external"):
        world.assessments[kind, Status.PUBLISHED] = world.published["telavi", kind]


def build_telavi_in_every_state(world: World) -> None:
    """Telavi's assessments of both kinds in every state before publication (an external
    one only has a right of reply), each with a secret answer, a secret file and, under
    review, a secret comment."""
    staff = world.people["project_staff"]
    for status, year in YEAR_OF.items():
        if status == Status.PUBLISHED:
            continue
        for kind in ("external",) if status == Status.REPLY else ("self", "external"):
            assessment = bring_to(
                assessment_of(world, world.places["telavi"], year, kind), status, by=staff
            )
            response = a_1_1(assessment)
            response.evidence = secret_of((kind, status))
            response.save()
            world.assessments[kind, status] = assessment
            world.secret_files[kind, status] = evidence(
                response, "secret.pdf", PDF + secret_of((kind, status)).encode()
            )
            if status == Status.REVIEW:
                ReviewComment.objects.create(
                    assessment=assessment,
                    indicator=response.indicator,
                    text=f"{secret_of((kind, status))} comment",
                    author=staff,
                )


def build_admin_records(world: World) -> None:
    """One record of every model the admin shows that the workflow does not make, so that
    each of its pages has one: a PDF rendering, a staff export, sign-in records."""
    now = timezone.now()
    cycle = world.cycles[PUBLISHED_YEAR]
    world.rendering = Rendering.objects.create(
        document=Document.SCORECARD,
        cycle=cycle,
        municipality=world.places["telavi"],
        language="en",
    )
    world.export = Export.objects.create(
        cycle=cycle,
        language="en",
        status=JobStatus.DONE,
        requested_by=world.people["project_staff"],
    )
    world.export.file.save("results.xlsx", ContentFile(b"PK\x03\x04 EXPORT-SECRET"))
    AccessAttempt.objects.create(
        username="telavi-staff",
        ip_address="203.0.113.9",
        user_agent="x",
        http_accept="*/*",
        path_info="/admin/login/",
        attempt_time=now,
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    AccessLog.objects.create(
        username="telavi-staff",
        ip_address="203.0.113.9",
        user_agent="x",
        http_accept="*/*",
        path_info="/admin/login/",
        attempt_time=now,
    )


def grant_call(world: World, key: str, stage: str, opens_at, closes_at) -> Call:
    """A call of the 2021 findings for Telavi and Sighnaghi: a checklist, a required
    document and a rubric of two criteria."""
    call = Call.objects.create(
        slug=CALL_SLUGS[key],
        title_ka=f"გრანტები ({key})",
        title_en=f"Grants ({key})",
        description_ka="ადვოკატირება შეფასების შედეგების საფუძველზე.",
        description_en="Advocacy built on the assessment's findings.",
        budget=Decimal("100000"),
        min_grant=Decimal("5000"),
        max_grant=Decimal("20000"),
        opens_at=opens_at,
        closes_at=closes_at,
        stage=stage,
        cycle=world.cycles[PUBLISHED_YEAR],
    )
    call.municipalities.set(world.places.values())
    ChecklistItem.objects.create(call=call, text_ka="რეგისტრირებული", text_en="Registered")
    RequiredAttachment.objects.create(
        call=call, name_ka="ბიუჯეტი", name_en="Project budget", extensions="pdf"
    )
    RubricCriterion.objects.create(call=call, name_ka="შესაბამისობა", name_en="Relevance")
    RubricCriterion.objects.create(call=call, name_ka="განხორციელებადობა", name_en="Feasibility")
    return call


def build_grants(world: World) -> None:
    """The grant competition in every state a page shows (see APPLICATIONS), made with the
    ORM; each application's objectives and attachment carry its secret. The draft comes
    first: Django's stock admin pages are tried on the first application by id, and a
    draft is the one application the admin may delete."""
    now = timezone.now().replace(microsecond=0)
    day, year = datetime.timedelta(days=1), datetime.timedelta(days=365)
    staff = world.people["project_staff"]
    world.third_cso = Organization.objects.create(
        slug="kakheti-voices", name_ka="კახეთის ხმები", name_en="Kakheti Voices"
    )
    organisations = {"cso": world.cso, "other": world.other_cso, "third": world.third_cso}
    world.calls = {
        "open": grant_call(world, "open", CallStage.ANNOUNCED, now - day, now + 10 * day),
        "review": grant_call(world, "review", CallStage.UNDER_REVIEW, now - year, now - 30 * day),
        "decided": grant_call(world, "decided", CallStage.DECIDED, now - 2 * year, now - year),
        "draft": grant_call(world, "draft", CallStage.DRAFT, now + 10 * day, now + 40 * day),
    }
    for key, (organisation, call_key, reference) in APPLICATIONS.items():
        call = world.calls[call_key]
        submitted = reference is not None
        application = Application.objects.create(
            call=call,
            organization=organisations[organisation],
            reference=reference,
            status=ApplicationStatus.SUBMITTED if submitted else ApplicationStatus.DRAFT,
            submitted_at=now - day if submitted else None,
            eligibility=Eligibility.ELIGIBLE if submitted else Eligibility.PENDING,
            contact_name="Nino Beridze",
            contact_email="nino@example.org",
            title=f"Water for every village ({key})",
            summary="Advocacy for the water service.",
            municipality=world.places["telavi" if key != "undeclared" else "sighnaghi"],
            objectives=grant_secret_of(key),
            activities="Meetings and a public hearing.",
            requested_amount=Decimal("12000"),
            created_by=staff,
        )
        world.applications[key] = application
        world.application_files[key] = ApplicationAttachment.objects.create(
            application=application,
            requirement=call.required_attachments.first(),
            file=ContentFile(PDF + grant_secret_of(key).encode(), name="budget.pdf"),
            name="budget.pdf",
            size=len(PDF),
        )

    # The award: decided, with its agreement, its reports (the interim one submitted, with
    # a file) and its public summary.
    award = world.applications["awarded"]
    award.decision = Decision.AWARDED
    award.decision_reason = "Strong link to the findings."
    award.awarded_amount = Decimal("10000")
    award.decided_at = now - year
    award.grant_start = (now - year).date()
    award.grant_end = (now + year).date()
    award.public_summary = "Advocacy for clean water in Telavi."
    award.save()
    award.agreement.save("agreement.pdf", ContentFile(PDF + AGREEMENT_SECRET.encode()))
    interim = Report.objects.create(
        application=award,
        kind=ReportKind.INTERIM,
        due_on=(now - day).date(),
        status=ReportStatus.SUBMITTED,
        narrative=REPORT_SECRET,
        financial="Spent as planned.",
        submitted_at=now - day,
    )
    final = Report.objects.create(
        application=award, kind=ReportKind.FINAL, due_on=(now + year).date()
    )
    world.reports = {"interim": interim, "final": final}
    world.report_file = ReportAttachment.objects.create(
        report=interim,
        file=ContentFile(PDF + REPORT_SECRET.encode(), name="receipts.pdf"),
        name="receipts.pdf",
        size=len(PDF),
    )

    # The grant reviewer's three assignments; a comment on the one they may score.
    reviewer = world.people["grant_reviewer"]
    for key, has_conflict in ASSIGNMENTS.items():
        world.assignments[key] = ReviewAssignment.objects.create(
            application=world.applications[key],
            reviewer=reviewer,
            assigned_by=staff,
            has_conflict=has_conflict,
            conflict_note="My brother chairs its board." if has_conflict else "",
            declared_at=None if has_conflict is None else now,
        )
    ReviewScore.objects.create(
        review=world.assignments["assigned"],
        criterion=world.calls["review"].rubric.first(),
        points=4,
        comment=REVIEW_SECRET,
    )

    world.call_export = CallExport.objects.create(
        call=world.calls["decided"],
        requested_by=staff,
        state=CallExport.State.READY,
        done=1,
        total=1,
    )
    world.call_export.file.save("call.xlsx", ContentFile(b"PK\x03\x04 GRANTS-EXPORT-SECRET"))


def build_plans(world: World) -> None:
    """Telavi's adopted plan for the 2021 findings, which Civic Monitor (working in
    Telavi) monitors: action 1 reported on with a file and judged (disputed, with a file),
    action 2 reported on and waiting for a verdict. Then Telavi's draft of its next plan,
    whose action and order document carry the plan secret, and a report on it made
    behind the steps' back (with a file): nothing of a draft is public."""
    telavi, staff = world.places["telavi"], world.people["telavi_staff"]
    world.cso.municipalities.add(telavi)
    cycle = world.cycles[PUBLISHED_YEAR]
    plan = factories.plan(telavi, cycle, starts_on="2022-01-01", ends_on="2023-12-31")
    first = factories.action(plan, 1, indicators=["A.1.1"], due_on=datetime.date(2022, 6, 30))
    second = factories.action(plan, 2, indicators=["A.2.1"])
    factories.adopt(plan, staff, now=datetime.datetime(2022, 1, 10, 9, 0, tzinfo=datetime.UTC))
    today = datetime.date(2023, 1, 1)
    report = plan_services.report_progress(
        action=first,
        by=staff,
        reported_on=datetime.date(2022, 5, 1),
        status="done",
        text="Done, with the tender's papers.",
        files=[factories.pdf("tender.pdf", PDF + b"public plan evidence")],
        today=today,
        notify=False,
    )
    world.plan_verdict = plan_services.give_verdict(
        update=report,
        by=world.people["cso_monitor"],
        organization_id=world.cso.pk,
        verdict="disputed",
        text="The works have not begun.",
        files=[factories.pdf("photo.pdf", PDF + b"public verdict evidence")],
        notify=False,
    )
    world.plan_file = report.evidence.get()
    world.waiting_report = plan_services.report_progress(
        action=second,
        by=staff,
        reported_on=datetime.date(2022, 6, 1),
        status="in_progress",
        text="Half of the villages are connected.",
        today=today,
        notify=False,
    )
    draft = factories.plan(
        telavi, cycle, starts_on="2024-01-01", ends_on="2025-12-31", order_number="N 7"
    )
    draft.order_document.save("order.pdf", ContentFile(PDF + PLAN_SECRET.encode()))
    secret_action = factories.action(
        draft, 1, description_en=PLAN_SECRET, description_ka=PLAN_SECRET
    )
    hidden_report = ActionUpdate.objects.create(
        action=secret_action,
        reported_on=datetime.date(2024, 2, 1),
        status="in_progress",
        text=PLAN_SECRET,
        author=staff,
    )
    world.hidden_plan_file = PlanEvidence.objects.create(
        update=hidden_report,
        file=ContentFile(PDF + PLAN_SECRET.encode(), name="draft.pdf"),
        title="draft.pdf",
    )
    world.plans = {"adopted": plan, "draft": draft}
    world.plan_actions = {"adopted": first, "draft": secret_action}


def build_world(base) -> World:
    world = build_people_and_places(World(base))
    build_published_2021(world)
    build_telavi_in_every_state(world)
    build_admin_records(world)
    build_grants(world)
    build_plans(world)
    return world


@pytest.fixture(scope="module")
def world(site):
    """The module's world, built once and committed."""
    return build_world(site)


@pytest.fixture(scope="module")
def browsers(world):
    """Each person's signed-in browser, by role; the citizen's signs in nowhere."""
    return {role: world.of(role) for role in ROLES}


# --- What a refused request must leave as it was ---------------------------------------------

WATCHED_APPS = {
    "auth",
    "admin",
    "sessions",
    "axes",
    "musqat",
    "municipalities",
    "indicators",
    "assessments",
    "grants",
}


def database_state() -> dict:
    """Every row of every table of the site's apps (sessions and sign-in records included),
    to compare before and after a request that must change nothing."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.app_label in WATCHED_APPS
    }


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]
