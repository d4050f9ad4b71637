"""The grant competition's demonstration data: the decided call of 2021 (33 applications,
16 awards covering all eight municipalities, with their reviews and reports) and a call
that is open now. The texts are in demo.toml beside this module.

`seed_grants` writes the rows straight with the ORM, for speed, yet keeps every rule of
`services.py`: references in the order of submission, a request that is the sum of its
budget lines within the call's limits, a reason for each ineligible application and each
rejection, decisions only on eligible submissions, awards within the limits and the
budget, reports due when `report_due_dates` says, and scores only from reviewers who
declared no conflict. Running it again changes nothing: organisations and reviewers are
brought up to date, and a call that exists already is left as it is, with its
applications, so that its dates and reviews never move.
"""

import datetime
import hashlib
import tomllib
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from assessments import demo as assessments_demo
from assessments.models import Cycle
from assessments.permissions import GRANT_REVIEWER_GROUP
from assessments.results.findings import weakest_indicators
from municipalities.models import Municipality, Organization
from musqat.numbers import lari

from . import services
from .models import (
    MAX_POINTS,
    Application,
    ApplicationStatus,
    BudgetLine,
    Call,
    CallStage,
    ChecklistItem,
    Decision,
    Eligibility,
    Report,
    ReportKind,
    ReportStatus,
    RequiredAttachment,
    ReviewAssignment,
    ReviewScore,
    RubricCriterion,
)

DATA = tomllib.loads(Path(__file__).with_name("demo.toml").read_text(encoding="utf-8"))
TBILISI = ZoneInfo("Asia/Tbilisi")

# Who reviews which eligible application, in turn (indexes into the reviewers, the demo
# user grant-reviewer first): two reviewers mostly, now and then all three.
REVIEW_PANELS = [(0, 1), (1, 2), (0, 2), (0, 1, 2)]
# How far two reviewers who disagree sit from the application's quality, each way.
DISAGREEMENT = Decimal("1.5")


@dataclass(frozen=True)
class DemoCalls:
    decided: Call
    open: Call


def seed_grants(*, staff, reviewer, monitor_organization, now=None) -> DemoCalls:
    """The demonstration calls, with the organisations and reviewers they need. `reviewer`
    (the demo user grant-reviewer) is one of the 2021 reviewers; `monitor_organization`
    (the demo CSO) applied in 2021 but not to the open call, so that its monitor can."""
    now = now or timezone.now()
    # The untranslated column modeltranslation keeps takes the active language's text:
    # Georgian, the site's default.
    with translation.override("ka"), transaction.atomic():
        organizations = seed_organizations(monitor_organization)
        reviewers = [reviewer, *seed_reviewers()]
        decided = Call.objects.filter(slug=DATA["decided"]["slug"]).first()
        if decided is None:
            decided = seed_decided_call(
                staff=staff, reviewers=reviewers, organizations=organizations
            )
        open_call = Call.objects.filter(slug=DATA["open"]["slug"]).first()
        if open_call is None:
            open_call = seed_open_call(organizations=organizations, now=now)
    return DemoCalls(decided=decided, open=open_call)


def seed_organizations(monitor_organization) -> dict[str, Organization]:
    places = {m.slug: m for m in Municipality.objects.all()}
    organizations = {monitor_organization.slug: monitor_organization}
    for row in DATA["organizations"]:
        organization, _created = Organization.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name_ka": row["name_ka"],
                "name_en": row["name_en"],
                "email": f"info@{row['slug']}.example.org",
            },
        )
        organization.municipalities.set([places[slug] for slug in row["municipalities"]])
        organizations[organization.slug] = organization
    return organizations


def seed_reviewers() -> list:
    """The 2021 reviews' other voices. Nobody signs in as them, so they have no password,
    and no organisation, so that no conflict excludes them."""
    User = get_user_model()
    group, _created = Group.objects.get_or_create(name=GRANT_REVIEWER_GROUP)
    reviewers = []
    for row in DATA["reviewers"]:
        user = User.objects.filter(username=row["username"]).first()
        if user is None:
            user = User(username=row["username"])
            user.set_unusable_password()
        user.first_name, user.last_name = row["first_name"], row["last_name"]
        user.email = f"{row['username']}@example.org"
        user.is_staff = False
        user.save()
        user.groups.add(group)
        reviewers.append(user)
    return reviewers


# --- The calls ------------------------------------------------------------------------------


def _create_call(data, *, opens_at, closes_at, stage) -> tuple[Call, list]:
    """A call with its checklist, documents, rubric, every Kakheti municipality, and the
    weakest findings of its cycle as priorities (returned in that order)."""
    cycle = Cycle.objects.get(year=data["cycle"])
    call = Call.objects.create(
        slug=data["slug"],
        title_ka=data["title_ka"],
        title_en=data["title_en"],
        description_ka=data["description_ka"],
        description_en=data["description_en"],
        budget=Decimal(data["budget"]),
        min_grant=Decimal(data["min_grant"]),
        max_grant=Decimal(data["max_grant"]),
        opens_at=opens_at,
        closes_at=closes_at,
        stage=stage,
        cycle=cycle,
        applications_per_organization=1,
        moderation_threshold=Decimal(data["moderation_threshold"]),
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(call=call, text_ka=ka, text_en=en, order=order)
        for order, (ka, en) in enumerate(data["checklist"])
    )
    RequiredAttachment.objects.bulk_create(
        RequiredAttachment(
            call=call,
            name_ka=row["name_ka"],
            name_en=row["name_en"],
            extensions=row["extensions"],
            order=order,
        )
        for order, row in enumerate(data["attachments"])
    )
    RubricCriterion.objects.bulk_create(
        RubricCriterion(
            call=call,
            name_ka=row["name_ka"],
            name_en=row["name_en"],
            guidance_ka=row["guidance_ka"],
            guidance_en=row["guidance_en"],
            weight=Decimal(row["weight"]),
            order=order,
        )
        for order, row in enumerate(DATA["rubric"])
    )
    call.municipalities.set(
        Municipality.objects.filter(region__slug=assessments_demo.REGION["slug"])
    )
    priorities = [weak.indicator for weak in weakest_indicators(cycle, limit=data["priorities"])]
    if not priorities:
        raise ValueError(f"The {cycle.year} cycle has no published findings for a call.")
    call.priority_indicators.set(priorities)
    return call, priorities


def seed_decided_call(*, staff, reviewers, organizations) -> Call:
    """Submitted, checked, reviewed, moderated where reviewers disagreed, decided, and
    its grants carried out with every report accepted."""
    data = DATA["decided"]
    call, priorities = _create_call(
        data,
        opens_at=_tbilisi(data["opens"]),
        closes_at=_tbilisi(data["closes"]),
        stage=CallStage.DECIDED,
    )
    Call.objects.filter(pk=call.pk).update(created_at=_tbilisi(data["created"]))
    criteria = list(call.rubric.all())
    places = {m.slug: m for m in call.municipalities.all()}
    rows = data["applications"]
    span = call.closes_at - call.opens_at - datetime.timedelta(hours=1)
    eligible = 0
    for number, row in enumerate(rows, start=1):
        # Most applications come in the last days before the deadline.
        submitted_at = (call.opens_at + span * (number / len(rows)) ** 0.5).replace(
            second=int(_fraction("second", number) * 60), microsecond=0
        )
        application = _submitted_application(
            call, row, number, organization=organizations[row["organization"]],
            place=places[row["municipality"]], priorities=priorities,
            submitted_at=submitted_at,
        )  # fmt: skip
        if "ineligible" in row:
            continue
        _review(
            application, row, number=number, turn=eligible,
            criteria=criteria, reviewers=reviewers, by=staff,
        )  # fmt: skip
        eligible += 1
        _moderate(application, row)
        _decide(application, row, number=number)
    ReviewAssignment.objects.filter(application__call=call).update(
        assigned_at=_tbilisi(data["reviews_assigned"])
    )
    _refuse_unless(
        services.awards_total(call) <= call.budget, "the 2021 awards exceed the call's budget"
    )
    return call


def seed_open_call(*, organizations, now) -> Call:
    """Open from ten days before the first seeding to thirty days after it, 18:00 Tbilisi
    time, with a few drafts of other organisations."""
    data = DATA["open"]
    today = timezone.localtime(now, TBILISI).date()
    opens_on = today - datetime.timedelta(days=data["opens_days_ago"])
    closes_on = today + datetime.timedelta(days=data["closes_in_days"])
    call, priorities = _create_call(
        data,
        opens_at=datetime.datetime.combine(opens_on, data["opens_at"], tzinfo=TBILISI),
        closes_at=datetime.datetime.combine(closes_on, data["closes_at"], tzinfo=TBILISI),
        stage=CallStage.ANNOUNCED,
    )
    Call.objects.filter(pk=call.pk).update(created_at=call.opens_at - datetime.timedelta(days=7))
    places = {m.slug: m for m in call.municipalities.all()}
    for number, row in enumerate(data["applications"], start=1):
        started = max(now - datetime.timedelta(days=row["days_ago"]), call.opens_at)
        _draft(
            call, row, number, organization=organizations[row["organization"]],
            place=places[row["municipality"]], priorities=priorities, started=started,
        )  # fmt: skip
    return call


# --- Applications ---------------------------------------------------------------------------


def _submitted_application(
    call, row, number, *, organization, place, priorities, submitted_at
) -> Application:
    member = _member(organization)
    topic = DATA["topics"][row["topic"]]
    forms = _forms(place)
    requested = Decimal(row["requested"])
    _refuse_unless(
        call.min_grant <= requested <= call.max_grant, f"{row['title']}: request out of limits"
    )
    application = Application(
        call=call,
        organization=organization,
        status=ApplicationStatus.SUBMITTED,
        title=row["title"],
        summary=row.get("summary", topic["summary"]).format(**forms),
        objectives=topic["objectives"].format(**forms),
        activities=topic["activities"].format(**forms),
        municipality=place,
        created_by=member,
        submitted_at=submitted_at,
        submitted_by=member,
        **_contact(organization, member, row, number),
    )
    if "ineligible" in row:
        application.eligibility = Eligibility.INELIGIBLE
        application.eligibility_reason = DATA["ineligible"][row["ineligible"]]
    else:
        application.eligibility = Eligibility.ELIGIBLE
    application.reference = services._next_reference(call)
    application.save()
    targets = _targets(row["indicators"], priorities, number)
    application.indicators.set(targets)
    application.finding_links = _finding_links(call.cycle, place, targets)
    _budget(application, topic["budget"], requested)
    # As submit_application does: the request is what the budget lines add up to.
    application.requested_amount = application.budget_total()
    application.save(update_fields=["finding_links", "requested_amount"])
    started = max(
        submitted_at - datetime.timedelta(days=3 + int(_fraction("started", number) * 12)),
        call.opens_at,
    )
    Application.objects.filter(pk=application.pk).update(
        created_at=started, updated_at=submitted_at
    )
    return application


def _draft(call, row, number, *, organization, place, priorities, started) -> Application:
    """A draft as far as its organisation got: "all" but the budget file, "some", or
    only the "title"."""
    member = _member(organization)
    topic = DATA["topics"][row["topic"]]
    forms = _forms(place)
    filled = row["filled"]
    application = Application.objects.create(
        call=call,
        organization=organization,
        title=row["title"],
        municipality=place,
        created_by=member,
        **_contact(organization, member, row, 100 + number),
    )
    targets = _targets(row["indicators"], priorities, number)
    if filled in ("all", "some"):
        application.summary = topic["summary"].format(**forms)
        application.indicators.set(targets)
    if filled == "all":
        application.objectives = topic["objectives"].format(**forms)
        application.activities = topic["activities"].format(**forms)
        application.finding_links = _finding_links(call.cycle, place, targets)
        _budget(application, topic["budget"], Decimal(row["requested"]))
    application.save()
    Application.objects.filter(pk=application.pk).update(
        created_at=started, updated_at=started + datetime.timedelta(hours=2)
    )
    return application


def _member(organization):
    membership = organization.memberships.select_related("user").order_by("pk").first()
    return membership.user if membership else None


def _contact(organization, member, row, number) -> dict:
    names = DATA["contacts"]
    first = names["first_names"][number % len(names["first_names"])]
    last = names["last_names"][(number * 5 + 2) % len(names["last_names"])]
    digits = str(int(hashlib.sha256(f"phone|{number}".encode()).hexdigest(), 16))
    return {
        "contact_name": row.get("contact", f"{first} {last}"),
        "contact_email": member.email if member else organization.email,
        "contact_phone": f"+995 5{digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:8]}",
        "registration_number": f"40{digits[8:15]}",
    }


def _targets(codes, priorities, number) -> list:
    """The row's indicators among the call's priorities. Should the weakest findings have
    moved since demo.toml was written, the priority in the row's turn: every application
    targets a priority, whatever its text says."""
    by_code = {indicator.code: indicator for indicator in priorities}
    chosen = [by_code[code] for code in codes if code in by_code]
    return chosen or [priorities[number % len(priorities)]]


def _finding_links(cycle, place, indicators) -> str:
    """The scorecard addresses an applicant pastes, one per indicator."""
    site = settings.SITE_URL.rstrip("/")
    path = reverse("assessments:scorecard", args=[cycle.year, place.slug])
    return "\n".join(f"{site}{path}#indicator-{indicator.code}" for indicator in indicators)


def _budget(application, shares, total: Decimal) -> None:
    """Lines of the topic's shares of the total, in round tens; the last takes the rest."""
    amounts = [
        (total * share / 100 / 10).quantize(Decimal(1), ROUND_HALF_UP) * 10
        for _description, share in shares[:-1]
    ]
    amounts.append(total - sum(amounts, Decimal(0)))
    BudgetLine.objects.bulk_create(
        BudgetLine(application=application, description=description, amount=amount, order=order)
        for order, ((description, _share), amount) in enumerate(zip(shares, amounts, strict=True))
    )


# --- Review and decision --------------------------------------------------------------------


def _quality(row, number) -> Decimal:
    """About where the reviewers' scores lie, 0–5."""
    if "quality" in row:
        return Decimal(row["quality"])
    if "award" in row:
        return Decimal("3.6") + Decimal("0.9") * _fraction("quality", number)
    return Decimal("1.9") + Decimal("1.0") * _fraction("quality", number)


def _review(application, row, *, number, turn, criteria, reviewers, by) -> None:
    """Assigned, declared and submitted reviews; a reviewer with a conflict declares it
    and scores nothing."""
    data = DATA["decided"]
    panel = [reviewers[i] for i in REVIEW_PANELS[turn % len(REVIEW_PANELS)]]
    if "conflict" in row:
        panel = list(reviewers)
    assigned = _tbilisi(data["reviews_assigned"])
    quality = _quality(row, number)
    scores = []
    scoring = 0
    for reviewer in panel:
        declared = assigned + datetime.timedelta(
            days=1 + int(3 * _fraction("declared", number, reviewer.pk)),
            hours=int(8 * _fraction("declared-hour", number, reviewer.pk)),
        )
        if row.get("conflict") == reviewer.username:
            ReviewAssignment.objects.create(
                application=application,
                reviewer=reviewer,
                assigned_by=by,
                has_conflict=True,
                conflict_note=row["conflict_note"],
                declared_at=declared,
            )
            continue
        review = ReviewAssignment.objects.create(
            application=application,
            reviewer=reviewer,
            assigned_by=by,
            has_conflict=False,
            declared_at=declared,
            submitted_at=declared
            + datetime.timedelta(days=2 + int(14 * _fraction("submitted", number, reviewer.pk))),
        )
        for index, (criterion, points) in enumerate(
            zip(criteria, _points(row, number, scoring, quality), strict=True)
        ):
            scores.append(
                ReviewScore(
                    review=review,
                    criterion=criterion,
                    points=points,
                    comment=_comment(index, points, number, scoring),
                )
            )
        scoring += 1
    _refuse_unless(scoring >= 2, f"{application.reference}: fewer than two reviews")
    ReviewScore.objects.bulk_create(scores)


def _points(row, number, position, quality) -> list[int | None]:
    """One reviewer's points per criterion: near the application's quality, each
    criterion a little above or below it, each reviewer within a point of the others;
    unless the row says two reviewers disagree, when the first two sit far apart."""
    points = []
    for index, criterion in enumerate(DATA["rubric"]):
        if criterion.get("na_without_partners") and row.get("partners") is False:
            points.append(None)
            continue
        base = quality + (_fraction("criterion", number, index) - Decimal("0.5")) * Decimal("0.8")
        if "disagree" in row and position < 2:
            base += DISAGREEMENT if position == 0 else -DISAGREEMENT
        value = (base + _fraction("points", number, position, index)).to_integral_value(ROUND_FLOOR)
        points.append(int(min(max(value, Decimal(0)), Decimal(MAX_POINTS))))
    return points


def _comment(index, points, number, position) -> str:
    comments = DATA["comments"][index]
    if points is None:
        return comments["na"]
    if _fraction("comment", number, position, index) > Decimal("0.7"):
        return ""
    return comments["high" if points >= 4 else "mid" if points == 3 else "low"]


def _moderate(application, row) -> None:
    """Where the reviewers' totals spread beyond the call's threshold, staff set the
    score, as `services.moderate` does; the reviewers' own scores stay."""
    result = services.application_result(application)
    if not result.needs_moderation:
        return
    application.moderated_score = (
        Decimal(row["disagree"]) if "disagree" in row else result.score.quantize(Decimal("0.01"))
    )
    application.moderation_note = row.get("moderation_note", DATA["decided"]["moderation_note"])
    application.save(update_fields=["moderated_score", "moderation_note"])


def _decide(application, row, *, number) -> None:
    """Award or reject, as `services.decide` does, with the reports of an award due when
    `report_due_dates` says."""
    data = DATA["decided"]
    call = application.call
    application.decided_at = _tbilisi(data["decided"])
    if "award" not in row:
        application.decision = Decision.REJECTED
        application.decision_reason = DATA["rejections"][row["reject"]]
        application.save(update_fields=["decision", "decision_reason", "decided_at"])
        return
    amount = Decimal(row["award"])
    _refuse_unless(
        call.min_grant <= amount <= min(call.max_grant, application.requested_amount),
        f"{application.reference}: award out of limits",
    )
    start = data["grant_start"]
    application.decision = Decision.AWARDED
    application.decision_reason = data["award_reason"]
    application.awarded_amount = amount
    application.grant_start = start
    application.grant_end = _months_later(start, row["months"]) - datetime.timedelta(days=1)
    application.public_summary_ka = row["summary_ka"]
    application.public_summary_en = row["summary_en"]
    application.save(
        update_fields=[
            "decision",
            "decision_reason",
            "decided_at",
            "awarded_amount",
            "grant_start",
            "grant_end",
            "public_summary_ka",
            "public_summary_en",
            "public_summary",
        ]
    )
    due = services.report_due_dates(application.grant_start, application.grant_end)
    _interim_report(application, row, due[ReportKind.INTERIM], number=number)
    _final_report(application, row, due[ReportKind.FINAL], number=number)


def _interim_report(application, row, due_on, *, number) -> Report:
    topic = DATA["topics"][row["topic"]]
    amount = application.awarded_amount
    spent = (amount * Decimal("0.45") / 10).quantize(Decimal(1), ROUND_HALF_UP) * 10
    submitted = _on(due_on - datetime.timedelta(days=int(4 * _fraction("interim", number))))
    comment = ""
    if row.get("interim_returned"):
        # Returned a week after it came, and accepted once it came again.
        submitted += datetime.timedelta(days=12)
        comment = DATA["decided"]["interim_returned"]
    return Report.objects.create(
        application=application,
        kind=ReportKind.INTERIM,
        due_on=due_on,
        status=ReportStatus.ACCEPTED,
        narrative=topic["interim"],
        spent=spent,
        financial=(
            f"საანგარიშო პერიოდში დახარჯულია {lari(spent)}. ხარჯები ბიუჯეტის ხაზების "
            "მიხედვით არის დაჯგუფებული და დადასტურებულია ინვოისებითა და საბანკო ამონაწერებით."
        ),
        submitted_at=submitted,
        submitted_by=application.submitted_by,
        staff_comment=comment,
        reviewed_at=submitted + datetime.timedelta(days=3 + int(5 * _fraction("ok", number))),
    )


def _final_report(application, row, due_on, *, number) -> Report:
    topic = DATA["topics"][row["topic"]]
    amount = application.awarded_amount
    # Partly achieved grants left a little unspent, and gave it back.
    rest = Decimal(0)
    if row["outcome"] == "partial":
        rest = (amount * Decimal("0.03") / 10).quantize(Decimal(1), ROUND_HALF_UP) * 10
    spent = amount - rest
    if rest:
        financial = (
            f"გრანტის თანხიდან ({lari(amount)}) დახარჯულია {lari(spent)}; "
            f"დაუხარჯავი {lari(rest)} დაბრუნდა."
        )
    else:
        financial = (
            f"გრანტის თანხა ({lari(amount)}) სრულად არის დახარჯული ბიუჯეტის ხაზების "
            "მიხედვით; ხარჯებს ადასტურებს ინვოისები და საბანკო ამონაწერები."
        )
    submitted = _on(due_on - datetime.timedelta(days=1 + int(6 * _fraction("final", number))))
    report = Report.objects.create(
        application=application,
        kind=ReportKind.FINAL,
        due_on=due_on,
        status=ReportStatus.ACCEPTED,
        narrative=topic["final"],
        spent=spent,
        financial=financial,
        outcome=topic[row["outcome"]].format(**_forms(application.municipality)),
        submitted_at=submitted,
        submitted_by=application.submitted_by,
        reviewed_at=submitted + datetime.timedelta(days=7 + int(7 * _fraction("done", number))),
    )
    report.outcome_indicators.set(application.indicators.all())
    return report


# --- Small helpers --------------------------------------------------------------------------


def _fraction(*parts) -> Decimal:
    """A number in [0, 1) fixed by the parts: the demo is the same on every machine."""
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()
    return Decimal(int(digest[:8], 16)) / Decimal(16**8)


def _forms(municipality) -> dict[str, str]:
    """The official Georgian name in the cases the texts need: "თელავის მუნიციპალიტეტი",
    "…მუნიციპალიტეტის", "…მუნიციპალიტეტს", "…მუნიციპალიტეტმა", "…მუნიციპალიტეტში"."""
    name = municipality.official_name_ka
    stem = name.removesuffix("ი")
    return {
        "m": name,
        "m_gen": f"{stem}ის",
        "m_dat": f"{stem}ს",
        "m_erg": f"{stem}მა",
        "m_loc": f"{stem}ში",
    }


def _tbilisi(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(tzinfo=TBILISI)


def _on(day: datetime.date) -> datetime.datetime:
    """An afternoon in Tbilisi."""
    return datetime.datetime.combine(day, datetime.time(15, 30), tzinfo=TBILISI)


def _months_later(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def _refuse_unless(condition: bool, problem: str) -> None:
    """demo.toml broke a rule of the competition: say so rather than seed it."""
    if not condition:
        raise ValueError(f"grants/demo.toml: {problem}.")
