"""Grantee reports: when each is due, and the staff's review of a submitted one (accepted,
or returned with comments). What the grantee wrote is shown, never typed over."""

from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from musqat.numbers import lari
from musqat.storage import serve_private

from .. import services
from ..models import Report, ReportStatus
from .common import STYLE, ProjectStaffOnly, StaffPages, is_record_id
from .forms import ReportReviewForm


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("overdue")), ("awaiting", _("still owed"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.awaiting().filter(due_on__lt=timezone.localdate())
        if self.value() == "awaiting":
            return queryset.awaiting()
        return queryset


def days_in_words(report: Report, today=None) -> str:
    """How long until a report the grantee still owes is due, or how late it is."""
    if not report.is_editable:
        return "–"
    days = report.days_left(today)
    if days > 0:
        return ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
    if days == 0:
        return str(_("due today"))
    return ngettext("%(days)d day overdue", "%(days)d days overdue", -days) % {"days": -days}


@admin.register(Report)
class ReportAdmin(ProjectStaffOnly, StaffPages, admin.ModelAdmin):
    # Narrow enough for a 1280 px screen beside the menu and the filters: the status
    # first, the due date with the days left under it, a long organisation name cut.
    list_display = [
        "status", "reference", "organisation_short", "kind", "due", "submitted_at",
    ]  # fmt: skip
    list_display_links = ["reference"]
    list_select_related = ["application__organization", "application__call"]
    list_filter = [OverdueFilter, "status", "kind", "application__call"]
    search_fields = [
        "application__reference", "application__title", "application__organization__name_ka",
        "application__organization__name_en",
    ]  # fmt: skip
    ordering = ["due_on", "pk"]
    fields = [
        "grant", "organisation", "kind", "due_on", "days", "status", "submitted_at",
        "narrative", "spent_display", "financial", "outcome", "indicators", "files",
        "staff_comment", "reviewed_at",
    ]  # fmt: skip
    readonly_fields = fields
    change_form_template = "admin/grants/report/change_form.html"

    class Media:
        css = STYLE

    def has_add_permission(self, request):
        # Reports are made with the award, with their due dates fixed.
        return False

    def has_change_permission(self, request, obj=None):
        # Read here; the review step is the only change, on its own page.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("grant"), ordering="application__reference")
    def reference(self, report):
        return format_html('<span class="nowrap">{}</span>', report.application.reference)

    @admin.display(description=_("grant"))
    def grant(self, report):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:grants_application_change", args=[report.application_id]),
            report.application.reference,
        )

    @admin.display(description=_("organisation"))
    def organisation(self, report):
        return report.application.organization

    @admin.display(description=_("organisation"), ordering="application__organization")
    def organisation_short(self, report):
        name = str(report.application.organization)
        short = Truncator(name).chars(32)
        return name if short == name else format_html('<span title="{}">{}</span>', name, short)

    @admin.display(description=_("due in"))
    def days(self, report):
        return days_in_words(report)

    @admin.display(description=_("due date"), ordering="due_on")
    def due(self, report):
        day = formats.date_format(report.due_on, "SHORT_DATE_FORMAT")
        if not report.is_editable:
            return day
        return format_html("{}<br>{}", day, days_in_words(report))

    @admin.display(description=_("spent (GEL)"))
    def spent_display(self, report):
        return lari(report.spent)

    @admin.display(description=_("indicators the outcome concerns"))
    def indicators(self, report):
        return ", ".join(str(indicator) for indicator in report.outcome_indicators.all()) or "–"

    @admin.display(description=_("attachments"))
    def files(self, report):
        attachments = report.attachments.all()
        if not attachments:
            return "–"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (
                    reverse("admin:grants_report_attachment", args=[report.pk, attachment.pk]),
                    attachment.name,
                )
                for attachment in attachments
            ),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = dict(extra_context or {})
        report = self.get_object(request, object_id) if is_record_id(object_id) else None
        if report is not None and report.status == ReportStatus.SUBMITTED:
            context["review_url"] = reverse("admin:grants_report_review", args=[report.pk])
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/review/", view(self.review_view), name="grants_report_review"),
            path(
                "<path:object_id>/attachments/<path:attachment_id>/",
                view(self.attachment_view),
                name="grants_report_attachment",
            ),
            *super().get_urls(),
        ]

    def _record(self, request, object_id):
        return self.staff_record(
            request, object_id, Report.objects.select_related("application__organization")
        )

    def review_view(self, request, object_id):
        """Accept the report, or return it with comments; the grantee hears either way."""
        report = self._record(request, object_id)
        form = ReportReviewForm(request.POST or None)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                accept = form.cleaned_data["verdict"] == "accept"
                try:
                    services.review_report(
                        report=report,
                        accept=accept,
                        comment=form.cleaned_data["comment"],
                        by=request.user,
                    )
                except services.Refused as refusal:
                    messages.error(request, refusal.message)
                else:
                    messages.success(
                        request,
                        _("The report is accepted; the grantee is told by e-mail.")
                        if accept
                        else _("The report is returned with your comments; the grantee is told "
                               "by e-mail."),
                    )  # fmt: skip
                    return redirect("admin:grants_report_change", report.pk)
        return self.staff_page(
            request,
            report,
            "admin/grants/report/review.html",
            status=status,
            title=_("Review the report: %(report)s") % {"report": report},
            form=form,
        )

    def attachment_view(self, request, object_id, attachment_id):
        """A report's attachment, a private file, for staff."""
        report = self._record(request, object_id)
        if not is_record_id(attachment_id):
            raise Http404
        attachment = get_object_or_404(report.attachments, pk=attachment_id)
        return serve_private(attachment.file, attachment.name)
