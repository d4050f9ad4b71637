"""Who a user is with respect to one assessment."""

from .workflow import CSO_MONITOR, MUNICIPAL_STAFF, PROJECT_STAFF, Kind

PROJECT_STAFF_GROUP = "Project staff"
MUNICIPAL_STAFF_GROUP = "Municipal staff"
CSO_MONITOR_GROUP = "CSO monitors"
GRANT_REVIEWER_GROUP = "Grant reviewers"


def is_project_staff(user) -> bool:
    return user.is_active and (
        user.is_superuser or user.groups.filter(name=PROJECT_STAFF_GROUP).exists()
    )


def role_for(user, assessment) -> str | None:
    """The role the user holds on this assessment, or None for no role at all."""
    if not user.is_authenticated or not user.is_active:
        return None
    if is_project_staff(user):
        return PROJECT_STAFF
    membership = getattr(user, "municipality_membership", None)
    if membership and membership.municipality_id == assessment.municipality_id:
        return MUNICIPAL_STAFF
    if (
        assessment.kind == Kind.EXTERNAL
        and assessment.organization_id
        and user.organization_memberships.filter(
            organization_id=assessment.organization_id
        ).exists()
    ):
        return CSO_MONITOR
    return None


PROJECT_STAFF_APPS = ["municipalities", "indicators", "assessments", "grants"]


def ensure_groups(**kwargs):
    """Create the role groups after every migrate; project staff run the whole platform.

    Permissions exist only after migrate, so this runs on post_migrate rather
    than in a data migration. It is idempotent.
    """
    from django.contrib.auth.models import Group, Permission

    for name in (MUNICIPAL_STAFF_GROUP, CSO_MONITOR_GROUP, GRANT_REVIEWER_GROUP):
        Group.objects.get_or_create(name=name)
    project_staff, _created = Group.objects.get_or_create(name=PROJECT_STAFF_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=PROJECT_STAFF_APPS)
    users = Permission.objects.filter(
        content_type__app_label="auth", codename__in=["view_user", "add_user", "change_user"]
    )
    project_staff.permissions.add(*permissions, *users)
