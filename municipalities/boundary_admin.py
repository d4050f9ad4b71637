"""The municipality admin's "Import boundaries" page: upload → preview → confirm.

The file is checked by its content (``boundaries.read_features``) as well as its name and
size; nothing is written until the preview is confirmed, and the confirmation names the
file kept for this session and page only (``musqat.imports.keep_pending``).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from musqat.imports import forget_pending, keep_pending, take_pending
from musqat.uploads import check_name_and_size, extension_of

from .boundaries import NAME_PROPERTIES, BoundaryError
from .boundary_import import apply_plan, plan_import

EXTENSIONS = ("geojson", "json")
NAME_LIMIT = 200


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("GeoJSON file"))
    property = forms.CharField(
        label=gettext_lazy("Property that names the municipality"),
        required=False,
        max_length=60,
        help_text=gettext_lazy(
            "Leave empty to try, in this order: %(names)s. A feature is matched by the "
            "municipality's slug or its English or Georgian name; case and spaces do not count."
        )
        % {"names": ", ".join(NAME_PROPERTIES)},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A GeoJSON FeatureCollection of Polygon and MultiPolygon features in WGS 84 "
            "longitude and latitude, such as geoBoundaries' ADM2 file, up to %(limit)s."
        ) % {"limit": filesizeformat(settings.IMPORT_MAX_BYTES)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_name_and_size(
            upload,
            name_limit=NAME_LIMIT,
            max_bytes=settings.IMPORT_MAX_BYTES,
            too_big=_("“%(name)s” is %(size)s; a boundary file may be %(limit)s at most."),
        )
        if extension_of(upload.name) not in EXTENSIONS:
            raise ValidationError(
                _("“%(name)s” is not a GeoJSON file: choose a .geojson or .json file.")
                % {"name": upload.name}
            )
        self.data_bytes = upload.read()
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.plan = plan_import(self.data_bytes, property=cleaned.get("property"))
        except BoundaryError as error:
            raise ValidationError(str(error)) from None
        return cleaned


class BoundaryConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    property = forms.CharField(widget=forms.HiddenInput, required=False, max_length=60)


class BoundaryImportAdmin:
    """Adds the page to a municipality admin, for whoever may change municipalities."""

    boundary_template = "admin/municipalities/import_boundaries.html"

    def can_import_boundaries(self, request) -> bool:
        return self.has_change_permission(request)

    def get_urls(self):
        return [
            path(
                "import-boundaries/",
                self.admin_site.admin_view(self.import_boundaries_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_import_boundaries",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "can_import_boundaries": self.can_import_boundaries(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def import_boundaries_view(self, request):
        if not self.can_import_boundaries(request):
            raise PermissionDenied
        opts = self.opts
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        page = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": _("Import boundaries"),
            "breadcrumbs": [
                (
                    reverse("admin:app_list", kwargs={"app_label": opts.app_label}),
                    opts.app_config.verbose_name,
                ),
                (changelist, opts.verbose_name_plural),
            ],
            "cancel_url": changelist,
            "upload_form": BoundaryUploadForm(),
            "plan": None,
        }
        if request.method == "POST" and "token" in request.POST:
            return self._confirm(request, page, changelist)
        if request.method == "POST":
            form = BoundaryUploadForm(request.POST, request.FILES)
            page["upload_form"] = form
            if not form.is_valid():
                return TemplateResponse(request, self.boundary_template, page, status=400)
            file_name = form.cleaned_data["file"].name
            page.update(plan=form.plan, file_name=file_name)
            if form.plan.may_apply:
                token = keep_pending(request, form.data_bytes, file_name)
                property = form.cleaned_data.get("property", "")
                page["confirm_form"] = BoundaryConfirmForm(
                    initial={"token": token, "property": property}
                )
        return TemplateResponse(request, self.boundary_template, page)

    def _confirm(self, request, page, changelist):
        confirm = BoundaryConfirmForm(request.POST)
        token = request.POST.get("token", "")
        kept = take_pending(request, token) if confirm.is_valid() else None
        if kept is None:
            messages.error(request, _("The previewed file has expired. Upload it again."))
            return TemplateResponse(request, self.boundary_template, page, status=400)
        data, file_name = kept
        try:
            plan = plan_import(data, property=confirm.cleaned_data["property"])
        except BoundaryError as error:
            messages.error(request, str(error))
            return TemplateResponse(request, self.boundary_template, page, status=400)
        if not plan.may_apply:
            # The municipalities changed since the preview: show what stands in the way now.
            page.update(plan=plan, file_name=file_name)
            return TemplateResponse(request, self.boundary_template, page, status=400)
        report = apply_plan(plan, by=request.user, file_name=file_name)
        forget_pending(request, token)
        messages.success(
            request,
            _("Imported the boundaries of %(file)s: %(added)s added, %(replaced)s replaced.")
            % {"file": file_name, "added": report.created, "replaced": report.updated},
        )
        return redirect(changelist)
