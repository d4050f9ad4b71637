from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import path, re_path, reverse
from django.utils.translation import gettext as _
from modeltranslation.admin import TranslationAdmin

from musqat import imports
from musqat.spreadsheets import Sheet, download, write_csv, write_xlsx

from . import resources
from .admin_filters import MunicipalityFilter
from .boundary_admin import BoundaryImportAdmin
from .models import (
    Municipality,
    MunicipalityMembership,
    Organization,
    OrganizationMembership,
    Region,
)


class SpreadsheetImportAdmin:
    """An "Import" page for the changelist, through the project's one import flow, with
    the current data to download in the same columns: download, edit, import."""

    change_list_template = "admin/municipalities/change_list_import.html"
    # Set by each admin, as staticmethods: the importer and the current data's table.
    importer = None
    table = None
    file_stem = ""

    def can_import(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{prefix}_import",
            ),
            re_path(
                r"^import/current\.(?P<kind>xlsx|csv)$",
                self.admin_site.admin_view(self.download_view),
                name=f"{prefix}_download",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"can_import": self.can_import(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra_context)

    def import_title(self) -> str:
        raise NotImplementedError

    def import_intro(self) -> str:
        raise NotImplementedError

    def import_view(self, request):
        if not self.can_import(request):
            raise PermissionDenied
        opts = self.opts
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        changelist = reverse(f"{prefix}_changelist")
        download = f"{prefix}_download"
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "breadcrumbs": [
                (
                    reverse("admin:app_list", kwargs={"app_label": opts.app_label}),
                    opts.app_config.verbose_name,
                ),
                (changelist, opts.verbose_name_plural),
            ],
            "intro": self.import_intro(),
            "template_links": [
                (reverse(download, args=["xlsx"]), _("Download the current list (XLSX)")),
                (reverse(download, args=["csv"]), _("Download the current list (CSV)")),
            ],
            "cancel_url": changelist,
        }
        return imports.import_view(
            request,
            importer=self.importer,
            title=self.import_title(),
            what=str(opts.verbose_name_plural),
            target=self.model,
            done_url=changelist,
            context=context,
        )

    def download_view(self, request, kind):
        if not self.can_import(request):
            raise PermissionDenied
        columns, rows = self.table()
        if kind == "xlsx":
            content = write_xlsx([Sheet(str(self.opts.verbose_name_plural), columns, rows)])
        else:
            content = write_csv(columns, rows)
        return download(content, f"{self.file_stem}.{kind}")


@admin.register(Region)
class RegionAdmin(TranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name_ka", "name_en", "slug"]


@admin.register(Municipality)
class MunicipalityAdmin(BoundaryImportAdmin, SpreadsheetImportAdmin, TranslationAdmin):
    list_display = ["name", "official_name", "centre", "population", "area_km2", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name_ka", "name_en", "official_name_ka", "official_name_en", "slug"]
    ordering = ["slug"]
    importer = staticmethod(resources.municipalities_importer)
    table = staticmethod(resources.municipality_table)
    file_stem = "municipalities"

    def import_title(self):
        return _("Import municipalities")

    def import_intro(self):
        return _(
            "One row per municipality, found by its slug: a new slug adds a municipality, "
            "a known one updates it. Columns: %(columns)s. The region is given by its slug; "
            "the boundary is not imported. Columns left out of the file are not changed."
        ) % {"columns": ", ".join(resources.MUNICIPALITY_COLUMNS)}


class OrganizationMembershipInline(admin.TabularInline):
    model = OrganizationMembership
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(SpreadsheetImportAdmin, TranslationAdmin):
    list_display = ["name", "slug", "email"]
    search_fields = ["name_ka", "name_en", "slug"]
    filter_horizontal = ["municipalities"]
    inlines = [OrganizationMembershipInline]
    importer = staticmethod(resources.organizations_importer)
    table = staticmethod(resources.organization_table)
    file_stem = "organisations"

    def import_title(self):
        return _("Import CSO organisations")

    def import_intro(self):
        return _(
            "One row per organisation, found by its slug: a new slug adds an organisation, "
            "a known one updates it. Columns: %(columns)s. The municipalities it works in "
            "are given by their slugs, separated by “|”. Columns left out of the file are "
            "not changed."
        ) % {"columns": ", ".join(resources.ORGANIZATION_COLUMNS)}


@admin.register(MunicipalityMembership)
class MunicipalityMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "position"]
    list_filter = [("municipality", MunicipalityFilter)]
    list_select_related = ["user", "municipality"]
    search_fields = ["user__username", "user__email", "municipality__name_ka"]
    autocomplete_fields = ["user", "municipality"]


@admin.register(OrganizationMembership)
class OrganizationMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization"]
    list_filter = ["organization"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "user__email", "organization__name_ka"]
    autocomplete_fields = ["user", "organization"]
