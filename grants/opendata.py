"""The public register of grants as open data: one row per award of a decided call.

The same awards as the pages and the API (`register.awards`), with names and texts in
two columns, Georgian (_ka) and English (_en), like every open-data file of the site.
Amounts are lari with 2 decimals, rounded half up as everywhere else.
"""

from __future__ import annotations

from assessments.scoring import rounded
from musqat.spreadsheets import Sheet, write_csv, write_xlsx

from . import register

COLUMNS = [
    "call_slug",
    "call_title_ka",
    "call_title_en",
    "reference",
    "organisation_ka",
    "organisation_en",
    "municipality_slug",
    "municipality_name_ka",
    "municipality_name_en",
    "indicator_codes",
    "amount_gel",
    "grant_start",
    "grant_end",
    "summary_ka",
    "summary_en",
]
FORMATS = ("csv", "xlsx")
MONEY_PLACES = 2


def award_rows() -> list[list]:
    """Every award of every decided call, the latest call first, in reference order."""
    found = register.awards().order_by("-call__closes_at", "call__slug", "reference")
    rows = []
    for award in found:
        call, place = award.call, award.municipality
        rows.append(
            [
                call.slug,
                call.title_ka,
                call.title_en,
                award.reference,
                award.organization.name_ka,
                award.organization.name_en,
                place.slug if place else "",
                place.name_ka if place else "",
                place.name_en if place else "",
                ";".join(indicator.code for indicator in award.indicators.all()),
                rounded(award.awarded_amount, MONEY_PLACES),
                award.grant_start.isoformat() if award.grant_start else "",
                award.grant_end.isoformat() if award.grant_end else "",
                register.award_summary(award, "ka"),
                register.award_summary(award, "en"),
            ]
        )
    return rows


def awards_file(fmt: str) -> bytes:
    """The awards as CSV (UTF-8 with a byte-order mark) or XLSX."""
    rows = award_rows()
    if fmt == "csv":
        # Written as text, so that 10000 lari keep their 2 decimals: 10000.00.
        money = COLUMNS.index("amount_gel")
        for row in rows:
            row[money] = f"{row[money]:.{MONEY_PLACES}f}"
        return write_csv(COLUMNS, rows).encode("utf-8")
    return write_xlsx([Sheet("grant_awards", COLUMNS, rows, widths={13: 80, 14: 80})])


def file_name(fmt: str) -> str:
    return f"musqat-grant-awards.{fmt}"
