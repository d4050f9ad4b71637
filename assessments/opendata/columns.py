"""What the open-data files contain: every dataset's columns (the data dictionary) and licence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from indicators.matrix import COLUMN_NOTES, COLUMNS

LANGUAGES = ("ka", "en")

# The licence of every open-data file. Change it here if the project decides otherwise.
LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

# Types, as the data dictionary names them: stable names for programs, like the columns'.
TEXT, INTEGER, DECIMAL, BOOLEAN, DATETIME = "text", "integer", "decimal", "boolean", "date-time"
DATE = "date"
# ... and for people, in their language.
TYPE_LABELS = {
    TEXT: pgettext_lazy("data type", "text"),
    INTEGER: pgettext_lazy("data type", "integer"),
    DECIMAL: pgettext_lazy("data type", "decimal"),
    BOOLEAN: pgettext_lazy("data type", "boolean"),
    DATETIME: pgettext_lazy("data type", "date-time"),
    DATE: pgettext_lazy("data type", "date"),
}


@dataclass(frozen=True)
class Column:
    """One column of a dataset, as the data dictionary describes it."""

    name: str
    type: str
    description: str
    unit: str = ""

    @property
    def type_label(self) -> str:
        return TYPE_LABELS[self.type]


@dataclass
class Dataset:
    name: str
    title: str
    columns: list[Column]
    rows: Iterable[tuple]

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]


def _in_each_language(text) -> tuple[str, str]:
    """A translatable text in Georgian and in English, for a pair of label columns."""
    pair = []
    for language in LANGUAGES:
        with translation.override(language):
            pair.append(str(text))
    return tuple(pair)


# --- The columns (the data dictionary) ----------------------------------------------------

MUNICIPALITY_COLUMNS = [
    Column("cycle", INTEGER, _("Year of the assessment cycle.")),
    Column(
        "municipality_slug",
        TEXT,
        _("Stable identifier of the municipality (ASCII, as in the site's addresses)."),
    ),
    Column("municipality_name_ka", TEXT, _("Name of the municipality in Georgian.")),
    Column("municipality_name_en", TEXT, _("Name of the municipality in English.")),
    Column(
        "kind",
        TEXT,
        _(
            "self: the municipality's self-assessment; external: the independent assessment "
            "by a local civil society organisation."
        ),
    ),
    Column("kind_name_ka", TEXT, _("The kind of assessment in Georgian.")),
    Column("kind_name_en", TEXT, _("The kind of assessment in English.")),
]

SCORE_COLUMNS = [
    *MUNICIPALITY_COLUMNS,
    Column(
        "level",
        TEXT,
        _(
            "What the row scores: overall (the whole assessment), area (a thematic area) or "
            "criterion. Each published assessment has one overall row, then each area "
            "followed by its criteria."
        ),
    ),
    Column("code", TEXT, _("Code of the area or criterion (A, A.1); empty on overall rows.")),
    Column(
        "area_code",
        TEXT,
        _("Code of the thematic area the row belongs to; empty on overall rows."),
    ),
    Column(
        "name_ka",
        TEXT,
        _("Name of the area or criterion in Georgian (“overall score” on overall rows)."),
    ),
    Column("name_en", TEXT, _("Name of the area or criterion in English.")),
    Column(
        "score",
        DECIMAL,
        _(
            "The published score, rounded to 2 decimals. Empty when no indicator in it "
            "applies: all are not applicable, or this kind of assessment answers none of them."
        ),
        "0–100",
    ),
    Column(
        "rank",
        INTEGER,
        _(
            "Overall rows only: rank among the cycle's published assessments of the same kind, "
            "by the score rounded to one decimal; ties share a rank (1, 2, 2, 4)."
        ),
    ),
    Column(
        "band_ka",
        TEXT,
        _("Grade band of the score (by the score rounded to one decimal), in Georgian."),
    ),
    Column("band_en", TEXT, _("Grade band of the score, in English.")),
    Column(
        "revision",
        INTEGER,
        _(
            "Published revision of the assessment: 1, or higher after a correction, which "
            "is published with a public note."
        ),
    ),
    Column("published_at", DATETIME, _("When this revision was published."), "ISO 8601"),
]

TEXT_COLUMNS = [
    ("na_reason", _("Why the indicator does not apply")),
    ("evidence", _("Evidence given for the answer")),
    ("reply", _("External assessments: the municipality's reply to the finding")),
]

RESPONSE_COLUMNS = [
    *MUNICIPALITY_COLUMNS,
    Column("area_code", TEXT, _("Code of the thematic area.")),
    Column("criterion_code", TEXT, _("Code of the criterion.")),
    Column(
        "indicator_code",
        TEXT,
        _("Code of the indicator, as in the methodology file of the cycle's version."),
    ),
    Column("indicator_name_ka", TEXT, _("Name of the indicator in Georgian.")),
    Column("indicator_name_en", TEXT, _("Name of the indicator in English.")),
    Column(
        "response_type",
        TEXT,
        _("yes_no, scale (levels 0..k), percent (0–100) or numeric (with thresholds)."),
    ),
    Column(
        "value",
        DECIMAL,
        _(
            "The answer as a number: yes 1 and no 0, a scale level, a percentage, or a number "
            "in the indicator's unit. Empty when the indicator does not apply."
        ),
    ),
    Column(
        "not_applicable",
        BOOLEAN,
        _(
            "true when the indicator does not apply (with a reason); it then counts neither "
            "for nor against the score."
        ),
    ),
    Column(
        "normalised",
        DECIMAL,
        _(
            "The answer on a 0–1 scale by the scoring rules, rounded to 4 decimals; empty "
            "when the indicator does not apply."
        ),
        "0–1",
    ),
    Column("answer_ka", TEXT, _("The answer in words, in Georgian.")),
    Column("answer_en", TEXT, _("The answer in words, in English.")),
    *(
        Column(f"{field}_{language}", TEXT, description)
        for field, description in TEXT_COLUMNS
        for language in LANGUAGES
    ),
    Column("links", TEXT, _("Web addresses given as evidence, separated by spaces.")),
    Column("revision", INTEGER, _("Published revision of the assessment the answer belongs to.")),
]

# One row per action of every adopted or closed plan answering the cycle (never a draft).
ACTION_COLUMNS = [
    Column("cycle", INTEGER, _("Year of the assessment cycle whose findings the plan answers.")),
    *MUNICIPALITY_COLUMNS[1:4],
    Column(
        "plan_status",
        TEXT,
        _("adopted: the plan in force; closed: an earlier plan, kept as it was."),
    ),
    Column("plan_starts_on", DATE, _("First day of the plan's period."), "ISO 8601"),
    Column("plan_ends_on", DATE, _("Last day of the plan's period."), "ISO 8601"),
    Column("order_number", TEXT, _("Number of the mayor's order that approved the plan.")),
    Column("order_date", DATE, _("Date of the order that approved the plan."), "ISO 8601"),
    Column("action_number", INTEGER, _("Number of the action within its plan.")),
    Column("title_ka", TEXT, _("Title of the action in Georgian.")),
    Column("title_en", TEXT, _("Title of the action in English.")),
    Column(
        "responsible_unit_ka", TEXT, _("The unit of the municipality responsible, in Georgian.")
    ),
    Column("responsible_unit_en", TEXT, _("The unit of the municipality responsible, in English.")),
    Column("starts_on", DATE, _("When the action starts."), "ISO 8601"),
    Column("due_on", DATE, _("When the action is due."), "ISO 8601"),
    Column(
        "original_due_on",
        DATE,
        _("The due date first adopted, when it has moved since; empty otherwise."),
        "ISO 8601",
    ),
    Column(
        "budget",
        DECIMAL,
        _("The action's budget, rounded half up to 2 decimals; empty when none is given."),
        "GEL",
    ),
    Column("budget_source_ka", TEXT, _("Source of the funding, in Georgian.")),
    Column("budget_source_en", TEXT, _("Source of the funding, in English.")),
    Column(
        "status",
        TEXT,
        _("planned, in_progress, done, delayed or dropped, as the municipality last reported."),
    ),
    Column(
        "progress",
        INTEGER,
        _("Progress as reported, or the status's usual progress when none is reported."),
        "%",
    ),
    Column(
        "overdue",
        BOOLEAN,
        _(
            "true when the due date had passed, on the day the file was made, and the action "
            "was not done or dropped."
        ),
    ),  # fmt: skip
    Column(
        "latest_report_on",
        DATE,
        _("Date of the municipality's latest progress report; empty before the first."),
        "ISO 8601",
    ),
    Column(
        "latest_verdicts",
        TEXT,
        _(
            "Verdicts of the monitoring organisations on the latest report: confirmed, "
            "disputed or insufficient (insufficient evidence), separated by semicolons."
        ),
    ),
    Column(
        "verdict_organisations_ka",
        TEXT,
        _("The organisations that gave those verdicts, in the same order, in Georgian."),
    ),
    Column(
        "verdict_organisations_en",
        TEXT,
        _("The organisations that gave those verdicts, in the same order, in English."),
    ),
    Column(
        "indicator_codes",
        TEXT,
        _("Codes of the indicators the action addresses, separated by semicolons."),
    ),
    Column(
        "baselines",
        TEXT,
        _(
            "Each of those indicators' published score in the plan's cycle, kept when the "
            "plan was adopted, rounded to 2 decimals, in the same order and separated by "
            "semicolons; empty for an indicator without a score (not applicable)."
        ),
        "0–100",
    ),
]

NUMBER_COLUMNS = {"area_weight", "criterion_weight", "worst", "best", "weight"}
METHODOLOGY_COLUMNS = [
    Column(name, DECIMAL if name in NUMBER_COLUMNS else TEXT, COLUMN_NOTES[name])
    for name in COLUMNS
]

SCORE_NAMES = [column.name for column in SCORE_COLUMNS]
RESPONSE_NAMES = [column.name for column in RESPONSE_COLUMNS]
ACTION_NAMES = [column.name for column in ACTION_COLUMNS]

DATASET_TITLES = {
    "scores": _("Scores"),
    "responses": _("Indicator responses"),
    "actions": _("Action plans"),
    "methodology": _("Methodology"),
}
DATASET_COLUMNS = {
    "scores": SCORE_COLUMNS,
    "responses": RESPONSE_COLUMNS,
    "actions": ACTION_COLUMNS,
    "methodology": METHODOLOGY_COLUMNS,
}
CYCLE_DATASETS = ("scores", "responses", "actions")


def dictionary() -> list[Dataset]:
    """Every dataset's columns, without rows: the data dictionary."""
    return [
        Dataset(name=name, title=DATASET_TITLES[name], columns=columns, rows=())
        for name, columns in DATASET_COLUMNS.items()
    ]


DICTIONARY_COLUMNS = [
    "dataset", "column", "type", "type_ka", "type_en", "unit", "description_ka", "description_en",
]  # fmt: skip


def dictionary_rows() -> list[tuple]:
    return [
        (dataset.name, column.name, column.type, *_in_each_language(column.type_label),
         column.unit, *_in_each_language(column.description))
        for dataset in dictionary()
        for column in dataset.columns
    ]  # fmt: skip
