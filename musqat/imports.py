"""Safe imports from spreadsheets: preview first, errors per row and column, all or nothing.

An importer is a plain function ``importer(rows, *, by) -> ImportReport`` that writes
through the models and records every problem in the report instead of stopping.
``preview`` runs it and always rolls back; ``apply`` runs it and rolls back unless the
report is clean. The admin page (``import_view``) and the management commands
(``run_from_command``) both go through these two, so a file means the same in both.
"""

from __future__ import annotations

import logging
import re
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .spreadsheets import SpreadsheetError, check_size, read_rows

logger = logging.getLogger("musqat.imports")

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
PREVIEW_LIMIT = 200


@dataclass
class RowError:
    """One problem, where a spreadsheet shows it: row 1 is the header row."""

    row: int
    column: str
    message: str

    def __str__(self):
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class RowChange:
    row: int
    label: str
    state: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)

    def count(self, state: str, *, row: int, label: str) -> None:
        """Count one row's outcome; rows that change something are listed for the preview."""
        setattr(self, state, getattr(self, state) + 1)
        if state != UNCHANGED:
            self.changes.append(RowChange(row, label, state))

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, str(message)))

    def summary(self) -> str:
        return _(
            "%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(errors)s errors"
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": len(self.errors),
        }


class ImportFailed(Exception):
    """An import that wrote nothing, because of the errors in its report."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__("\n".join(str(error) for error in report.errors))


class ImportRefused(Exception):
    """The whole file is refused before any row is read (for example: the target is
    no longer a draft). The message is for people."""


def missing_columns(rows: list[dict], required: list[str], report: ImportReport) -> bool:
    """Report each required column the header row lacks; True if any does."""
    present = set(rows[0]) if rows else set(required)
    for column in required:
        if column not in present:
            report.error(1, column, _("this column is missing from the header row"))
    return any(column not in present for column in required)


def is_blank(row: dict) -> bool:
    return not any((value or "").strip() for value in row.values())


Importer = Callable[..., ImportReport]


def preview(importer: Importer, rows: list[dict], *, by=None) -> ImportReport:
    """What the import would do; nothing is kept."""
    with transaction.atomic():
        report = importer(rows, by=by)
        transaction.set_rollback(True)
    return report


def apply(importer: Importer, rows: list[dict], *, by=None) -> ImportReport:
    """Import every row, or none: any error rolls everything back and raises ImportFailed."""
    with transaction.atomic():
        report = importer(rows, by=by)
        if report.errors:
            transaction.set_rollback(True)
    if report.errors:
        raise ImportFailed(report)
    return report


def log_import(*, by, target, file_name: str, report: ImportReport, what: str) -> None:
    """Who imported what and when, with the counts: in the admin's history and the log.

    ``target`` is the object imported into, or the model class of what was imported.
    """
    message = f"{what}: {file_name} ({report.summary()})"
    logger.info("import by %s: %s", getattr(by, "username", "a command"), message)
    if by is None or not by.pk:
        return
    is_model = isinstance(target, type)
    LogEntry.objects.create(
        user_id=by.pk,
        content_type=ContentType.objects.get_for_model(target),
        object_id=None if is_model else str(target.pk),
        object_repr=(what if is_model else str(target))[:200],
        action_flag=CHANGE,
        change_message=message,
    )


# --- Between the preview and the import ---------------------------------------------------

PENDING_DIR = Path(tempfile.gettempdir()) / "musqat-imports"
PENDING_HOURS = 6
TOKEN = re.compile(r"^[0-9a-f]{32}$")
SESSION_KEY = "musqat_pending_imports"


def keep_pending(request, data: bytes, file_name: str) -> str:
    """Keep an uploaded file until its import is confirmed; returns its token.

    The token is good only in this person's session and on this page, so a preview
    can be confirmed only by whoever made it, for the import it was made for.
    """
    PENDING_DIR.mkdir(mode=0o700, exist_ok=True)
    _forget_old_files()
    token = uuid.uuid4().hex
    (PENDING_DIR / token).write_bytes(data)
    pending_imports = request.session.get(SESSION_KEY, {})
    pending_imports[token] = {"path": request.path, "file_name": file_name}
    request.session[SESSION_KEY] = pending_imports
    return token


def take_pending(request, token: str) -> tuple[bytes, str] | None:
    """The file and its name kept for ``token`` by this session on this page, if any."""
    entry = request.session.get(SESSION_KEY, {}).get(token or "")
    if not TOKEN.match(token or "") or not entry or entry["path"] != request.path:
        return None
    path = PENDING_DIR / token
    return (path.read_bytes(), entry["file_name"]) if path.exists() else None


def forget_pending(request, token: str) -> None:
    pending_imports = request.session.get(SESSION_KEY, {})
    if pending_imports.pop(token, None) is not None:
        request.session[SESSION_KEY] = pending_imports
    if TOKEN.match(token or ""):
        (PENDING_DIR / token).unlink(missing_ok=True)


def _forget_old_files() -> None:
    """Previews nobody confirmed are not kept for ever."""
    limit = time.time() - PENDING_HOURS * 3600
    for path in PENDING_DIR.iterdir():
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


# --- The admin page -----------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy("An .xlsx file or a CSV file in UTF-8, up to 10 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
            self.data_bytes = upload.read()
            self.rows = read_rows(self.data_bytes)
        except SpreadsheetError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


def import_view(
    request,
    *,
    importer: Importer,
    title: str,
    what: str,
    target,
    done_url: str,
    context: dict,
    template: str = "admin/imports/import.html",
):
    """Upload → preview (nothing written) → confirm → import, on one admin page.

    ``context`` is the admin's own context (``admin_site.each_context`` and the page's
    breadcrumbs); ``target`` is what the log entry is filed under.
    """
    page = {**context, "title": title, "upload_form": UploadForm(), "report": None}
    if request.method == "POST" and "token" in request.POST:
        token = request.POST.get("token", "")
        kept = take_pending(request, token)
        if kept is None:
            messages.error(request, _("The previewed file has expired. Upload it again."))
            return _show(request, template, page, status=400)
        data, file_name = kept
        try:
            report = apply(importer, read_rows(data), by=request.user)
        except (ImportRefused, SpreadsheetError) as refused:  # limits may change in between
            messages.error(request, str(refused))
            return _show(request, template, page, status=400)
        except ImportFailed as failed:
            # The data changed since the preview: show what stands in the way now.
            page.update(report=failed.report, file_name=file_name)
            return _show(request, template, page, status=400)
        forget_pending(request, token)
        log_import(by=request.user, target=target, file_name=file_name, report=report, what=what)
        messages.success(
            request,
            _("Imported %(file)s: %(summary)s.") % {"file": file_name, "summary": report.summary()},
        )
        return redirect(done_url)
    if request.method == "POST":
        upload_form = UploadForm(request.POST, request.FILES)
        page["upload_form"] = upload_form
        if not upload_form.is_valid():
            # A file refused unread (too big, a bomb, not a spreadsheet): the form says why.
            return _show(request, template, page, status=400)
        try:
            report = preview(importer, upload_form.rows, by=request.user)
        except ImportRefused as refused:
            messages.error(request, str(refused))
            return _show(request, template, page, status=400)
        file_name = upload_form.cleaned_data["file"].name
        page.update(report=report, file_name=file_name)
        if not report.errors:
            token = keep_pending(request, upload_form.data_bytes, file_name)
            page["confirm_form"] = ConfirmForm(initial={"token": token})
    return _show(request, template, page)


def _show(request, template: str, page: dict, *, status: int = 200):
    report = page["report"]
    if report is not None:
        page["shown_changes"] = report.changes[:PREVIEW_LIMIT]
        page["shown_errors"] = report.errors[:PREVIEW_LIMIT]
    return TemplateResponse(request, template, page, status=status)


# --- The management commands --------------------------------------------------------------


def run_from_command(command, *, importer: Importer, path: str, dry_run: bool, what: str, target):
    """Read a file, preview or import it, and print the outcome; errors end the command."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        message = _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
        raise CommandError(message) from None
    try:
        rows = read_rows(data)
    except SpreadsheetError as error:
        raise CommandError(str(error)) from None
    try:
        report = preview(importer, rows) if dry_run else apply(importer, rows)
    except ImportRefused as refused:
        raise CommandError(str(refused)) from None
    except ImportFailed as failed:
        report = failed.report
    for change in report.changes:
        command.stdout.write(
            _("row %(row)s: %(label)s %(state)s")
            % {"row": change.row, "label": change.label, "state": _state_label(change.state)}
        )
    for error in report.errors:
        command.stderr.write(str(error))
    if report.errors:
        raise CommandError(
            _("Nothing was imported: %(count)s errors.") % {"count": len(report.errors)}
        )
    if dry_run:
        summary = report.summary()
        command.stdout.write(_("Dry run, nothing written: %(summary)s.") % {"summary": summary})
        return report
    log_import(by=None, target=target, file_name=path, report=report, what=what)
    command.stdout.write(
        command.style.SUCCESS(_("Imported: %(summary)s.") % {"summary": report.summary()})
    )
    return report


def _state_label(state: str) -> str:
    return {CREATED: _("created"), UPDATED: _("updated"), UNCHANGED: _("unchanged")}[state]
