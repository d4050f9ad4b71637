"""The role groups under their translated names, in the group list and on a user's form.

The database keeps the stable English names that code looks the groups up by
(permissions.ROLE_GROUP_LABELS); only what people read is translated, and a role group
cannot be renamed here.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from municipalities.admin_filters import alphabetical
from musqat.admin import MusqatUserAdmin, PermissionLabels

from ..permissions import ROLE_GROUP_LABELS, group_label


class GroupNameFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        groups = Group.objects.order_by("name")
        return alphabetical((group.pk, group_label(group)) for group in groups)


admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(PermissionLabels, GroupAdmin):
    list_display = ["shown_name"]

    @admin.display(description=_("name"), ordering="name")
    def shown_name(self, group):
        return group_label(group)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.name in ROLE_GROUP_LABELS:
            fields.append("name")
        return fields


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(MusqatUserAdmin):
    list_filter = [
        name if name != "groups" else ("groups", GroupNameFilter)
        for name in MusqatUserAdmin.list_filter
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups" and field is not None:
            field.label_from_instance = group_label
        return field
