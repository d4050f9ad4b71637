"""Who wants e-mail in which language, and which e-mails went out: for every app's mail.

The tables keep the names they had when the assessments app owned these models.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationSettings(models.Model):
    """How a user wants to hear from the platform."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("email language"), max_length=5, choices=settings.LANGUAGES, default="ka"
    )

    class Meta:
        db_table = "assessments_notificationsettings"
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return str(self.user)


def language_of(user) -> str:
    """The language a person reads their e-mail in."""
    try:
        return user.notification_settings.language
    except NotificationSettings.DoesNotExist:
        return settings.LANGUAGE_CODE


class SentNotification(models.Model):
    """An email already sent, so that a retried task does not send it twice."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        db_table = "assessments_sentnotification"
        verbose_name = _("sent notification")
        verbose_name_plural = _("sent notifications")

    def __str__(self):
        return self.key
