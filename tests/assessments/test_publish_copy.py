"""Publishing writes the frozen scores with COPY on PostgreSQL and with an INSERT elsewhere:
both must store the same rows, field for field, whatever the answers' texts hold, and a
failure of either must leave nothing published.

On PostgreSQL the two ways are compared; on SQLite, where there is only the INSERT, the
rows are still checked against the answers they freeze."""

from decimal import Decimal as D

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.models import (
    AnswerTexts,
    AreaScore,
    CriterionScore,
    IndicatorScore,
    Response,
    ScoreSnapshot,
)
from assessments.workflow import Status
from tests.assessments.conftest import bring_to

# What COPY's text format reads specially (tab, newline, backslash, \N for NULL, \. for the
# end of the data), with Georgian, a character outside the BMP and other control characters.
TEXTS = [
    "",
    "\\N",
    "\\.",
    "ends with a backslash\\",
    "a\ttab, a\nnewline and a Windows\r\nline",
    "C:\\new\\table \\t not a tab",
    "მუნიციპალიტეტის „დადგენილება“ № 12 📄",
    "quotes ' and \" and a comma, ; | \x0b\x0c\x08 \x7f",
]


def with_tricky_answers(assessment, by):
    """An assessment under review whose answers test the writing: every text field holds one
    of TEXTS, a percentage has four decimals, and (for Sighnaghi) a whole criterion does not
    apply, so that some scores are NULL."""
    bring_to(assessment, Status.REVIEW, by=by)
    responses = Response.objects.filter(assessment=assessment).select_related("indicator")
    for number, response in enumerate(responses.order_by("indicator__code")):
        for offset, name in enumerate(AnswerTexts.TEXT_FIELDS):
            setattr(response, name, TEXTS[(number + offset) % len(TEXTS)])
        if response.indicator.code == "A.2.1":
            response.value = D("37.1234")
        if response.indicator.code == "B.1.1" and assessment.municipality.slug == "sighnaghi":
            response.value, response.is_na = None, True
        response.save()
    return assessment


@pytest.fixture
def tricky_externals(telavi_external, sighnaghi_external, project_staff):
    return [
        with_tricky_answers(assessment, project_staff)
        for assessment in (telavi_external, sighnaghi_external)
    ]


# Each level of scores, and the field that says what a row scores.
LEVELS = {AreaScore: "area_id", CriterionScore: "criterion_id", IndicatorScore: "indicator_id"}


def stored(snapshots) -> dict:
    """Every field of every score row of these snapshots, each row named by its assessment
    and what it scores, instead of by ids that differ from one publication to the next."""
    rows = {}
    for model, scored in LEVELS.items():
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if field.attname not in ("id", "snapshot_id")
        ]
        for row in model.objects.filter(snapshot__in=snapshots).values(
            "snapshot__assessment_id", *fields
        ):
            rows[(model.__name__, row.pop("snapshot__assessment_id"), row[scored])] = row
    return rows


def publish_and_read(assessments, by):
    """Publish the assessments together, read what was stored, and undo it all."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            snapshots = services.publish_assessments(
                assessments=assessments, by=by, notify=False, render=False
            )
        rows = stored(snapshots)
        transaction.set_rollback(True)
    return rows, [query["sql"] for query in queries]


def test_copy_stores_the_rows_that_an_insert_stores(tricky_externals, project_staff, monkeypatch):
    copied, copy_queries = publish_and_read(tricky_externals, project_staff)
    monkeypatch.setattr(services, "_writes_with_copy", lambda: False)
    inserted, insert_queries = publish_and_read(tricky_externals, project_staff)

    # Two assessments: 2 areas, 3 criteria and 3 indicators each.
    assert len(copied) == 2 * (2 + 3 + 3)
    assert copied == inserted
    # PostgreSQL did take the COPY (seen as one query for each level, as an INSERT would be).
    on_postgresql = connection.vendor == "postgresql"
    assert sum(sql.startswith("COPY ") for sql in copy_queries) == (3 if on_postgresql else 0)
    assert not any(sql.startswith("COPY ") for sql in insert_queries)
    assert len(copy_queries) == len(insert_queries)


def test_the_stored_rows_are_the_answers_they_freeze(tricky_externals, project_staff):
    """Independent of how they are written: on SQLite this is what checks the rows."""
    rows, _queries = publish_and_read(tricky_externals, project_staff)

    indicators = {
        (assessment_id, indicator_id): row
        for (level, assessment_id, indicator_id), row in rows.items()
        if level == "IndicatorScore"
    }
    answers = Response.objects.filter(assessment__in=tricky_externals)
    assert len(indicators) == answers.count() == 6
    for answer in answers.select_related("indicator"):
        row = indicators[(answer.assessment_id, answer.indicator_id)]
        for name in ("value", "is_na", *AnswerTexts.TEXT_FIELDS):
            assert row[name] == getattr(answer, name), (answer.indicator.code, name)
    every_text = {row[name] for row in indicators.values() for name in AnswerTexts.TEXT_FIELDS}
    assert every_text == set(TEXTS)

    telavi, sighnaghi = (assessment.pk for assessment in tricky_externals)
    a21, b11 = (tricky_externals[0].indicators().get(code=code).pk for code in ("A.2.1", "B.1.1"))
    assert indicators[(telavi, a21)]["normalised"] == D("0.371234")
    not_applicable = indicators[(sighnaghi, b11)]
    assert (not_applicable["value"], not_applicable["is_na"], not_applicable["normalised"]) == (
        None,
        True,
        None,
    )
    # Sighnaghi's B does not apply: its criterion and area have no score (NULL, not 0).
    empty = {
        level for (level, assessment_id, _id), row in rows.items()
        if assessment_id == sighnaghi and level != "IndicatorScore" and row["score"] is None
    }  # fmt: skip
    assert empty == {"AreaScore", "CriterionScore"}


def test_a_failed_write_leaves_nothing_published(tricky_externals, project_staff, monkeypatch):
    """A row the database refuses (here the same indicator twice in a revision) fails the
    whole publication, with the database's own error, whichever way the rows are sent."""
    score_rows = services._score_rows

    def twice(*args, **kwargs):
        rows = score_rows(*args, **kwargs)
        rows.indicators.append(rows.indicators[0])
        return rows

    monkeypatch.setattr(services, "_score_rows", twice)
    with pytest.raises(IntegrityError):
        services.publish_assessments(
            assessments=tricky_externals, by=project_staff, notify=False, render=False
        )

    assert not ScoreSnapshot.objects.exists()
    assert not IndicatorScore.objects.exists() and not AreaScore.objects.exists()
    assert {a.status for a in services.Assessment.objects.all()} == {Status.REVIEW}
