"""Users, with their notification settings; sign-in lockouts, which project staff lift."""

from axes.admin import AccessAttemptAdmin
from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessFailureLog
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget, UserChangeForm
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from .models import NotificationSettings

# The four permissions Django makes for every model, named in the reader's language: the
# database keeps Django's English names ("Can add assessment"), made when the tables were.
PERMISSION_VERBS = {
    "add": pgettext_lazy("permission", "add"),
    "change": pgettext_lazy("permission", "change"),
    "delete": pgettext_lazy("permission", "delete"),
    "view": pgettext_lazy("permission", "view"),
}


def permission_label(permission) -> str:
    """A permission as the user and group forms list it, "App | Model | add", translated
    (Django's own label is English whatever the language); another permission keeps its
    name."""
    verb, _sep, model_name = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if verb not in PERMISSION_VERBS or model is None or model._meta.model_name != model_name:
        return str(permission)
    app = apps.get_app_config(permission.content_type.app_label)
    return f"{app.verbose_name} | {capfirst(model._meta.verbose_name)} | {PERMISSION_VERBS[verb]}"


class PermissionLabels:
    """For the user and group admins: their permission boxes name each in the page's
    language."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions") and field is not None:
            field.label_from_instance = permission_label
        return field


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
class MusqatUserAdmin(PermissionLabels, UserAdmin):
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
