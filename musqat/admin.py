"""Users, with their notification settings."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import NotificationSettings


class NotificationSettingsInline(admin.StackedInline):
    model = NotificationSettings
    can_delete = False
    extra = 0
    max_num = 1


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class MusqatUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, NotificationSettingsInline]
