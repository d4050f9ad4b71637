"""What the grants admin's pages share: they are for project staff only, and a page of
one record finds it by a plain id or answers 404."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import formats, timezone

from assessments.permissions import is_project_staff
from assessments.scoring import rounded

# The grants admin's own style sheet: its lists and the ranking fit a 1280 px screen.
STYLE = {"all": ["css/grants_admin.css"]}


def is_record_id(text) -> bool:
    """Whether an address names a record by a plain id: ASCII digits that fit a 64-bit
    key. Anything else ("abc", "١", 5,000 nines) finds nothing, rather than a 500."""
    text = str(text)
    return text.isascii() and text.isdigit() and len(text) <= 18


def tbilisi(moment) -> str:
    """A moment in Tbilisi time (the site's time zone), as the admin writes dates."""
    if moment is None:
        return "–"
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def score_text(value, places: int = 2) -> str:
    """A review score (0–5) rounded half up for reading; no score is a dash, never 0."""
    if value is None:
        return "–"
    return formats.number_format(rounded(value, places), places, use_l10n=True)


class ProjectStaffOnly:
    """The grant competition is run by project staff; nobody else sees its models in the
    admin, whatever model permissions they were given (municipal staff open the admin for
    their assessments and must find no grants there)."""

    def has_module_permission(self, request):
        return is_project_staff(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_project_staff(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return is_project_staff(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_project_staff(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_project_staff(request.user) and super().has_delete_permission(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        # Django's history page looks for the record before it asks who is asking, so that
        # anyone would learn which ids exist; refuse first.
        if not is_project_staff(request.user):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)


class StaffPages:
    """The custom pages of a model admin (confirmations, rankings, files): each checks
    that project staff ask, finds its record or answers 404, and renders in the admin."""

    def staff_record(self, request, object_id, queryset=None):
        if not is_project_staff(request.user):
            raise PermissionDenied
        # An <int:> route would not do: the admin's own "<path:object_id>/" route would take
        # an address that is no number and redirect it; this finds nothing instead.
        if not is_record_id(object_id):
            raise Http404
        if queryset is None:
            queryset = self.model._default_manager.all()
        return get_object_or_404(queryset, pk=object_id)

    def staff_page(self, request, obj, template, *, title, status=200, **context):
        opts = self.model._meta
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": opts,
                "original": obj,
                "change_url": f"admin:{opts.app_label}_{opts.model_name}_change",
                "title": title,
                **context,
            },
            status=status,
        )
