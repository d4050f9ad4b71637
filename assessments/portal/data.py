"""Open data: published results as CSV and XLSX files, with their data dictionary."""

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from musqat.cache import generation, public_page
from musqat.spreadsheets import CONTENT_TYPES, Sheet, download, write_csv, write_xlsx

from ..opendata import columns
from ..opendata import datasets as opendata
from ..results.cycles import published_cycles
from .lookup import published_cycle


def _download(name: str, build) -> HttpResponse:
    """A generated file as an attachment, kept until the next publication.

    Cached apart from the pages, since public_page keeps no headers, and for
    everyone: the files hold published data only and are the same in both languages.
    """
    extension = name.rsplit(".", 1)[1]
    key = f"open-data:{generation()}:{name}"
    content = cache.get(key)
    if content is None:
        content = build(extension)
        cache.set(key, content, timeout=settings.PUBLIC_PAGE_SECONDS)
    return download(content, name)


def _dataset_file(dataset: columns.Dataset, extension: str) -> bytes:
    if extension == "csv":
        return write_csv(dataset.names, dataset.rows).encode("utf-8")
    # The workbook carries its own data dictionary, on a second sheet.
    dictionary = Sheet(
        "dictionary",
        columns.DICTIONARY_COLUMNS[1:],
        [row[1:] for row in columns.dictionary_rows() if row[0] == dataset.name],
        widths={0: 24, 5: 80, 6: 80},
    )
    return write_xlsx([Sheet(dataset.name, dataset.names, dataset.rows), dictionary])


@public_page
def open_data(request):
    cycles = list(published_cycles())
    counts = opendata.row_counts(cycles)
    return render(
        request,
        "assessments/data.html",
        {
            "cycles": [
                {
                    "cycle": cycle,
                    "datasets": [
                        {
                            "name": name,
                            "title": columns.DATASET_TITLES[name],
                            "rows": counts[cycle.pk][name],
                        }
                        for name in columns.CYCLE_DATASETS
                    ],
                }
                for cycle in cycles
            ],
            "versions": opendata.public_versions(cycles),
            "dictionary": columns.dictionary(),
            "licence_name": columns.LICENCE_NAME,
            "licence_url": columns.LICENCE_URL,
            "citation": opendata.citation(
                cycles[0].year if cycles else None, request.build_absolute_uri()
            ),
        },
    )


def open_data_file(request, year, dataset, extension):
    """A cycle's scores or indicator responses, as CSV or XLSX (404 until published)."""
    if dataset not in columns.CYCLE_DATASETS or extension not in CONTENT_TYPES:
        raise Http404
    cycle = published_cycle(year)
    return _download(
        f"musqat-{cycle.year}-{dataset}.{extension}",
        lambda ext: _dataset_file(opendata.cycle_dataset(cycle, dataset), ext),
    )


def open_data_methodology(request, code):
    """A methodology version's matrix as CSV, in the columns its import reads."""
    cycles = list(published_cycles())
    version = get_object_or_404(opendata.public_versions(cycles), code=code)
    return _download(
        f"musqat-methodology-{version.code}.csv",
        lambda ext: _dataset_file(opendata.methodology_dataset(version), ext),
    )


def open_data_dictionary(request):
    """Every column of every open-data file: type, unit and description in both languages."""
    return _download(
        "musqat-data-dictionary.csv",
        lambda ext: write_csv(columns.DICTIONARY_COLUMNS, columns.dictionary_rows()).encode(),
    )
