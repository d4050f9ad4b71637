# The notification models move here from the assessments app: only Django's picture of
# them changes; their tables, with their names and rows, stay where they are.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("assessments", "0005_exports"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="NotificationSettings",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("language", models.CharField(choices=[("ka", "Georgian"), ("en", "English")], default="ka", max_length=5, verbose_name="email language")),
                        ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="notification_settings", to=settings.AUTH_USER_MODEL, verbose_name="user")),
                    ],
                    options={
                        "verbose_name": "notification settings",
                        "verbose_name_plural": "notification settings",
                        "db_table": "assessments_notificationsettings",
                    },
                ),
                migrations.CreateModel(
                    name="SentNotification",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=200, unique=True, verbose_name="key")),
                        ("sent_at", models.DateTimeField(auto_now_add=True, verbose_name="sent")),
                    ],
                    options={
                        "verbose_name": "sent notification",
                        "verbose_name_plural": "sent notifications",
                        "db_table": "assessments_sentnotification",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
