"""Users, with their notification settings; sign-in lockouts, which project staff lift."""

from axes.admin import AccessAttemptAdmin
from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget, UserChangeForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import NotificationSettings


class NotificationSettingsInline(admin.StackedInline):
    model = NotificationSettings
    can_delete = False
    extra = 0
    max_num = 1


User = get_user_model()
admin.site.unregister(User)


class PasswordSummary(ReadOnlyPasswordHashWidget):
    """The password's summary without `disabled` on its <div>: the field is read-only by
    being disabled, but `disabled` is not an attribute a <div> may carry."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("disabled", None)
        return context


class UserForm(UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password" in self.fields:
            self.fields["password"].widget = PasswordSummary()


@admin.register(User)
class MusqatUserAdmin(UserAdmin):
    form = UserForm
    inlines = [*UserAdmin.inlines, NotificationSettingsInline]


admin.site.unregister(AccessAttempt)
# Written only with AXES_ENABLE_ACCESS_FAILURE_LOG, which is off: an always empty list.
admin.site.unregister(AccessFailureLog)


@admin.register(AccessAttempt)
class SignInAttemptAdmin(AccessAttemptAdmin):
    """Wrong passwords per username and address; a locked row is lifted with "Unlock"."""

    list_display = [
        "attempt_time",
        "username",
        "ip_address",
        "path_info",
        "failures_since_start",
        "is_locked_out",
    ]
    fieldsets = (
        (None, {"fields": ("username", "ip_address", "path_info", "failures_since_start")}),
        (_("Form Data"), {"fields": ("get_data", "post_data")}),
        (_("Meta Data"), {"fields": ("attempt_time", "user_agent", "http_accept")}),
    )
    actions = ["unlock"]

    @admin.display(description=_("Locked Out"), boolean=True)
    def is_locked_out(self, attempt):
        # A pause ends by itself once the cool-off has passed since the last try.
        return (
            attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT
            and attempt.attempt_time > timezone.now() - get_cool_off()
        )

    @admin.action(description=_("Unlock: allow signing in again"), permissions=["delete"])
    def unlock(self, request, queryset):
        count = len(queryset)
        self.log_deletions(request, queryset)
        queryset.delete()
        self.message_user(
            request,
            ngettext(
                "%(count)s lockout lifted: that username may sign in again from that address.",
                "%(count)s lockouts lifted: those usernames may sign in again from those "
                "addresses.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
