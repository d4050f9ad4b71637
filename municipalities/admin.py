from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import (
    Municipality,
    MunicipalityMembership,
    Organization,
    OrganizationMembership,
    Region,
)


@admin.register(Region)
class RegionAdmin(TranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name_ka", "name_en", "slug"]


@admin.register(Municipality)
class MunicipalityAdmin(TranslationAdmin):
    list_display = ["name", "official_name", "centre", "population", "area_km2", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name_ka", "name_en", "official_name_ka", "official_name_en", "slug"]
    ordering = ["slug"]


class OrganizationMembershipInline(admin.TabularInline):
    model = OrganizationMembership
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(TranslationAdmin):
    list_display = ["name", "slug", "email"]
    search_fields = ["name_ka", "name_en", "slug"]
    filter_horizontal = ["municipalities"]
    inlines = [OrganizationMembershipInline]


@admin.register(MunicipalityMembership)
class MunicipalityMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "position"]
    list_filter = ["municipality"]
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
