# NotificationSettings and SentNotification now belong to musqat (musqat 0001 takes them
# over); their tables stay as they are.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0005_exports"),
        ("musqat", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="NotificationSettings"),
                migrations.DeleteModel(name="SentNotification"),
            ],
            database_operations=[],
        ),
    ]
