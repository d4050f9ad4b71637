"""Staff exports: every published result of a cycle as one workbook, in Georgian or English.

The rows come from the open-data builders (``opendata``), so the workbook and the
public files always agree; here they are laid out for reading: a sheet of overall and
area scores, a sheet per area with its criteria, a sheet of every indicator answer and
a sheet describing the methodology. Writing happens in the Celery task
``exports.export_cycle``; project staff download the file through the admin.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import translation
from django.utils.translation import gettext as _

from indicators.matrix import COLUMNS, matrix_rows
from indicators.models import AnsweredBy, Criterion, ResponseType, ThematicArea
from musqat.spreadsheets import Progress, RowCounter, Sheet, write_xlsx

from ..models import Cycle
from . import datasets as opendata
from .columns import RESPONSE_NAMES, SCORE_NAMES

# How often, in rows, a running export reports its progress.
PROGRESS_EVERY = 500


def _by_name(columns, rows) -> Iterable[dict]:
    for row in rows:
        yield dict(zip(columns, row, strict=True))


def write_cycle_workbook(cycle: Cycle, *, language: str, out, progress: Progress | None = None):
    """Write the cycle's published results to ``out`` (a path or a binary file).

    ``progress(done, total)`` is called every few hundred rows and once at the end.
    """
    with translation.override(language):
        sheets, total = _sheets(cycle, language)
        counter = RowCounter(total, progress, every=PROGRESS_EVERY)
        write_xlsx(
            [
                Sheet(sheet.title, sheet.columns, counter.rows(sheet.rows), sheet.widths)
                for sheet in sheets
            ],
            out=out,
        )
        counter.finish()


def _sheets(cycle: Cycle, language: str) -> tuple[list[Sheet], int]:
    """The workbook's sheets (the answers still to be read) and how many rows they hold."""
    suffix = f"_{language}"
    version_id = cycle.methodology_id
    areas = list(ThematicArea.objects.filter(version_id=version_id))
    criteria_of = {area.pk: [] for area in areas}
    for criterion in Criterion.objects.filter(area__version_id=version_id):
        criteria_of[criterion.area_id].append(criterion)

    # Overall, area and criterion scores, one row per municipality and kind.
    assessments: dict[tuple, dict] = {}
    for row in _by_name(SCORE_NAMES, opendata.score_rows(cycle)):
        key = (row["municipality_slug"], row["kind"])
        entry = assessments.setdefault(key, {"row": None, "scores": {}})
        if row["level"] == "overall":
            entry["row"] = row
        else:
            entry["scores"][row["code"]] = row["score"]

    def who(row):
        return [row["municipality_name" + suffix], row["kind_name" + suffix]]

    score_sheet = Sheet(
        title=_("Scores"),
        columns=[_("Municipality"), _("Kind"), _("Overall score"), _("Rank"), _("Band"),
                 *(f"{area.code}. {area.name}" for area in areas)],
        rows=[
            [*who(e["row"]), e["row"]["score"], e["row"]["rank"], e["row"]["band" + suffix],
             *(e["scores"].get(area.code) for area in areas)]
            for e in assessments.values()
        ],
        widths={0: 24, 1: 22},
    )  # fmt: skip
    area_sheets = [
        Sheet(
            title=f"{area.code}. {area.name}",
            columns=[
                _("Municipality"),
                _("Kind"),
                f"{area.code}. {area.name}",
                *(f"{c.code} {c.name}" for c in criteria_of[area.pk]),
            ],
            rows=[
                [
                    *who(e["row"]),
                    e["scores"].get(area.code),
                    *(e["scores"].get(c.code) for c in criteria_of[area.pk]),
                ]
                for e in assessments.values()
            ],
            widths={0: 24, 1: 22},
        )
        for area in areas
    ]

    yes = _("yes")
    response_sheet = Sheet(
        title=_("Responses"),
        columns=[
            _("Municipality"), _("Kind"), _("Thematic area"), _("Criterion"), _("Indicator code"),
            _("Indicator"), _("Response type"), _("Answer"), _("Value"), _("Not applicable"),
            _("Normalised score (0–1)"), _("Reason it does not apply"), _("Evidence"),
            _("Municipality's reply"), _("Links"), _("Revision"),
        ],
        rows=(
            [
                *who(r), r["area_code"], r["criterion_code"], r["indicator_code"],
                r["indicator_name" + suffix], ResponseType(r["response_type"]).label,
                r["answer" + suffix], r["value"], yes if r["not_applicable"] else "",
                r["normalised"], *(_text(r, field, suffix) for field in TEXTS),
                r["links"], r["revision"],
            ]
            for r in _by_name(RESPONSE_NAMES, opendata.response_rows(cycle))
        ),
        widths={0: 24, 1: 22, 5: 50, 7: 30, 11: 40, 12: 60, 13: 40, 14: 40},
    )  # fmt: skip

    methodology = list(_by_name(COLUMNS, matrix_rows(cycle.methodology)))
    methodology_sheet = Sheet(
        title=_("Methodology"),
        columns=[
            _("Area code"), _("Thematic area"), _("Area weight"), _("Criterion code"),
            _("Criterion"), _("Criterion weight"), _("Indicator code"), _("Indicator"),
            _("Description"), _("Response type"), _("Scale levels"), _("Worst value"),
            _("Best value"), _("Unit"), _("Weight"), _("Data source"), _("Answered by"),
        ],
        rows=[
            [
                m["area_code"], m["area_name" + suffix], m["area_weight"], m["criterion_code"],
                m["criterion_name" + suffix], m["criterion_weight"], m["indicator_code"],
                m["name" + suffix], m["description" + suffix],
                ResponseType(m["response_type"]).label, m["scale_labels" + suffix], m["worst"],
                m["best"], m["unit" + suffix], m["weight"], m["data_source" + suffix],
                AnsweredBy(m["answered_by"]).label,
            ]
            for m in methodology
        ],
        widths={1: 30, 4: 30, 7: 50, 8: 60, 10: 40, 15: 30},
    )  # fmt: skip

    total = len(assessments) * (1 + len(areas)) + opendata.response_count(cycle) + len(methodology)
    return [score_sheet, *area_sheets, response_sheet, methodology_sheet], total


TEXTS = ("na_reason", "evidence", "reply")


def _text(row: dict, field: str, suffix: str) -> str:
    """A free text in the workbook's language; the Georgian original where it has no
    English translation, so that staff lose nothing."""
    return row[field + suffix] or row[field + "_ka"]
