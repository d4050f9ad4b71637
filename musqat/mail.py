"""Notification e-mail: one message to one person, in their language, sent once.

Any app's task calls `send_once` for each recipient with a key naming the occasion;
a retried task skips the people it already reached.
"""

from collections.abc import Callable

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import SentNotification, language_of


def send_once(*, key: str, user, subject: Callable[[], str], template: str, context: dict) -> bool:
    """E-mail `user` the rendered `template`, in their language, unless `key` was sent to
    them before. `subject` is called in that language. True if a message went out."""
    try:
        with transaction.atomic():
            SentNotification.objects.create(key=f"{key}:{user.pk}")
            with translation.override(language_of(user)):
                send_mail(
                    subject(),
                    render_to_string(template, {**context, "user": user}),
                    None,
                    [user.email],
                )
    except IntegrityError:
        return False
    return True
