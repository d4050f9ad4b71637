from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _

# What the public pages show: a change to any of these clears their cache.
PUBLIC_MODELS = [
    "assessments.Assessment",
    "assessments.Cycle",
    "assessments.ScoreSnapshot",
    "indicators.MethodologyVersion",
    "indicators.ThematicArea",
    "indicators.Criterion",
    "indicators.Indicator",
    "indicators.GradeBand",
    "municipalities.Region",
    "municipalities.Municipality",
    "municipalities.Organization",
    "assessments.ActionPlan",
    "assessments.Action",
    "assessments.ActionUpdate",
    "assessments.Verdict",
    "assessments.VerdictAnswer",
    "assessments.PlanEvidence",
]


def clear_public_pages_on_commit(**_kwargs):
    from musqat.cache import clear_public_pages

    transaction.on_commit(clear_public_pages)


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        from indicators.models import version_locks

        # Each Celery task lives beside its work; importing the modules registers them.
        from . import notifications, services  # noqa: F401
        from .models import methodology_lock
        from .opendata import exports  # noqa: F401
        from .pdf import jobs  # noqa: F401
        from .permissions import ensure_groups, give_municipal_staff_access
        from .plans import health  # noqa: F401

        # What the site search finds among this app's pages (musqat/search.py).
        from .portal import search  # noqa: F401

        version_locks.append(methodology_lock)

        post_migrate.connect(ensure_groups, sender=self)
        post_save.connect(
            give_municipal_staff_access,
            sender=self.apps.get_model("municipalities.MunicipalityMembership"),
        )
        for label in PUBLIC_MODELS:
            model = self.apps.get_model(label)
            post_save.connect(clear_public_pages_on_commit, sender=model)
            post_delete.connect(clear_public_pages_on_commit, sender=model)
