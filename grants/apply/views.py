"""The CSO applicant's workspace at /monitor/grants/: the open calls, an application from
draft to submission, its documents, and the grantee's reports.

Only members of an organisation see its applications; anyone else's is not found. Every
change is checked again on the server (`services`), whatever the page showed: the deadline
to the second, read-only after submission.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments.permissions import is_project_staff, organization_ids
from municipalities.models import Organization
from musqat.storage import serve_private

from .. import services
from ..findings import findings_of
from ..models import (
    Application,
    ApplicationAttachment,
    ApplicationStatus,
    Call,
    CallStage,
    Decision,
    Eligibility,
    Report,
    ReportAttachment,
    ReportStatus,
)
from ..permissions import is_applicant, may_read_application
from ..services import Refused
from .forms import (
    ApplicationForm,
    BudgetLines,
    DocumentsForm,
    ReportForm,
    UploadForm,
    document_field,
)

LINES_PREFIX = "lines"
# The step that asks to confirm a submission, and the button that confirms it.
CONFIRM = "confirm"


def report_locked_message() -> str:
    return _("This report has been submitted already and can no longer change.")


def refuse(request, message: str, status: int = 403):
    """A page that says why, in the user's language."""
    return render(request, "grants/apply/refused.html", {"message": message}, status=status)


def days_until(moment, now) -> int:
    """Whole days left before a moment; 0 on its last day."""
    return max((moment - now).days, 0)


def _applications(user):
    """The applications of the user's organisations; anyone else's are not found."""
    return Application.objects.filter(organization_id__in=organization_ids(user)).select_related(
        "call__cycle", "organization", "municipality"
    )


def _delete_file_after_commit(file) -> None:
    storage, name = file.storage, file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# The dashboard


@login_required
def dashboard(request):
    ids = organization_ids(request.user)
    if not ids:
        return refuse(
            request,
            _(
                "Your account is not a member of any civil society organisation, so it cannot "
                "apply for grants. Ask the project team to add you to your organisation."
            ),
        )
    now = timezone.now()
    organizations = list(Organization.objects.filter(pk__in=ids).order_by("name"))
    calls = list(
        Call.objects.open_at(now).prefetch_related("municipalities").order_by("closes_at", "pk")
    )
    applications = list(
        _applications(request.user)
        .prefetch_related(Prefetch("reports", queryset=Report.objects.order_by("due_on")))
        .order_by("-created_at", "-pk")
    )
    made = {}
    for application in applications:
        made.setdefault((application.call_id, application.organization_id), []).append(application)
    # Every open call is listed: an organisation that has made the applications it allows
    # is told so, with them, rather than not seeing the call at all.
    open_calls = [
        {
            "call": call,
            "organizations": [
                {
                    "organization": organization,
                    "may_apply": len(made.get((call.pk, organization.pk), []))
                    < call.applications_per_organization,
                    "applications": made.get((call.pk, organization.pk), []),
                }
                for organization in organizations
            ],
            "days_left": days_until(call.closes_at, now),
        }
        for call in calls
    ]
    today = timezone.localdate(now)
    rows = [
        {
            "application": application,
            "is_open": application.call.is_open_at(now),
            "days_left": days_until(application.call.closes_at, now),
            "decision_shown": application.decision != Decision.PENDING,
            "ineligible_shown": _ineligible_shown(application),
            "reports": [
                {"report": report, "days_left": report.days_left(today)}
                for report in application.reports.all()
            ],
        }
        for application in applications
    ]
    return render(
        request,
        "grants/apply/dashboard.html",
        {"open_calls": open_calls, "rows": rows, "several": len(organizations) > 1},
    )


def _ineligible_shown(application) -> bool:
    """An ineligible application hears why once the call is decided: it gets no decision."""
    return (
        application.call.stage == CallStage.DECIDED
        and application.eligibility == Eligibility.INELIGIBLE
    )


@login_required
@require_POST
def start(request, slug):
    call = get_object_or_404(Call.objects.public(), slug=slug)
    organization = request.POST.get("organization", "")
    if not (organization.isascii() and organization.isdigit()):
        return refuse(request, _("Choose the organisation that applies."), status=400)
    try:
        application = services.start_application(
            call=call, organization_id=int(organization), by=request.user
        )
    except Refused as refusal:
        return refuse(request, refusal.message)
    messages.success(
        request,
        _("Your draft application is started. Nothing is sent until you submit it."),
    )
    return redirect("apply:application", pk=application.pk)


# An application


@login_required
@require_http_methods(["GET", "POST"])
def application(request, pk):
    application = get_object_or_404(_applications(request.user), pk=pk)
    if request.method == "POST":
        if CONFIRM in request.POST:
            return _submit(request, application)
        return _save(request, application)
    if CONFIRM in request.GET:
        return _confirm_page(request, application)
    return _page(request, application)


def _draft_posted(request) -> bool:
    """Whether a POST carries the draft's fields, as the application page's form does."""
    return f"{LINES_PREFIX}-TOTAL_FORMS" in request.POST


def _save(request, application, *, remove=None, anchor=""):
    """Save the draft: its fields, the files chosen and, with `remove`, without one of its
    documents. With "submit", then ask to confirm the submission. A refusal keeps what was
    typed; a refused file is said at its input and everything else is saved."""
    # The form fills in its own copy, so that a refused page shows what is saved (its
    # title, what is missing, the findings) beside what was typed.
    draft = copy.copy(application)
    form = ApplicationForm(request.POST, instance=draft)
    lines = BudgetLines(request.POST, instance=draft, prefix=LINES_PREFIX)
    documents = DocumentsForm(request.POST, request.FILES, application=application)
    try:
        services.refuse_unless_editable(application, request.user)
    except Refused as refusal:
        return _refused_edit(request, application, refusal, form, lines)
    valid = form.is_valid()
    valid = lines.is_valid() and valid
    documents.is_valid()
    if not valid:
        return _page(
            request,
            application,
            form=form,
            lines=lines,
            documents=documents,
            documents_kept=False,
            error=_("Nothing was saved: correct what is marked below and save again."),
            status=400,
        )
    attached = []
    try:
        with transaction.atomic():
            # Locked, and checked again: a submission or the deadline may have come since.
            locked = Application.objects.select_for_update().get(pk=application.pk)
            services.refuse_unless_editable(locked, request.user)
            form.save(commit=False)
            draft.save(update_fields=_own_fields(form))
            form.save_m2m()
            lines.save()
            for requirement, file in documents.accepted():
                _attach(application, requirement, file, request.user)
                attached.append(file.name)
            removed = remove is not None and _remove(application, remove)
    except Refused as refusal:
        return _refused_edit(request, application, refusal, form, lines)
    url = reverse("apply:application", args=[application.pk])
    application = get_object_or_404(_applications(request.user), pk=application.pk)
    if documents.errors:
        # What was typed is saved: the page shows it as saved, the refused files at their
        # inputs, to choose again.
        return _page(
            request,
            application,
            documents=documents,
            error=_("Your draft is saved, but a document was not attached: see below why."),
            status=400,
        )
    if "submit" in request.POST:
        missing = services.missing_for_submission(application)
        if missing:
            return _page(
                request,
                application,
                error=" ".join(
                    [
                        _("Your draft is saved, but it was not submitted."),
                        _("The application is not complete:"),
                        *missing,
                    ]
                ),
                status=400,
            )
        return redirect(f"{url}?{CONFIRM}")
    said = [_("Your draft is saved. Nothing is sent until you submit it.")]
    said += [_("“%(name)s” is attached.") % {"name": name} for name in attached]
    if removed:
        said.append(_("“%(name)s” is removed.") % {"name": remove.name})
    messages.success(request, " ".join(said))
    return redirect(url + anchor)


def _attach(application, requirement, file, user) -> None:
    """A required document has one file: a new one replaces it. Others add up."""
    replaced = []
    if requirement is not None:
        replaced = list(application.attachments.filter(requirement=requirement))
    ApplicationAttachment.objects.create(
        application=application,
        requirement=requirement,
        file=file,
        name=file.name,
        size=file.size,
        uploaded_by=user,
    )
    for old in replaced:
        _delete_file_after_commit(old.file)
        old.delete()


def _remove(application, document) -> bool:
    """Remove a document, unless it is gone already (removed meanwhile by a colleague)."""
    gone = not application.attachments.filter(pk=document.pk).exists()
    if not gone:
        _delete_file_after_commit(document.file)
        document.delete()
    return not gone


def _confirm_page(request, application):
    """What is about to be submitted, to confirm: the last step that may still go back."""
    if not (application.is_editable and application.call.is_open_at(timezone.now())):
        return _page(request, application)
    missing = services.missing_for_submission(application)
    if missing:
        return _page(
            request,
            application,
            error=" ".join([_("The application is not complete:"), *missing]),
        )
    call = application.call
    return render(
        request,
        "grants/apply/confirm.html",
        {
            "application": application,
            "call": call,
            "total": application.budget_total(),
            # The required documents in the call's order, then the others.
            "attachments": application.attachments.select_related("requirement").order_by(
                F("requirement__order").asc(nulls_last=True), "requirement_id", "pk"
            ),
            "days_left": days_until(call.closes_at, timezone.now()),
        },
    )


def _submit(request, application):
    """The confirmed submission: everything is checked again, the deadline to the second.
    A refusal comes back to the draft, as saved."""
    try:
        submitted = services.submit_application(application=application, by=request.user)
    except Refused as refusal:
        application = get_object_or_404(_applications(request.user), pk=application.pk)
        editable = application.is_editable and application.call.is_open_at(timezone.now())
        error = refusal.message
        if editable:
            error = " ".join([_("Your draft is saved, but it was not submitted."), error])
        return _page(request, application, error=error, status=400 if editable else 403)
    messages.success(
        request,
        _(
            "Your application is submitted: its reference number is %(reference)s. "
            "A confirmation is on its way by e-mail."
        )
        % {"reference": submitted.reference},
    )
    return redirect("apply:application", pk=application.pk)


def _own_fields(form) -> list[str]:
    """The application's own columns the form changes (its indicators are saved apart)."""
    return [name for name in form.Meta.fields if name != "indicators"] + ["updated_at"]


def _refused_edit(request, application, refusal, form, lines):
    """A draft whose call has closed keeps what was typed on the page, to copy; a
    submitted application is simply read-only."""
    if application.status != ApplicationStatus.DRAFT:
        return refuse(request, refusal.message)
    return _page(request, application, form=form, lines=lines, error=refusal.message, status=403)


def _page(
    request,
    application,
    *,
    form=None,
    lines=None,
    documents=None,
    documents_kept=True,
    error=None,
    status=200,
):
    now = timezone.now()
    call = application.call
    editable = application.is_editable and call.is_open_at(now)
    required = list(call.required_attachments.all())
    if editable:
        form = form or ApplicationForm(instance=application)
        lines = lines or BudgetLines(instance=application, prefix=LINES_PREFIX)
        documents = documents or DocumentsForm(application=application, requirements=required)
    # Files chosen on a page that saved nothing are not kept: the browser forgets them, so
    # each input says which file to choose again.
    again = {} if documents is None or documents_kept else documents.chosen()
    attachments = list(application.attachments.all())
    requirements = []
    for requirement in [*required, None]:
        name = document_field(requirement and requirement.pk)
        requirements.append(
            {
                "requirement": requirement,
                "attachments": [
                    a for a in attachments if a.requirement_id == (requirement and requirement.pk)
                ],
                "field": documents[name] if documents is not None else None,
                "again": None if name in getattr(documents, "errors", {}) else again.get(name),
            }
        )
    # Attached to a document the call no longer asks for: shown with the other documents.
    asked = {requirement.pk for requirement in required}
    requirements[-1]["attachments"] += [
        a for a in attachments if a.requirement_id is not None and a.requirement_id not in asked
    ]
    decided = application.decision != Decision.PENDING
    context = {
        "application": application,
        "call": call,
        "editable": editable,
        "form": form,
        "lines": lines,
        "total": lines.total() if lines is not None else application.budget_total(),
        "budget_lines": application.budget_lines.all(),
        "indicators": application.indicators.select_related("criterion__area").order_by(
            "criterion__area__order", "criterion__order", "code"
        ),
        "findings": findings_of(application),
        "requirements": requirements,
        "missing": services.missing_for_submission(application) if editable else [],
        "error": error,
        "days_left": days_until(call.closes_at, now),
        "is_open": call.is_open_at(now),
        "decided": decided,
        "ineligible_shown": _ineligible_shown(application),
        "reports": application.reports.order_by("due_on") if decided else [],
    }
    return render(request, "grants/apply/application.html", context, status=status)


# Documents


@login_required
@require_POST
def attachments(request, pk):
    """The page's "Attach" buttons send the whole draft: it is saved with the files. A
    document posted on its own (no fields come with it, none can be lost) is attached."""
    application = get_object_or_404(_applications(request.user), pk=pk)
    if _draft_posted(request):
        return _save(request, application, anchor="#documents")
    try:
        services.refuse_unless_editable(application, request.user)
    except Refused as refusal:
        return refuse(request, refusal.message)
    upload = UploadForm(request.POST, request.FILES, application=application)
    if not upload.is_valid():
        return _page(
            request,
            application,
            error=" ".join(
                [
                    _("The document was not attached."),
                    *(error for errors in upload.errors.values() for error in errors),
                ]
            ),
            status=400,
        )
    requirement = upload.cleaned_data["requirement"]
    file = upload.cleaned_data["file"]
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            services.refuse_unless_editable(locked, request.user)
            _attach(application, requirement, file, request.user)
    except Refused as refusal:
        return refuse(request, refusal.message)
    messages.success(request, _("“%(name)s” is attached.") % {"name": file.name})
    return redirect(reverse("apply:application", args=[application.pk]) + "#documents")


@login_required
@require_POST
def remove_attachment(request, pk, attachment):
    """The page's "Remove" buttons send the whole draft: it is saved, less the document."""
    application = get_object_or_404(_applications(request.user), pk=pk)
    document = get_object_or_404(application.attachments, pk=attachment)
    if _draft_posted(request):
        return _save(request, application, remove=document, anchor="#documents")
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            services.refuse_unless_editable(locked, request.user)
            _remove(application, document)
    except Refused as refusal:
        return refuse(request, refusal.message)
    messages.success(request, _("“%(name)s” is removed.") % {"name": document.name})
    return redirect(reverse("apply:application", args=[application.pk]) + "#documents")


@login_required
def attachment(request, pk):
    """An application's document, for its organisation, its reviewers and project staff;
    nobody else learns that it exists."""
    document = get_object_or_404(
        ApplicationAttachment.objects.select_related("application__call"), pk=pk
    )
    if not may_read_application(request.user, document.application):
        raise Http404
    return serve_private(document.file, document.name)


@login_required
def report_attachment(request, pk):
    """A report's document, for the grantee's organisation and project staff."""
    document = get_object_or_404(
        ReportAttachment.objects.select_related("report__application"), pk=pk
    )
    application = document.report.application
    if not (is_project_staff(request.user) or is_applicant(request.user, application)):
        raise Http404
    return serve_private(document.file, document.name)


# Reports


def _reports(user):
    return Report.objects.filter(
        application__organization_id__in=organization_ids(user),
        application__decision=Decision.AWARDED,
    ).select_related("application__call", "application__organization", "application__municipality")


@login_required
@require_http_methods(["GET", "POST"])
def report(request, pk):
    report = get_object_or_404(_reports(request.user), pk=pk)
    if request.method == "GET":
        return _report_page(request, report)
    if not report.is_editable:
        return refuse(request, report_locked_message())
    form = ReportForm(request.POST, request.FILES, instance=report)
    if not form.is_valid():
        return _report_page(
            request,
            report,
            form=form,
            error=_("Nothing was saved: correct what is marked below and save again."),
            status=400,
        )
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if not locked.is_editable:
            return refuse(request, report_locked_message())
        form.save(commit=False)
        report.save(update_fields=["narrative", "spent", "financial", "outcome"])
        form.save_m2m()
        for document in form.cleaned_data.get("remove_files") or []:
            _delete_file_after_commit(document.file)
            document.delete()
        upload = form.cleaned_data.get("new_file")
        if upload:
            ReportAttachment.objects.create(
                report=report, file=upload, name=upload.name, size=upload.size
            )
    if "submit" not in request.POST:
        messages.success(request, _("Your report is saved. Nothing is sent until you submit it."))
        return redirect("apply:report", pk=report.pk)
    try:
        services.submit_report(report=report, by=request.user)
    except Refused as refusal:
        report = get_object_or_404(_reports(request.user), pk=report.pk)
        return _report_page(
            request,
            report,
            error=" ".join([_("Your report is saved, but it was not submitted."), refusal.message]),
            status=400,
        )
    messages.success(request, _("Your report is submitted. Project staff will read it."))
    return redirect("apply:report", pk=report.pk)


def _report_page(request, report, *, form=None, error=None, status=200):
    if report.is_editable:
        form = form or ReportForm(instance=report)
    return render(
        request,
        "grants/apply/report.html",
        {
            "report": report,
            "application": report.application,
            "form": form,
            "error": error,
            "days_left": report.days_left(),
            "days_overdue": -report.days_left(),
            "is_returned": report.status == ReportStatus.RETURNED,
            "attachments": report.attachments.all(),
            "outcome_indicators": report.outcome_indicators.all(),
        },
        status=status,
    )
