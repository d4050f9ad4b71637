"""A national dataset for the scale benchmark (bench/scale.py): every municipality of the
country, several cycles, all published.

Run from the repository root, on a migrated, empty PostgreSQL database:

    DATABASE_URL=postgres://root@127.0.0.1:5432/musqat_bench_national \\
        .venv/bin/python -m bench.national

By default it makes 64 municipalities in ten regions, each with a CSO that monitors
it; 5 cycles (2020–2024) of one 100-indicator methodology that both kinds of assessment
answer in full (bench/imports.py's); a self and an external assessment per municipality
and cycle, answered (64,000 responses, with evidence texts, some N/A and some replies)
and published with `publish_assessment`, so the snapshots the pages read are the real
ones; every municipality's action plan answering the last cycle but one, adopted with
`adopt_plan` and reported on, and for every other one the closed plan before it; and
the grant calls of the last two cycles but one, decided (applications, awards), and an
open one. `--municipalities 8` makes the small comparison dataset.

Responses, assessments and grant rows are written in bulk; publishing and the plan
steps go through the services. No PDFs are made. A database that has municipalities
already is refused, unless --reset empties it first (manage.py flush).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bench.imports import build_methodology, build_municipalities

FIRST_YEAR = 2020
MUNICIPALITIES_PER_REGION = 6
# Georgia's regions (slug, Georgian, English), in which the municipalities are spread.
REGIONS = [
    ("adjara", "აჭარა", "Adjara"),
    ("guria", "გურია", "Guria"),
    ("imereti", "იმერეთი", "Imereti"),
    ("kakheti", "კახეთი", "Kakheti"),
    ("kvemo-kartli", "ქვემო ქართლი", "Kvemo Kartli"),
    ("mtskheta-mtianeti", "მცხეთა-მთიანეთი", "Mtskheta-Mtianeti"),
    ("racha-lechkhumi", "რაჭა-ლეჩხუმი და ქვემო სვანეთი", "Racha-Lechkhumi and Kvemo Svaneti"),
    ("samegrelo", "სამეგრელო-ზემო სვანეთი", "Samegrelo-Zemo Svaneti"),
    ("samtskhe-javakheti", "სამცხე-ჯავახეთი", "Samtskhe-Javakheti"),
    ("shida-kartli", "შიდა ქართლი", "Shida Kartli"),
]
EVIDENCE = {
    "self": (
        "მუნიციპალიტეტის შიდა დოკუმენტაცია და საკრებულოს დადგენილებები.",
        "The municipality's internal records and council resolutions.",
    ),
    "external": (
        "ორგანიზაციის მონიტორინგის ანგარიში, საჯარო ინფორმაციის მოთხოვნები და ინტერვიუები.",
        "The organisation's monitoring report, public information requests and interviews.",
    ),
}
NA_REASON = (
    "ეს სერვისი მუნიციპალიტეტში არ არსებობს.",
    "The municipality does not provide this service.",
)
REPLY = (
    "მუნიციპალიტეტი არ ეთანხმება შეფასებას: დოკუმენტი მიღებულია.",
    "The municipality disagrees with this finding: the document has been adopted.",
)
ACTIONS_PER_PLAN = 3
APPLICATIONS_PER_MUNICIPALITY = 2


@dataclass(frozen=True)
class Summary:
    municipalities: int
    regions: int
    cycles: list[int]
    assessments: int
    responses: int
    snapshots: int
    plans: int
    actions: int
    applications: int
    awards: int
    seconds: float


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=64)
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--indicators", type=int, default=100, help="at most 100")
    parser.add_argument("--seed", type=int, default=1, help="for the random answers")
    parser.add_argument(
        "--reset", action="store_true", help="empty a database that has data first (flush)"
    )
    return parser.parse_args()


def main() -> int:
    options = arguments()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "musqat.settings")
    import django

    django.setup()
    try:
        summary = generate(
            municipalities=options.municipalities,
            cycles=options.cycles,
            indicators=options.indicators,
            seed=options.seed,
            reset=options.reset,
        )
    except AlreadyThere as refusal:
        print(refusal, file=sys.stderr)
        return 2
    print(
        f"{summary.municipalities} municipalities in {summary.regions} regions, cycles "
        f"{summary.cycles[0]}–{summary.cycles[-1]}: {summary.assessments} assessments, "
        f"{summary.responses} responses, {summary.snapshots} snapshots, {summary.plans} plans "
        f"({summary.actions} actions), {summary.applications} grant applications "
        f"({summary.awards} awards), in {summary.seconds:.0f} s"
    )
    return 0


class AlreadyThere(Exception):
    """The database has data that generating would mix with."""


def generate(
    municipalities: int = 64,
    cycles: int = 5,
    indicators: int = 100,
    *,
    seed: int = 1,
    reset: bool = False,
    say=print,
) -> Summary:
    """Make the dataset in the current database (see the module's docstring)."""
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings
    from django.utils import translation

    from assessments.permissions import ensure_groups
    from municipalities.models import Municipality

    if Municipality.objects.exists():
        if not reset:
            raise AlreadyThere(
                "The database has municipalities already: generate into an empty one, "
                "or pass --reset (reset=True) to empty it first."
            )
        call_command("flush", interactive=False, verbosity=0)
    if cycles < 2 or municipalities < 1:
        raise ValueError("at least two cycles and one municipality")
    ensure_groups()
    random.seed(seed)
    started = time.perf_counter()
    # Publishing and adopting plans queue PDFs; this dataset has none (bench/pdf.py makes them).
    with override_settings(RENDER_PDFS=False), translation.override("ka"):
        with transaction.atomic():
            data = _structure(municipalities, cycles, indicators)
            say(f"structure: {time.perf_counter() - started:.1f} s")
            responses = _answer(data)
            say(f"{responses} responses: {time.perf_counter() - started:.1f} s")
        snapshots = _publish(data)
        say(f"{snapshots} published: {time.perf_counter() - started:.1f} s")
        with transaction.atomic():
            plans, actions = _plans(data)
            applications, awards = _grants(data)
    return Summary(
        municipalities=len(data.municipalities),
        regions=len(data.regions),
        cycles=[c.year for c in data.cycles],
        assessments=len(data.assessments),
        responses=responses,
        snapshots=snapshots,
        plans=plans,
        actions=actions,
        applications=applications,
        awards=awards,
        seconds=time.perf_counter() - started,
    )


@dataclass
class _Data:
    staff: object
    regions: list
    organizations: dict  # region id → organisation
    municipalities: list
    quality: dict  # municipality id → how well it does, 0–1
    cycles: list
    assessments: list


def _structure(count: int, cycles: int, indicators: int) -> _Data:
    from django.contrib.auth import get_user_model

    from assessments.models import Assessment, Cycle
    from assessments.workflow import Kind, Status
    from municipalities.models import Organization, Region

    staff = get_user_model().objects.create_superuser(
        "bench-staff", "bench-staff@example.org", None
    )
    version = build_methodology(code="national", is_current=True, indicators=indicators)
    regions = [
        Region.objects.create(slug=slug, name_ka=ka, name_en=en)
        for slug, ka, en in REGIONS[: max(1, min(len(REGIONS), count // MUNICIPALITIES_PER_REGION))]
    ]
    places = build_municipalities(count, regions=regions)
    organizations = {}
    for region in regions:
        organization = Organization.objects.create(
            slug=f"{region.slug}-monitor",
            name_ka=f"{region.name_ka}ს სამოქალაქო მონიტორინგის ცენტრი",
            name_en=f"{region.name_en} Civic Monitoring Centre",
            email=f"info@{region.slug}-monitor.example.org",
        )
        organization.municipalities.set([p for p in places if p.region_id == region.pk])
        organizations[region.pk] = organization
    years = [FIRST_YEAR + n for n in range(cycles)]
    cycle_rows = [Cycle.objects.create(year=year, methodology=version) for year in years]
    # Every assessment waits for publishing, as after its review.
    assessments = Assessment.objects.bulk_create(
        Assessment(
            municipality=place,
            cycle=cycle,
            kind=kind,
            organization=organizations[place.region_id] if kind == Kind.EXTERNAL else None,
            status=Status.REVIEW,
        )
        for cycle in cycle_rows
        for place in places
        for kind in (Kind.SELF, Kind.EXTERNAL)
    )
    return _Data(
        staff=staff,
        regions=regions,
        organizations=organizations,
        municipalities=places,
        quality={p.pk: random.uniform(0.3, 0.8) for p in places},
        cycles=cycle_rows,
        assessments=assessments,
    )


def _answer(data: _Data) -> int:
    """Every assessment answers every indicator: better municipalities better, later
    cycles a little better, external assessments a little harsher."""
    from assessments.models import Response
    from assessments.workflow import Kind

    indicators = list(data.assessments[0].indicators().order_by("code"))
    by_year = {c.pk: n for n, c in enumerate(data.cycles)}
    rows = []
    for assessment in data.assessments:
        quality = data.quality[assessment.municipality_id] + 0.03 * by_year[assessment.cycle_id]
        if assessment.kind == Kind.EXTERNAL:
            quality -= 0.1
        for indicator in indicators:
            rows.append(_response(assessment, indicator, quality, staff=data.staff))
    Response.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _response(assessment, indicator, quality: float, *, staff):
    from assessments.models import Response
    from assessments.workflow import Kind
    from indicators.models import ResponseType

    if random.random() < 0.03:
        return Response(
            assessment=assessment,
            indicator=indicator,
            is_na=True,
            na_reason=NA_REASON[0],
            na_reason_en=NA_REASON[1],
            updated_by=staff,
        )
    p = Decimal(str(min(max(quality + random.uniform(-0.35, 0.35), 0), 1)))
    if indicator.response_type == ResponseType.YES_NO:
        value = Decimal(1 if p >= Decimal("0.5") else 0)
    elif indicator.response_type == ResponseType.SCALE:
        value = (p * indicator.scale_max).quantize(Decimal(1), ROUND_HALF_UP)
    elif indicator.response_type == ResponseType.PERCENT:
        value = (p * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    else:
        value = indicator.worst + p * (indicator.best - indicator.worst)
        value = value.quantize(Decimal("0.1"), ROUND_HALF_UP)
    evidence = EVIDENCE[assessment.kind]
    reply = REPLY if assessment.kind == Kind.EXTERNAL and random.random() < 0.05 else ("", "")
    return Response(
        assessment=assessment,
        indicator=indicator,
        value=value,
        evidence=evidence[0],
        evidence_en=evidence[1],
        reply=reply[0],
        reply_en=reply[1],
        updated_by=staff,
    )


def _publish(data: _Data) -> int:
    """Publish every assessment as project staff do, then date each cycle's publication
    in its own year, so that histories and feeds read in order."""
    from django.utils import timezone

    from assessments.models import Assessment, ScoreSnapshot
    from assessments.services import publish_assessment

    for assessment in Assessment.objects.filter(cycle__in=data.cycles).select_related("cycle"):
        publish_assessment(assessment=assessment, by=data.staff, notify=False, render=False)
    for cycle in data.cycles:
        moment = datetime.datetime(cycle.year, 12, 15, 12, tzinfo=datetime.UTC)
        moment = min(moment, timezone.now())
        ScoreSnapshot.objects.filter(assessment__cycle=cycle).update(published_at=moment)
        Assessment.objects.filter(cycle=cycle).update(published_at=moment)
    return ScoreSnapshot.objects.filter(assessment__cycle__in=data.cycles).count()


def _plans(data: _Data) -> tuple[int, int]:
    """Every municipality's plan answering the last cycle but one, in force for eleven
    months and reported on; every other municipality's closed plan before it."""
    from django.utils import timezone

    from assessments.models import ActionPlan, ActionStatus
    from assessments.plans.services import adopt_plan, close_plan, report_progress

    today = timezone.localdate()
    in_force_from = _months_later(today.replace(day=1), -11)
    plans = actions = 0
    for n, place in enumerate(data.municipalities):
        if n % 2 == 0 and len(data.cycles) >= 3:
            starts_on = _months_later(in_force_from, -24)
            plan = _drafted_plan(place, data.cycles[-3], starts_on)
            actions += plan.actions.count()
            adopt_plan(plan=plan, by=data.staff, now=_noon(starts_on), notify=False)
            close_plan(plan=plan, by=data.staff, now=_noon(in_force_from) - _DAY)
            plans += 1
        plan = _drafted_plan(place, data.cycles[-2], in_force_from)
        actions += plan.actions.count()
        plan = adopt_plan(plan=plan, by=data.staff, now=_noon(in_force_from), notify=False)
        plans += 1
        for action in plan.actions.all()[:2]:
            report_progress(
                action=action,
                by=data.staff,
                reported_on=min(in_force_from + datetime.timedelta(days=60), today),
                status=ActionStatus.IN_PROGRESS,
                progress=40,
                text="სამუშაოები დაწყებულია.",
                notify=False,
            )
    assert ActionPlan.objects.count() == plans
    return plans, actions


_DAY = datetime.timedelta(days=1)


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def _months_later(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1, day=1)


def _drafted_plan(place, cycle, starts_on: datetime.date):
    """A draft two-year plan whose actions address the municipality's weakest findings
    in the cycle, two each; its order named (no file is stored)."""
    from assessments.models import Action, ActionIndicator, ActionPlan
    from assessments.results.findings import weakest_indicators

    ends_on = _months_later(starts_on, 24) - _DAY
    plan = ActionPlan.objects.create(
        municipality=place,
        cycle=cycle,
        starts_on=starts_on,
        ends_on=ends_on,
        order_number=f"№ {place.pk}-{cycle.year}",
        order_date=starts_on - datetime.timedelta(days=10),
        order_document=f"plans/bench/{place.slug}-{cycle.year}-order.pdf",
    )
    weak = weakest_indicators(cycle, [place.pk], limit=2 * ACTIONS_PER_PLAN)
    for number in range(1, ACTIONS_PER_PLAN + 1):
        action = Action.objects.create(
            plan=plan,
            number=number,
            title_ka=f"ღონისძიება {number}",
            title_en=f"Action {number}",
            description_ka="მომსახურების გაუმჯობესება.",
            description_en="Improve the service.",
            responsible_unit_ka="მერიის სამსახური",
            responsible_unit_en="City hall service",
            expected_result_ka="გაუმჯობესებული მომსახურება.",
            expected_result_en="A better service.",
            budget=Decimal(10_000 * number),
            starts_on=starts_on,
            due_on=_months_later(starts_on, 6 * number) - _DAY,
        )
        ActionIndicator.objects.bulk_create(
            ActionIndicator(action=action, indicator=finding.indicator)
            for finding in weak[2 * (number - 1) : 2 * number]
        )
    return plan


def _grants(data: _Data) -> tuple[int, int]:
    """A decided call on each of the two cycles before the last, open to every
    municipality, with two applications per municipality from its CSO, one awarded; and
    an open call on the last cycle with none yet."""
    from django.utils import timezone

    from assessments.results.findings import weakest_indicators
    from grants.models import (
        Application,
        ApplicationStatus,
        BudgetLine,
        Call,
        CallStage,
        Decision,
        Eligibility,
    )

    now = timezone.now()
    applications = awards = 0
    calls = []
    for cycle in data.cycles[-3:-1]:
        opens_at = datetime.datetime(cycle.year + 1, 3, 1, 10, tzinfo=datetime.UTC)
        calls.append((cycle, CallStage.DECIDED, opens_at, opens_at + datetime.timedelta(days=45)))
    calls.append(
        (data.cycles[-1], CallStage.ANNOUNCED, now - 10 * _DAY, now + 30 * _DAY)
    )  # fmt: skip
    for cycle, stage, opens_at, closes_at in calls:
        call = Call.objects.create(
            slug=f"grants-{cycle.year}",
            title=f"მონიტორინგის გრანტები {cycle.year}",
            description="გრანტები მუნიციპალური მომსახურების მონიტორინგისთვის.",
            budget=Decimal(40_000 * len(data.municipalities)),
            min_grant=Decimal(5_000),
            max_grant=Decimal(40_000),
            opens_at=opens_at,
            closes_at=closes_at,
            stage=stage,
            cycle=cycle,
        )
        call.municipalities.set(data.municipalities)
        weak = [w.indicator for w in weakest_indicators(cycle, limit=5)]
        call.priority_indicators.set(weak)
        if stage != CallStage.DECIDED:
            continue
        rows = []
        for n, place in enumerate(data.municipalities):
            for k in range(APPLICATIONS_PER_MUNICIPALITY):
                awarded = k == 0
                number = n * APPLICATIONS_PER_MUNICIPALITY + k + 1
                rows.append(
                    Application(
                        call=call,
                        organization=data.organizations[place.region_id],
                        reference=f"{call.slug.upper()}-{number:03d}",
                        status=ApplicationStatus.SUBMITTED,
                        title=f"{place.name_ka}: მომსახურების მონიტორინგი {k + 1}",
                        summary="მოქალაქეთა ჩართულობა მომსახურების შეფასებაში.",
                        municipality=place,
                        requested_amount=Decimal(20_000),
                        created_by=data.staff,
                        submitted_at=opens_at + datetime.timedelta(days=20),
                        submitted_by=data.staff,
                        eligibility=Eligibility.ELIGIBLE,
                        decision=Decision.AWARDED if awarded else Decision.REJECTED,
                        decision_reason="" if awarded else "ქულა ზღვარს ქვემოთაა.",
                        awarded_amount=Decimal(18_000) if awarded else None,
                        decided_at=closes_at + datetime.timedelta(days=30),
                        grant_start=(closes_at + datetime.timedelta(days=45)).date(),
                        grant_end=(closes_at + datetime.timedelta(days=45 + 300)).date(),
                        public_summary="მომსახურების მონიტორინგი." if awarded else "",
                    )
                )
        rows = Application.objects.bulk_create(rows)
        BudgetLine.objects.bulk_create(
            BudgetLine(application=a, description=d, amount=Decimal(10_000), order=i)
            for a in rows
            for i, d in enumerate(("ხელფასები", "შეხვედრები"))
        )
        through = Application.indicators.through
        through.objects.bulk_create(
            through(application_id=a.pk, indicator_id=i.pk) for a in rows for i in weak[:2]
        )
        applications += len(rows)
        awards += sum(a.decision == Decision.AWARDED for a in rows)
    return applications, awards


if __name__ == "__main__":
    sys.exit(main())
