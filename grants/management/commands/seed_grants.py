"""Load the grant competition's demonstration data, on top of seed_demo's (which calls
this command by name, as assessments may not import grants). Running it again changes
nothing."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessments import demo
from municipalities.models import Organization

from ...demo import seed_grants
from ...models import ApplicationStatus, Decision


def demo_username(role: str) -> str:
    return next(username for username, _first, _last, r, _slug in demo.USERS if r == role)


class Command(BaseCommand):
    help = "Load the grant competition's demonstration data: a decided 2021 call and an open call."

    def handle(self, *args, **options):
        User = get_user_model()
        try:
            staff = User.objects.get(username=demo_username("project_staff"))
            reviewer = User.objects.get(username=demo_username("grant_reviewer"))
            organization = Organization.objects.get(slug=demo.ORGANIZATION["slug"])
        except (User.DoesNotExist, Organization.DoesNotExist) as missing:
            raise CommandError(
                "Run seed_demo first: the grant calls need its users and its CSO."
            ) from missing
        calls = seed_grants(staff=staff, reviewer=reviewer, monitor_organization=organization)
        decided = calls.decided.applications
        self.stdout.write(
            f"Grant call {calls.decided.slug}: {calls.decided.status}, "
            f"{decided.filter(status=ApplicationStatus.SUBMITTED).count()} applications, "
            f"{decided.filter(decision=Decision.AWARDED).count()} awards."
        )
        closes = timezone.localtime(calls.open.closes_at).strftime("%d.%m.%Y %H:%M")
        self.stdout.write(
            f"Grant call {calls.open.slug}: {calls.open.status}, "
            f"closes {closes} (Tbilisi time); {demo_username('cso_monitor')} may apply."
        )
