"""The CSO applicant's workspace at /monitor/grants/: the open calls, an application from
draft to submission, its documents, and the grantee's reports.

Only members of an organisation see its applications; anyone else's is not found. Every
change is checked again on the server (`services`), whatever the page showed: the deadline
to the second, read-only after submission.
"""

import copy
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments.permissions import is_project_staff, organization_ids
from municipalities.models import Organization

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
from .forms import ANY_DOCUMENT, ApplicationForm, BudgetLines, ReportForm, UploadForm, accept

LINES_PREFIX = "lines"


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


def _serve(file, name: str):
    """A private file as a download: never shown in the page, never cached."""
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    patch_cache_control(response, private=True, no_store=True)
    return response


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
    made = Counter(
        Application.objects.filter(call__in=calls, organization_id__in=ids).values_list(
            "call_id", "organization_id"
        )
    )
    open_calls = []
    for call in calls:
        may_apply = [
            organization
            for organization in organizations
            if made[call.pk, organization.pk] < call.applications_per_organization
        ]
        if may_apply:
            open_calls.append(
                {
                    "call": call,
                    "organizations": may_apply,
                    "days_left": days_until(call.closes_at, now),
                }
            )
    applications = (
        _applications(request.user)
        .prefetch_related(Prefetch("reports", queryset=Report.objects.order_by("due_on")))
        .order_by("-created_at", "-pk")
    )
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
        return _save(request, application)
    return _page(request, application)


def _save(request, application):
    """Save the draft; with "submit", then submit it. A refusal keeps what was typed."""
    # The form fills in its own copy, so that a refused page shows what is saved (its
    # title, what is missing, the findings) beside what was typed.
    draft = copy.copy(application)
    form = ApplicationForm(request.POST, instance=draft)
    lines = BudgetLines(request.POST, instance=draft, prefix=LINES_PREFIX)
    try:
        services.refuse_unless_editable(application, request.user)
    except Refused as refusal:
        return _refused_edit(request, application, refusal, form, lines)
    valid = form.is_valid()
    valid = lines.is_valid() and valid
    if not valid:
        return _page(
            request,
            application,
            form=form,
            lines=lines,
            error=_("Nothing was saved: correct what is marked below and save again."),
            status=400,
        )
    try:
        with transaction.atomic():
            # Locked, and checked again: a submission or the deadline may have come since.
            locked = Application.objects.select_for_update().get(pk=application.pk)
            services.refuse_unless_editable(locked, request.user)
            form.save(commit=False)
            draft.save(update_fields=_own_fields(form))
            form.save_m2m()
            lines.save()
    except Refused as refusal:
        return _refused_edit(request, application, refusal, form, lines)
    if "submit" not in request.POST:
        messages.success(request, _("Your draft is saved. Nothing is sent until you submit it."))
        return redirect("apply:application", pk=application.pk)
    try:
        submitted = services.submit_application(application=draft, by=request.user)
    except Refused as refusal:
        application = get_object_or_404(_applications(request.user), pk=application.pk)
        return _page(
            request,
            application,
            error=" ".join([_("Your draft is saved, but it was not submitted."), refusal.message]),
            status=400,
        )
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


def _page(request, application, *, form=None, lines=None, upload=None, error=None, status=200):
    now = timezone.now()
    call = application.call
    editable = application.is_editable and call.is_open_at(now)
    if editable:
        form = form or ApplicationForm(instance=application)
        lines = lines or BudgetLines(instance=application, prefix=LINES_PREFIX)
    attachments = list(application.attachments.all())
    requirements = []
    for requirement in call.required_attachments.all():
        requirements.append(
            {
                "requirement": requirement,
                "attachment": next(
                    (a for a in attachments if a.requirement_id == requirement.pk), None
                ),
                "accept": accept(requirement.allowed),
                "upload": _upload_for(upload, requirement.pk),
            }
        )
    required_ids = {item["requirement"].pk for item in requirements}
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
        "other_attachments": [a for a in attachments if a.requirement_id not in required_ids],
        "other_upload": _upload_for(upload, None) if upload is not None else None,
        "any_document": accept(ANY_DOCUMENT),
        "missing": services.missing_for_submission(application) if editable else [],
        "error": error,
        "days_left": days_until(call.closes_at, now),
        "is_open": call.is_open_at(now),
        "decided": decided,
        "ineligible_shown": _ineligible_shown(application),
        "reports": application.reports.order_by("due_on") if decided else [],
    }
    return render(request, "grants/apply/application.html", context, status=status)


def _upload_for(upload, requirement_id):
    """The refused upload form, beside the document it was meant for."""
    if upload is None:
        return None
    chosen = upload.data.get("requirement") or None
    return upload if chosen == (str(requirement_id) if requirement_id else None) else None


# Documents


@login_required
@require_POST
def attachments(request, pk):
    application = get_object_or_404(_applications(request.user), pk=pk)
    try:
        services.refuse_unless_editable(application, request.user)
    except Refused as refusal:
        return refuse(request, refusal.message)
    upload = UploadForm(request.POST, request.FILES, application=application)
    if not upload.is_valid():
        return _page(
            request,
            application,
            upload=upload,
            error=_("The document was not attached: see below why."),
            status=400,
        )
    requirement = upload.cleaned_data["requirement"]
    file = upload.cleaned_data["file"]
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            services.refuse_unless_editable(locked, request.user)
            # A required document has one file: a new one replaces it. Others add up.
            replaced = []
            if requirement is not None:
                replaced = list(application.attachments.filter(requirement=requirement))
            ApplicationAttachment.objects.create(
                application=application,
                requirement=requirement,
                file=file,
                name=file.name,
                size=file.size,
                uploaded_by=request.user,
            )
            for old in replaced:
                _delete_file_after_commit(old.file)
                old.delete()
    except Refused as refusal:
        return refuse(request, refusal.message)
    messages.success(request, _("“%(name)s” is attached.") % {"name": file.name})
    return redirect(reverse("apply:application", args=[application.pk]) + "#documents")


@login_required
@require_POST
def remove_attachment(request, pk, attachment):
    application = get_object_or_404(_applications(request.user), pk=pk)
    document = get_object_or_404(application.attachments, pk=attachment)
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            services.refuse_unless_editable(locked, request.user)
            _delete_file_after_commit(document.file)
            document.delete()
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
    return _serve(document.file, document.name)


@login_required
def report_attachment(request, pk):
    """A report's document, for the grantee's organisation and project staff."""
    document = get_object_or_404(
        ReportAttachment.objects.select_related("report__application"), pk=pk
    )
    application = document.report.application
    if not (is_project_staff(request.user) or is_applicant(request.user, application)):
        raise Http404
    return _serve(document.file, document.name)


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
