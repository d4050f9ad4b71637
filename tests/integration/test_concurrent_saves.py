"""Many people saving answers at once, on the real PostgreSQL.

Every save of answers goes through ``save_area_answers`` (the monitor workspace's and
the admin's area pages) or the response import, and both lock the assessment row first
(``SELECT … FOR UPDATE``), so that the saves of one assessment happen one after the
other while those of different assessments run side by side. A page carries the version
of each answer it showed: a save from an older version is refused as a conflict that
keeps what was typed and takes the new version, and only the forms a person changed are
saved. The import has no page and no version: it replaces what it finds, under the same
lock.

These tests start 200 saves at once on a pool of threads, each with its own database
connection, and then read what the database kept: every value, one row per answer, and
a history whose versions follow one another without a gap or a repeat.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection, connections
from django.db.models import Count
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from assessments.answers.forms import FormGroup, area_answers, save_area_answers
from assessments.answers.imports import responses_importer
from assessments.models import Response
from indicators.models import Criterion, ThematicArea
from musqat.imports import ImportReport, apply
from tests import factories
from tests.assessments.conftest import post_data

from .conftest import unavailable

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SAVES = 200
# Threads saving at once, each with a connection of its own: well under PostgreSQL's
# max_connections (100 by default), which other clients share.
WORKERS = 20
# Seconds the whole run may take before it counts as stuck (a deadlock, a lock never freed).
RUN_TIMEOUT = 120
# What an answer says before the run, so that a save that was lost shows.
BEFORE = Decimal(10)


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def areas(methodology):
    """Four more areas, C to F, of five percentage indicators each (C.1.1 … F.1.5), which
    both kinds of assessment answer: 20 answers per assessment."""
    found = []
    for order, code in enumerate("CDEF", start=2):
        area = ThematicArea.objects.create(
            version=methodology,
            code=code,
            name_ka=f"სფერო {code}",
            name_en=f"Area {code}",
            order=order,
        )
        criterion = Criterion.objects.create(
            area=area, code=f"{code}.1", name_ka=f"კრიტერიუმი {code}.1", name_en=f"{code}.1"
        )
        for number in range(1, 6):
            factories.indicator(criterion, f"{code}.1.{number}", "percent")
        found.append(area)
    return found


@pytest.fixture
def connection_room():
    """The run's threads fit in what PostgreSQL allows beside its other clients."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        allowed = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM pg_stat_activity")
        in_use = cursor.fetchone()[0]
    if in_use + WORKERS + 5 > allowed:
        unavailable(f"{in_use} of PostgreSQL's {allowed} connections are taken")


# --- Running many saves at once ---------------------------------------------------------


@dataclass
class Outcome:
    task: object
    result: object = None
    error: BaseException | None = None


def run_together(tasks: list[Callable], *, workers: int = WORKERS) -> list[Outcome]:
    """Run every task on `workers` threads that start together (a barrier), each taking
    the next task until none is left, each on its own connection, closed at its end."""
    pending = queue.SimpleQueue()
    for task in tasks:
        pending.put(task)
    start = threading.Barrier(workers)

    def work() -> list[Outcome]:
        done = []
        try:
            start.wait(timeout=30)
            while True:
                try:
                    task = pending.get_nowait()
                except queue.Empty:
                    return done
                try:
                    done.append(Outcome(task, result=task()))
                except Exception as error:  # noqa: BLE001 - every failure is reported below
                    done.append(Outcome(task, error=error))
        finally:
            connections.close_all()

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="saver")
    futures = [pool.submit(work) for _ in range(workers)]
    finished, stuck = wait_for_futures(futures, timeout=RUN_TIMEOUT)
    pool.shutdown(wait=not stuck, cancel_futures=True)
    if stuck:
        pytest.fail(f"{len(stuck)} of {workers} threads were still saving after {RUN_TIMEOUT} s")
    outcomes = [outcome for future in futures for outcome in future.result()]
    assert len(outcomes) == len(tasks)
    failures = [f"{outcome.task}: {outcome.error!r}" for outcome in outcomes if outcome.error]
    assert not failures, "saves failed with an error:\n" + "\n".join(failures[:10])
    return outcomes


def as_posted(data: dict) -> QueryDict:
    """Form data as request.POST holds it."""
    return QueryDict(urlencode(data))


@dataclass
class PageSave:
    """One person saving an area page they opened earlier, with one answer changed."""

    assessment: object
    area: ThematicArea
    code: str
    value: int
    evidence: str
    data: dict
    by: object
    # The prefix of the changed answer's fields in the form data.
    prefix: str

    def __str__(self):
        return f"{self.by} saving {self.code} of {self.assessment} ({self.evidence})"

    def __call__(self) -> tuple[FormGroup, int | None]:
        return save_area_answers(
            assessment=self.assessment,
            area=self.area,
            data=as_posted(self.data),
            files=MultiValueDict(),
            by=self.by,
        )


def page_save(page: FormGroup, *, code: str, value: int, evidence: str, by) -> PageSave:
    """A save of `page` (as it was opened) changing the answer to `code`."""
    form = next(form for form in page if form.indicator.code == code)
    changes = {code: {"value": str(value), "evidence": evidence}}
    return PageSave(
        assessment=form.instance.assessment,
        area=form.indicator.criterion.area,
        code=code,
        value=value,
        evidence=evidence,
        data=post_data(page, changes) | {"save": "1"},
        by=by,
        prefix=form.prefix,
    )


def conflicts(group: FormGroup) -> dict[str, list[str]]:
    """The refused forms of a save, by indicator code, with the codes of their errors."""
    return {
        form.indicator.code: [
            error.code for errors in form.errors.as_data().values() for error in errors
        ]
        for form in group.forms
        if form.is_bound and form.errors
    }


def answers_of(assessment) -> dict[str, Response]:
    return {r.indicator.code: r for r in assessment.responses.select_related("indicator")}


def history_of(assessment, code: str) -> list:
    """An answer's historical records, oldest first."""
    return list(
        Response.history.filter(assessment_id=assessment.pk, indicator__code=code).order_by(
            "history_date", "history_id"
        )
    )


def duplicates() -> list[dict]:
    return list(
        Response.objects.values("assessment", "indicator")
        .annotate(rows=Count("id"))
        .filter(rows__gt=1)
    )


# --- 1. Everyone saves a different answer -----------------------------------------------

OTHER_MUNICIPALITIES = [
    ("gurjaani", "Gurjaani", "გურჯაანი"),
    ("kvareli", "Kvareli", "ყვარელი"),
    ("lagodekhi", "Lagodekhi", "ლაგოდეხი"),
    ("sagarejo", "Sagarejo", "საგარეჯო"),
]


@pytest.fixture
def ten_drafts(telavi, cycle_2021, cso, areas):
    """Self- and external assessments of five municipalities, drafts: 10 × 20 = 200
    answers in areas C to F. Every other one is typed in already (10 %, version 1)."""
    places = [telavi] + [factories.municipality(*names) for names in OTHER_MUNICIPALITIES]
    drafts = []
    for place in places:
        drafts.append(factories.assessment(place, cycle_2021, "self"))
        drafts.append(factories.assessment(place, cycle_2021, "external", organization=cso))
    for assessment in drafts:
        for area in areas:
            for form in area_answers(assessment, area).forms[::2]:
                factories.answer(assessment, form.indicator.code, BEFORE)
    return drafts


def test_two_hundred_people_saving_different_answers_at_once_lose_none_and_duplicate_none(
    ten_drafts, areas, project_staff, connection_room
):
    # Every page is opened before anyone saves: each shows the other answers of its area
    # as they were, while 4 other people are saving them.
    tasks, number = [], 0
    for assessment in ten_drafts:
        for area in areas:
            page = area_answers(assessment, area)
            for form in page:
                number += 1
                tasks.append(
                    page_save(
                        page,
                        code=form.indicator.code,
                        value=11 + number % 90,
                        evidence=f"save {number}",
                        by=project_staff,
                    )
                )
    assert len(tasks) == SAVES
    typed_in_before = {
        (r.assessment_id, r.indicator.code) for r in Response.objects.select_related("indicator")
    }
    random.Random(2021).shuffle(tasks)

    began = time.monotonic()
    outcomes = run_together(tasks)
    elapsed = time.monotonic() - began

    refused = {str(o.task): conflicts(o.result[0]) for o in outcomes if o.result[1] is None}
    assert refused == {}
    assert [o.result[1] for o in outcomes] == [1] * SAVES
    assert duplicates() == []
    assert Response.objects.count() == SAVES
    for task in tasks:
        saved = Response.objects.get(assessment=task.assessment, indicator__code=task.code)
        records = history_of(task.assessment, task.code)
        was_there = (task.assessment.pk, task.code) in typed_in_before
        assert (saved.value, saved.evidence) == (task.value, task.evidence), task
        assert saved.updated_by == project_staff
        assert saved.version == (2 if was_there else 1), task
        # The history: the answer typed in before (if any), then this save, nothing else.
        assert [(r.history_type, r.version, r.value) for r in records] == (
            [("+", 1, BEFORE), ("~", 2, task.value)] if was_there else [("+", 1, task.value)]
        ), task
        assert records[-1].evidence == task.evidence
        assert records[-1].updated_by_id == project_staff.pk
    assert Response.history.count() == len(typed_in_before) + SAVES
    print(f"\n{SAVES} saves of different answers on {WORKERS} threads: {elapsed:.2f} s")


# --- 2. Everyone saves the same answers from the same version -----------------------------


@pytest.fixture
def telavi_draft(telavi, cycle_2021, areas):
    """Telavi's draft self-assessment: C.1.1 to C.1.4 typed in (10 %, version 1), C.1.5
    not answered yet."""
    draft = factories.assessment(telavi, cycle_2021, "self")
    for code in ["C.1.1", "C.1.2", "C.1.3", "C.1.4"]:
        factories.answer(draft, code, BEFORE)
    return draft


@pytest.fixture
def area_c(areas):
    return areas[0]


@pytest.fixture
def telavi_people(telavi):
    """Four members of Telavi's staff, who take turns saving."""
    return [factories.municipal_staff(f"telavi-staff-{n}", telavi) for n in range(1, 5)]


def test_of_two_hundred_saves_of_the_same_answers_from_one_version_one_wins_per_answer(
    telavi_draft, area_c, telavi_people, connection_room
):
    page = area_answers(telavi_draft, area_c)
    codes = [form.indicator.code for form in page]
    tasks = [
        page_save(
            page,
            code=codes[n % len(codes)],
            value=11 + n % 90,
            evidence=f"contender {n}",
            by=telavi_people[n % len(telavi_people)],
        )
        for n in range(SAVES)
    ]

    began = time.monotonic()
    outcomes = run_together(tasks)
    elapsed = time.monotonic() - began

    won = [o for o in outcomes if o.result[1] is not None]
    lost = [o for o in outcomes if o.result[1] is None]
    assert Counter(o.task.code for o in won) == Counter(codes)
    assert all(o.result[1] == 1 for o in won)
    assert duplicates() == []
    answers = answers_of(telavi_draft)
    assert sorted(answers) == codes
    for outcome in won:
        task = outcome.task
        answer = answers[task.code]
        assert (answer.value, answer.evidence, answer.updated_by) == (
            task.value,
            task.evidence,
            task.by,
        )
        # Typed in before: version 1 → 2; the one no one had answered is created once.
        assert answer.version == (1 if task.code == "C.1.5" else 2)
        records = history_of(telavi_draft, task.code)
        assert [(r.version, r.evidence) for r in records][-1] == (answer.version, task.evidence)
        assert len(records) == answer.version
    # Every other save is refused as a conflict on its one answer, keeps what its person
    # typed, and takes the version now saved, to replace it knowingly by saving again.
    for outcome in lost:
        task, (group, _saved) = outcome.task, outcome.result
        assert conflicts(group) == {task.code: ["conflict"]}, task
        form = next(form for form in group.forms if form.indicator.code == task.code)
        assert form.data[form.add_prefix("value")] == str(task.value)
        assert form.data[form.add_prefix("evidence")] == task.evidence
        assert int(form.data[form.add_prefix("version")]) == answers[task.code].version
    assert len(lost) == SAVES - len(codes)
    print(f"\n{SAVES} saves of {len(codes)} answers on {WORKERS} threads: {elapsed:.2f} s")


@dataclass
class SaveUntilSaved:
    """Someone who, refused, sends the page they got back again, until it is saved."""

    task: PageSave
    # The version each save was sent with.
    sent: list[int]

    def __str__(self):
        return str(self.task)

    def __call__(self) -> int:
        while True:
            self.sent.append(int(self.task.data[f"{self.task.prefix}-version"]))
            group, saved = self.task()
            if saved is not None:
                return saved
            assert conflicts(group) == {self.task.code: ["conflict"]}
            self.task.data = post_data(group) | {"save": "1"}


def test_people_who_save_again_after_a_conflict_each_save_once_in_turn(
    telavi_draft, area_c, project_staff, connection_room
):
    """Twenty people save C.1.1 from version 1; whoever is refused saves again from the
    page they got back, until everyone's answer has been saved once."""
    people = 20
    page = area_answers(telavi_draft, area_c)
    # The version each of a person's saves was sent with, by person.
    sent: dict[int, list[int]] = {n: [] for n in range(people)}
    persistent = [
        SaveUntilSaved(
            page_save(page, code="C.1.1", value=11 + n, evidence=f"person {n}", by=project_staff),
            sent[n],
        )
        for n in range(people)
    ]

    began = time.monotonic()
    outcomes = run_together(persistent)
    elapsed = time.monotonic() - began

    assert [o.result for o in outcomes] == [1] * people
    answer = answers_of(telavi_draft)["C.1.1"]
    records = history_of(telavi_draft, "C.1.1")
    # One save per version, versions 2 … 21 in order, each person's answer exactly once.
    assert [r.version for r in records] == list(range(1, people + 2))
    saved_by = [int(r.evidence.removeprefix("person ")) for r in records[1:]]
    assert sorted(saved_by) == list(range(people))
    for record, n in zip(records[1:], saved_by, strict=True):
        assert record.value == 11 + n
        # Each saved over the version its page last showed: the one saved just before.
        assert sent[n][-1] == record.version - 1
    assert (answer.version, answer.evidence) == (people + 1, records[-1].evidence)
    assert duplicates() == []
    tries = sum(len(versions) for versions in sent.values())
    print(f"\n{people} people, {tries} saves until each was saved: {elapsed:.2f} s")


# --- 3. Imports and page saves of one assessment at once ----------------------------------

IMPORTS = 20


@dataclass
class ImportRun:
    """Staff importing a file that sets every answer of area C to one value."""

    assessment: object
    number: int
    codes: list[str]
    by: object

    @property
    def value(self) -> int:
        return 20 + self.number

    @property
    def evidence(self) -> str:
        return f"import {self.number}"

    def __str__(self):
        return self.evidence

    def __call__(self) -> ImportReport:
        rows = [
            {"indicator_code": code, "value": str(self.value), "evidence": self.evidence}
            for code in self.codes
        ]
        return apply(responses_importer(self.assessment), rows, by=self.by)


def replay(order: list, initial: dict[str, tuple]) -> dict[str, tuple]:
    """What the answers would be after these saves, one after the other: (value, evidence,
    version) by code. A page save needs the version its page showed; an import sets all."""
    state = dict(initial)
    for op in order:
        if isinstance(op, ImportRun):
            for code in op.codes:
                version = state[code][2] + 1 if code in state else 1
                state[code] = (op.value, op.evidence, version)
        else:
            shown = 1 if op.code in initial else None
            if (state[op.code][2] if op.code in state else None) == shown:
                state[op.code] = (op.value, op.evidence, (shown or 0) + 1)
    return state


def test_imports_and_page_saves_of_one_assessment_at_once_end_as_some_serial_order(
    telavi_draft, area_c, project_staff, telavi_people, connection_room
):
    page = area_answers(telavi_draft, area_c)
    codes = [form.indicator.code for form in page]
    imports = [ImportRun(telavi_draft, n, codes, project_staff) for n in range(1, IMPORTS + 1)]
    saves = [
        page_save(
            page,
            code=codes[n % len(codes)],
            value=41 + n % 60,
            evidence=f"form {n}",
            by=telavi_people[n % len(telavi_people)],
        )
        for n in range(SAVES - IMPORTS)
    ]
    initial = {
        code: (r.value, r.evidence, r.version) for code, r in answers_of(telavi_draft).items()
    }
    tasks = imports + saves
    random.Random(2022).shuffle(tasks)

    began = time.monotonic()
    outcomes = run_together(tasks)
    elapsed = time.monotonic() - began

    for outcome in outcomes:
        if isinstance(outcome.task, ImportRun):
            report = outcome.result
            assert (report.errors, report.created + report.updated) == ([], len(codes))
        elif outcome.result[1] is None:
            assert conflicts(outcome.result[0]) == {outcome.task.code: ["conflict"]}
    won = {
        o.task.evidence: o.task
        for o in outcomes
        if isinstance(o.task, PageSave) and o.result[1] is not None
    }
    assert duplicates() == []

    # Each answer's history: versions one after another, every import once, in one order
    # shared by all five answers, and a page save only as the first change (every page
    # showed the answers as they were before the run).
    by_name = {task.evidence: task for task in tasks}
    import_orders = []
    page_saves_first = []
    for code in codes:
        records = history_of(telavi_draft, code)[(1 if code in initial else 0) :]
        first_version = 2 if code in initial else 1
        assert [r.version for r in records] == list(
            range(first_version, first_version + len(records))
        ), code
        ops = [by_name[r.evidence] for r in records]
        import_orders.append([op.number for op in ops if isinstance(op, ImportRun)])
        page_ops = [op for op in ops if not isinstance(op, ImportRun)]
        assert page_ops in ([], [ops[0]]), code
        page_saves_first += page_ops
    assert sorted(import_orders[0]) == list(range(1, IMPORTS + 1))
    assert all(order == import_orders[0] for order in import_orders)
    assert {op.evidence for op in page_saves_first} == set(won)

    # The answers now are those of that serial order: the saves that won, then the imports.
    order = page_saves_first + [imports[number - 1] for number in import_orders[0]]
    expected = replay(order, initial)
    assert {
        code: (r.value, r.evidence, r.version) for code, r in answers_of(telavi_draft).items()
    } == expected
    print(
        f"\n{IMPORTS} imports and {len(saves)} page saves on {WORKERS} threads: {elapsed:.2f} s "
        f"({len(won)} page saves won, the rest were conflicts)"
    )
