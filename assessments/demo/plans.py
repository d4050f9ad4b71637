"""The action plans' demonstration data: every municipality's plan for its 2021 findings,
in force today, and for a few of them the closed plan that answered 2020, whose actions
the 2021 scores show a before and an after for. The texts and scenarios are in plans.toml
beside this module.

Each action addresses the municipality's weakest published findings in one criterion, and
every step is taken through `assessments.plans.services`, as staff and monitors take it,
so the demo keeps every rule: drafted, then adopted with the mayor's order (which keeps
the starting scores), reported on, judged by the demo CSO, answered, a due date moved,
closed; the daily check then marks the overdue actions delayed. Only the moments the
services stamp with "now" are set back to the day each step happened, so that feeds and
pages read as a history. Dates follow today: the plan in force started eleven months ago.

Running it again changes nothing: a municipality that has a plan is left as it is.
"""

from __future__ import annotations

import datetime
import hashlib
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from indicators.models import Criterion
from municipalities.models import Municipality

from ..models import (
    Action,
    ActionIndicator,
    ActionPlan,
    ActionStatus,
    ActionUpdate,
    Cycle,
    DueDateChange,
    PlanEvidence,
    Verdict,
    VerdictAnswer,
)
from ..plans.health import check_plans
from ..plans.services import (
    Link,
    Refused,
    adopt_plan,
    answer_verdict,
    close_plan,
    give_verdict,
    record_due_date_change,
    report_progress,
)
from ..results.findings import Finding, findings_for, weakest_indicators

DATA = tomllib.loads(Path(__file__).with_name("plans.toml").read_text(encoding="utf-8"))
TBILISI = ZoneInfo("Asia/Tbilisi")


@dataclass(frozen=True)
class DemoPlans:
    """The plans this run created: none when every municipality had one already."""

    adopted: list[ActionPlan]
    closed: list[ActionPlan]


@dataclass(frozen=True)
class _People:
    author: object  # the municipality's staff, or project staff where it has none
    monitor: object
    organization: object


def seed_plans(
    *, staff, municipal_staff: dict, monitor, organization, today: datetime.date | None = None
) -> DemoPlans:
    """Each municipality's plans, adopted by its own staff (`municipal_staff`, by slug) or
    else by `staff`, and judged by `monitor` for `organization`, which must work in every
    municipality. Nobody is e-mailed about the demo's past."""
    today = today or timezone.localdate()
    adopted, closed = [], []
    # The untranslated columns modeltranslation keeps take the Georgian text.
    with translation.override("ka"), transaction.atomic():
        cycle = Cycle.objects.get(year=DATA["cycle"])
        earlier = Cycle.objects.get(year=DATA["earlier_cycle"])
        starts_on = _months_later(today.replace(day=1), -DATA["months_in_force"])
        for row in DATA["municipalities"]:
            municipality = Municipality.objects.get(slug=row["slug"])
            if municipality.action_plans.exists():
                continue
            people = _People(
                author=municipal_staff.get(municipality.slug, staff),
                monitor=monitor,
                organization=organization,
            )
            adopted_at = _at(_adopted_on(starts_on), hour=11)
            used = set()
            if "before" in row:
                plan, used = _seed_plan(
                    municipality,
                    earlier,
                    starts_on=_months_later(starts_on, -DATA["months"]),
                    order=row["before_order"],
                    scenarios=row["before"],
                    people=people,
                    today=today,
                )
                # Closed the day before its successor is adopted.
                _step(
                    close_plan,
                    plan=plan,
                    by=people.author,
                    now=adopted_at - datetime.timedelta(days=1),
                )
                closed.append(plan)
            plan, _codes = _seed_plan(
                municipality,
                cycle,
                starts_on=starts_on,
                order=row["order"],
                scenarios=row["actions"],
                people=people,
                today=today,
                exclude=used,
            )
            adopted.append(plan)
        if adopted:
            check_plans(today=today, notify=False)
    return DemoPlans(adopted=adopted, closed=closed)


# --- A plan ---------------------------------------------------------------------------------


def _seed_plan(
    municipality, cycle, *, starts_on, order, scenarios, people, today, exclude=frozenset()
) -> tuple[ActionPlan, set[str]]:
    """Drafted, adopted and carried out as its scenarios say; returns the plan and the
    criteria its actions address."""
    ends_on = _months_later(starts_on, DATA["months"]) - datetime.timedelta(days=1)
    picks = _choose(cycle, municipality, scenarios, exclude)
    plan = ActionPlan.objects.create(
        municipality=municipality, cycle=cycle, starts_on=starts_on, ends_on=ends_on
    )
    actions = [
        _draft_action(plan, number, DATA["scenarios"][name], code, findings)
        for number, (name, (code, findings)) in enumerate(zip(scenarios, picks, strict=True), 1)
    ]
    plan.order_number = f"№ {order}"
    plan.order_date = starts_on - datetime.timedelta(days=DATA["order_days_before"])
    plan.order_document = _order_document(plan)
    plan.clean_fields()
    plan.clean()
    plan.save()
    adopted_at = _at(_adopted_on(starts_on), hour=11)
    plan = _step(adopt_plan, plan=plan, by=people.author, now=adopted_at)
    drafted_at = adopted_at - datetime.timedelta(days=30)
    ActionPlan.objects.filter(pk=plan.pk).update(created_at=drafted_at)
    Action.objects.filter(plan=plan).update(created_at=drafted_at, updated_at=drafted_at)
    for action, name, (code, _findings) in zip(actions, scenarios, picks, strict=True):
        action.plan = plan
        _carry_out(action, DATA["scenarios"][name], code, people, today)
    return plan, {code for code, _findings in picks}


def _adopted_on(starts_on: datetime.date) -> datetime.date:
    return starts_on - datetime.timedelta(
        days=DATA["order_days_before"] - DATA["adopted_days_after_order"]
    )


def _choose(cycle, municipality, scenarios, exclude) -> list[tuple[str, list[Finding]]]:
    """(criterion code, findings) per scenario: the municipality's weakest findings that
    demo texts exist for, grouped by criterion, one criterion per action, each action
    addressing one to three of its findings. A scenario that asks for findings whose next
    score rose (or did not) gets such findings, and is served first."""
    weak = weakest_indicators(cycle, [municipality.pk], limit=DATA["weakest"])
    findings = {
        finding.indicator.pk: finding
        for finding in findings_for(cycle, municipality, [w.indicator for w in weak])
    }
    criteria = Criterion.objects.in_bulk({w.indicator.criterion_id for w in weak})
    groups = defaultdict(list)
    for w in weak:
        code = criteria[w.indicator.criterion_id].code
        if code in DATA["actions"] and code not in exclude:
            groups[code].append(findings[w.indicator.pk])
    candidates = sorted(groups, key=lambda code: _fraction(municipality.slug, cycle.year, code))
    wants = [DATA["scenarios"][name].get("scores") for name in scenarios]
    picks: dict[int, tuple[str, list[Finding]]] = {}
    used = set()
    for index in sorted(range(len(scenarios)), key=lambda i: wants[i] is None):
        for code in candidates:
            chosen = _targets(groups[code], wants[index]) if code not in used else []
            if chosen:
                count = 1 + int(_fraction(municipality.slug, cycle.year, code, "count") * 3)
                picks[index] = (code, chosen[:count])
                used.add(code)
                break
        else:
            raise ValueError(
                f"assessments/demo/plans.toml: no weak {cycle.year} finding of "
                f"{municipality.slug} fits its scenario {scenarios[index]!r}."
            )
    return [picks[index] for index in range(len(scenarios))]


def _targets(findings: list[Finding], want: str | None) -> list[Finding]:
    def changed(finding):
        return finding.later.change if finding.later else None

    if want == "improved":
        rose = [f for f in findings if changed(f) is not None and changed(f) > 0]
        if not rose:
            return []
        return rose + [f for f in findings if f not in rose]
    if want == "flat":
        return [f for f in findings if changed(f) is not None and changed(f) <= 0]
    return findings


def _draft_action(plan, number, scenario, code, findings) -> Action:
    text = DATA["actions"][code]
    share = Decimal("0.8") + Decimal("0.5") * _fraction(plan.municipality.slug, code, "budget")
    budget = (Decimal(text["budget"]) * share / 100).quantize(Decimal(1), ROUND_HALF_UP) * 100
    action = Action.objects.create(
        plan=plan,
        number=number,
        title_ka=text["title_ka"],
        title_en=text["title_en"],
        description_ka=text["description_ka"],
        description_en=text["description_en"],
        responsible_unit_ka=text["unit_ka"],
        responsible_unit_en=text["unit_en"],
        expected_result_ka=text["result_ka"],
        expected_result_en=text["result_en"],
        budget=budget.quantize(Decimal("0.01")),
        budget_source_ka=text["source_ka"],
        budget_source_en=text["source_en"],
        starts_on=_months_later(plan.starts_on, scenario["starts"]),
        due_on=_months_later(plan.starts_on, scenario["due"]) - datetime.timedelta(days=1),
    )
    ActionIndicator.objects.bulk_create(
        ActionIndicator(action=action, indicator=finding.indicator) for finding in findings
    )
    # Adopting the plan checks every action in full.
    return action


# --- What happens to an action --------------------------------------------------------------


def _carry_out(action, scenario, code, people, today) -> None:
    text = DATA["actions"][code]
    slug = action.plan.municipality.slug
    last = None
    for number, step in enumerate(scenario["steps"]):
        on = min(_day(action.plan.starts_on, step["month"], step["day"]), today)
        serial = 1000 + int(_fraction(slug, action.plan.cycle.year, action.number, number) * 9000)
        if "move_due" in step:
            last = _move_due_date(action, step["move_due"], on, people)
            continue
        if step["status"] == ActionStatus.DROPPED:
            reason = DATA["dropped"][code[0]]
            action.dropped_reason_ka, action.dropped_reason_en = reason["ka"], reason["en"]
            action.save(update_fields=["dropped_reason", "dropped_reason_ka", "dropped_reason_en"])
            said, links = reason["ka"], []
        else:
            said = text[step["text"]]
            kind = "documents" if step["status"] == ActionStatus.DONE else "news"
            title = DATA["links"]["done" if kind == "documents" else "report"]
            links = [Link(title=title, url=f"https://{slug}.example.org/ka/{kind}/{serial}")]
        update = _step(
            report_progress,
            action=action,
            by=people.author,
            reported_on=on,
            status=step["status"],
            progress=step.get("progress"),
            text=said,
            links=links,
            today=today,
        )
        last = _happened(
            ActionUpdate, update, _at(on, hour=15), evidence=links and {"update": update}
        )
        if "verdict" in step:
            _judge(update, step, text, people, slug=slug, serial=serial)
    if last:
        Action.objects.filter(pk=action.pk).update(updated_at=last)


def _judge(update, step, text, people, *, slug, serial) -> None:
    kind = step["verdict"]
    number = update.action.number
    if kind == "disputed":
        said = text["disputed"]
    else:
        said = _one_of(DATA["verdicts"][kind], slug, number, update.reported_on)
    links = []
    if kind != "confirmed":
        organization = people.organization.slug
        links = [
            Link(
                title=DATA["links"]["verdict"],
                url=f"https://{organization}.example.org/ka/monitoring/{slug}/{serial}",
            )
        ]
    verdict = _step(
        give_verdict,
        update=update,
        by=people.monitor,
        organization_id=people.organization.pk,
        verdict=kind,
        text=said,
        links=links,
    )
    judged = _at(update.reported_on + datetime.timedelta(days=DATA["verdict_days"]), hour=12)
    judged = _happened(Verdict, verdict, judged, evidence=links and {"verdict": verdict})
    if step.get("answer"):
        if kind == "disputed":
            said = text["answer"]
        else:
            said = _one_of(DATA["answers"][kind], slug, number, update.reported_on)
        answer = _step(answer_verdict, verdict=verdict, by=people.author, text=said)
        _happened(VerdictAnswer, answer, judged + datetime.timedelta(days=DATA["answer_days"]))


def _move_due_date(action, month, on, people) -> datetime.datetime:
    """As staff do in the admin: the new date saved, the move recorded."""
    action.refresh_from_db()
    old = action.due_on
    action.due_on = _months_later(action.plan.starts_on, month) - datetime.timedelta(days=1)
    action.clean()
    action.save(update_fields=["due_on", "updated_at"])
    record_due_date_change(action=action, old_due_on=old, by=people.author)
    moment = min(_at(on, hour=10), timezone.now())
    DueDateChange.objects.filter(action=action).update(changed_at=moment)
    return moment


def _happened(model, row, moment, *, evidence=None) -> datetime.datetime:
    """Set back the moment a service stamped with "now" (never past the present), and
    that of the evidence it brought (`evidence`: its owner, as a filter)."""
    moment = min(moment, timezone.now())
    model.objects.filter(pk=row.pk).update(created_at=moment)
    if evidence:
        PlanEvidence.objects.filter(**evidence).update(uploaded_at=moment)
    return moment


def _step(service, **arguments):
    """A step of the plan services, as it happened in the demonstration's past: nobody is
    e-mailed about it now."""
    if service is not close_plan:
        arguments["notify"] = False
    try:
        return service(**arguments)
    except Refused as refusal:
        raise ValueError(f"assessments/demo/plans.toml broke a rule: {refusal.message}") from None


# --- The mayor's order ----------------------------------------------------------------------


def _order_document(plan) -> str:
    """A one-page PDF of the order, kept under a name of its own so that seeding again
    (or the tests' seeding) reuses it rather than piling up copies."""
    municipality = plan.municipality
    period = f"{plan.starts_on.year}-{plan.ends_on.year}"
    name = f"plans/demo/{municipality.slug}-plan-{period}-order.pdf"
    storage = plan.order_document.storage
    if not storage.exists(name):
        lines = [
            f"{municipality.official_name_en}",
            f"Order of the Mayor No {plan.order_number.removeprefix('№ ')}",
            f"On approving the Service Improvement Action Plan {period},",
            f"which answers the findings of the {plan.cycle.year} assessment cycle.",
            "",
            "A demonstration document made by MUSQAT's seed_demo.",
        ]
        name = storage.save(name, ContentFile(_pdf(lines)))
    return name


def _pdf(lines: list[str]) -> bytes:
    """A valid one-page A4 PDF of a few lines of Latin text, in a standard font."""

    def escaped(line):
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    shown = " T* ".join(f"({escaped(line)}) Tj" for line in lines)
    stream = f"BT /F1 12 Tf 18 TL 72 760 Td {shown} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    document = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(document))
        document += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(document)
    document += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    document += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    document += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        table,
    )
    return document


# --- Small helpers --------------------------------------------------------------------------


def _fraction(*parts) -> Decimal:
    """A number in [0, 1) fixed by the parts: the demo is the same on every machine."""
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()
    return Decimal(int(digest[:8], 16)) / Decimal(16**8)


def _one_of(texts: list[str], *parts) -> str:
    return texts[int(_fraction(*parts) * len(texts))]


def _months_later(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def _day(starts_on: datetime.date, month: int, day: int) -> datetime.date:
    """Day `day` of month `month` of a plan (0 is its first month)."""
    return _months_later(starts_on.replace(day=1), month).replace(day=min(day, 28))


def _at(day: datetime.date, *, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=TBILISI)
