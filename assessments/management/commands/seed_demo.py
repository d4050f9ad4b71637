"""Load the demonstration data. Running it again changes nothing."""

import datetime
import hashlib
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from assessments import demo
from assessments.demo.plans import seed_plans
from assessments.models import ActionPlan, Assessment, Cycle, PlanStatus, Response
from assessments.permissions import (
    CSO_MONITOR_GROUP,
    GRANT_REVIEWER_GROUP,
    MUNICIPAL_STAFF_GROUP,
    PROJECT_STAFF_GROUP,
    ensure_groups,
)
from assessments.services import (
    move_assessment,
    open_reply,
    publish_assessment,
    submit_assessment,
)
from assessments.workflow import Kind, Status
from indicators.matrix import load_matrix
from indicators.models import Indicator, MethodologyVersion, ResponseType
from municipalities.models import (
    Municipality,
    MunicipalityMembership,
    Organization,
    OrganizationMembership,
    Region,
)
from musqat.spreadsheets import read_rows

GROUPS = {
    "project_staff": PROJECT_STAFF_GROUP,
    "municipal_staff": MUNICIPAL_STAFF_GROUP,
    "cso_monitor": CSO_MONITOR_GROUP,
    "grant_reviewer": GRANT_REVIEWER_GROUP,
}

WORKSPACES = {
    "project_staff": "/admin/",
    "municipal_staff": "/admin/",
    "cso_monitor": "/monitor/",
    "grant_reviewer": "/review/",
}

ROLE_NAMES = {
    "project_staff": "project staff",
    "municipal_staff": "municipal staff",
    "cso_monitor": "CSO monitor",
    "grant_reviewer": "grant reviewer",
}

# (Georgian original, English translation)
NA_REASON = (
    "ეს სერვისი მუნიციპალიტეტში არ არსებობს.",
    "The municipality does not provide this service.",
)
EVIDENCE = {
    Kind.SELF: (
        "მუნიციპალიტეტის შიდა დოკუმენტაცია და საკრებულოს დადგენილებები.",
        "The municipality's internal records and council resolutions.",
    ),
    Kind.EXTERNAL: (
        "ორგანიზაციის მონიტორინგის ანგარიში, საჯარო ინფორმაციის მოთხოვნები და ინტერვიუები.",
        "The organisation's monitoring report, public information requests and interviews.",
    ),
}
REPLY = (
    "მუნიციპალიტეტი არ ეთანხმება შეფასებას: შესაბამისი დოკუმენტი მიღებულია და "
    "გამოქვეყნდება მომდევნო თვეში.",
    "The municipality disagrees with this finding: the document has been adopted and "
    "will be published next month.",
)


def unit_fraction(*parts) -> Decimal:
    """A deterministic number in [0, 1) from the given parts."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return Decimal(int(digest[:8], 16)) / Decimal(16**8)


def synthetic_answer(indicator: Indicator, *, slug: str, year: int, kind: str):
    """(value, is_na) for one synthetic answer: better municipalities answer better,
    self-assessments are kinder than external ones, and 2021 improves on 2020."""
    if unit_fraction("na", indicator.code, slug) < Decimal("0.04"):
        return None, True
    quality = demo.QUALITY[slug] + (Decimal("0.06") if year >= 2021 else 0)
    if kind == Kind.EXTERNAL:
        quality -= Decimal("0.12")
    noise = unit_fraction(indicator.code, slug, year, kind) - Decimal("0.5")
    p = min(max(quality + noise * Decimal("0.7"), Decimal(0)), Decimal(1))
    if indicator.response_type == ResponseType.YES_NO:
        return Decimal(1 if p >= Decimal("0.5") else 0), False
    if indicator.response_type == ResponseType.SCALE:
        return (p * indicator.scale_max).quantize(Decimal(1), ROUND_HALF_UP), False
    if indicator.response_type == ResponseType.PERCENT:
        return (p * 100).quantize(Decimal("0.1"), ROUND_HALF_UP), False
    value = indicator.worst + p * (indicator.best - indicator.worst)
    return value.quantize(Decimal("0.1"), ROUND_HALF_UP), False


class Command(BaseCommand):
    help = (
        "Load the demonstration data: Kakheti, a methodology, cycles, assessments, action "
        "plans and users."
    )

    def handle(self, *args, **options):
        ensure_groups()
        with transaction.atomic():
            region = self.seed_region()
            organization = self.seed_organization()
            version = self.seed_methodology()
            users = self.seed_users(organization)
            self.seed_cycles(version, organization, users["project-staff"], region)
            self.seed_plans(users, organization)
        # Grant calls on these findings: by the command's name, as assessments may not
        # import grants (grants builds on assessments).
        call_command("seed_grants", stdout=self.stdout)
        if settings.RENDER_PDFS:
            for year in Cycle.objects.with_published().values_list("year", flat=True):
                self.stdout.write(f"PDFs of {year}:")
                call_command("render_scorecards", cycle=year, only_stale=True, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demonstration data is ready."))
        self.stdout.write(f"Demo logins (password for all: {demo.PASSWORD}):")
        for username, _first, _last, role, slug in demo.USERS:
            where = f", {slug.title()}" if slug else ""
            self.stdout.write(f"  {username:<16} {ROLE_NAMES[role]}{where} ({WORKSPACES[role]})")

    def seed_plans(self, users, organization):
        municipal_staff = {
            slug: users[username]
            for username, _first, _last, role, slug in demo.USERS
            if role == "municipal_staff"
        }
        seed_plans(
            staff=users["project-staff"],
            municipal_staff=municipal_staff,
            monitor=users["cso-monitor"],
            organization=organization,
        )
        plans = ActionPlan.objects.public()
        self.stdout.write(
            f"Action plans: {plans.filter(status=PlanStatus.ADOPTED).count()} in force, "
            f"{plans.filter(status=PlanStatus.CLOSED).count()} closed."
        )

    def seed_region(self):
        region, _ = Region.objects.update_or_create(
            slug=demo.REGION["slug"],
            defaults={"name_ka": demo.REGION["name_ka"], "name_en": demo.REGION["name_en"]},
        )
        for (
            slug,
            name_en,
            official_ka,
            centre_ka,
            centre_en,
            population,
            area,
            lat,
            lon,
        ) in demo.MUNICIPALITIES:
            Municipality.objects.update_or_create(
                slug=slug,
                defaults={
                    "region": region,
                    "name_ka": centre_ka,
                    "name_en": name_en,
                    "official_name_ka": official_ka,
                    "official_name_en": f"{name_en} Municipality",
                    "centre_ka": centre_ka,
                    "centre_en": centre_en,
                    "population": population,
                    "population_year": 2014,
                    "area_km2": Decimal(area),
                    "latitude": Decimal(lat),
                    "longitude": Decimal(lon),
                },
            )
        return region

    def seed_organization(self):
        data = dict(demo.ORGANIZATION)
        organization, _ = Organization.objects.update_or_create(
            slug=data.pop("slug"), defaults=data
        )
        organization.municipalities.set(Municipality.objects.all())
        return organization

    def seed_methodology(self):
        data = dict(demo.METHODOLOGY)
        current = MethodologyVersion.objects.filter(is_current=True).exclude(code=data["code"])
        current.update(is_current=False)
        version, _ = MethodologyVersion.objects.update_or_create(
            code=data.pop("code"), defaults={**data, "is_current": True}
        )
        load_matrix(version=version, rows=read_rows(demo.METHODOLOGY_CSV.read_bytes()))
        return version

    def seed_users(self, organization):
        User = get_user_model()
        users = {}
        for username, first, last, role, slug in demo.USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username)
                user.set_password(demo.PASSWORD)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@example.org"
            # Project and municipal staff work in the admin; monitors in /monitor/.
            user.is_staff = role in ("project_staff", "municipal_staff")
            user.save()
            user.groups.add(Group.objects.get(name=GROUPS[role]))
            if slug:
                MunicipalityMembership.objects.update_or_create(
                    user=user, defaults={"municipality": Municipality.objects.get(slug=slug)}
                )
            if role == "cso_monitor":
                OrganizationMembership.objects.get_or_create(user=user, organization=organization)
            users[username] = user
        return users

    def seed_cycles(self, version, organization, staff, region):
        today = timezone.localdate()
        for year, (is_open, published_kinds) in demo.CYCLES.items():
            # The open cycle has dates around the day of seeding, so that the workspaces
            # always show a deadline to work towards.
            dates = {}
            if is_open:
                dates = {
                    "opens_on": today - datetime.timedelta(days=demo.OPEN_CYCLE_DAYS_SO_FAR),
                    "closes_on": today + datetime.timedelta(days=demo.OPEN_CYCLE_DAYS_LEFT),
                }
            cycle, _ = Cycle.objects.update_or_create(
                year=year, defaults={"methodology": version, "is_open": is_open, **dates}
            )
            kinds = published_kinds or demo.OPEN_CYCLE_KINDS
            for municipality in region.municipalities.all():
                for kind in kinds:
                    assessment, _ = Assessment.objects.get_or_create(
                        municipality=municipality,
                        cycle=cycle,
                        kind=kind,
                        defaults={"organization": organization if kind == Kind.EXTERNAL else None},
                    )
                    if kind in published_kinds and assessment.status != Status.PUBLISHED:
                        self.publish_synthetic(assessment, staff)

    def publish_synthetic(self, assessment, staff):
        self.answer_synthetic(assessment, staff)
        publish_assessment(assessment=assessment, by=staff, notify=False, render=False)

    def answer_synthetic(self, assessment, staff):
        """Answer every indicator and bring the assessment to the point of publishing."""
        slug, year = assessment.municipality.slug, assessment.cycle.year
        assessment.responses.all().delete()
        responses = []
        external = assessment.kind == Kind.EXTERNAL
        for indicator in assessment.indicators().select_related("criterion"):
            value, is_na = synthetic_answer(indicator, slug=slug, year=year, kind=assessment.kind)
            reason = NA_REASON if is_na else ("", "")
            evidence = ("", "") if is_na else EVIDENCE[assessment.kind]
            replied = external and unit_fraction("reply", indicator.code, slug, year) < 0.06
            reply = REPLY if replied else ("", "")
            responses.append(
                Response(
                    assessment=assessment,
                    indicator=indicator,
                    value=value,
                    is_na=is_na,
                    na_reason=reason[0],
                    na_reason_en=reason[1],
                    evidence=evidence[0],
                    evidence_en=evidence[1],
                    reply=reply[0],
                    reply_en=reply[1],
                    updated_by=staff,
                )
            )
        Response.objects.bulk_create(responses)
        # Past rounds: nobody needs an email about them.
        submit_assessment(assessment=assessment, by=staff, notify=False)
        if external:
            open_reply(assessment=assessment, by=staff, days=14, notify=False)
            move_assessment(assessment=assessment, action="close_reply", by=staff)
        else:
            move_assessment(assessment=assessment, action="start_review", by=staff)
