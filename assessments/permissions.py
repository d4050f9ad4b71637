"""Who a user is with respect to one assessment, and so what they may do to it.

Every permission check reads the tables in assessments.workflow through here.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from municipalities.models import Organization

from .workflow import (
    CSO_MONITOR,
    MUNICIPAL_STAFF,
    PERMISSIONS,
    PROJECT_STAFF,
    Kind,
    allows,
)

PROJECT_STAFF_GROUP = "Project staff"
MUNICIPAL_STAFF_GROUP = "Municipal staff"
CSO_MONITOR_GROUP = "CSO monitors"
GRANT_REVIEWER_GROUP = "Grant reviewers"

# Code finds the role groups by their stable English names; people read them translated.
ROLE_GROUP_LABELS = {
    PROJECT_STAFF_GROUP: _("Project staff"),
    MUNICIPAL_STAFF_GROUP: _("Municipal staff"),
    CSO_MONITOR_GROUP: _("CSO monitors"),
    GRANT_REVIEWER_GROUP: _("Grant reviewers"),
}


def group_label(group) -> str:
    """A group's name as people read it: a role group's in the page's language."""
    return str(ROLE_GROUP_LABELS.get(group.name, group.name))


def is_project_staff(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if not hasattr(user, "_is_project_staff"):
        user._is_project_staff = (
            user.is_superuser or user.groups.filter(name=PROJECT_STAFF_GROUP).exists()
        )
    return user._is_project_staff


def organization_ids(user) -> list[int]:
    if not hasattr(user, "_organization_ids"):
        user._organization_ids = list(
            user.organization_memberships.values_list("organization_id", flat=True)
        )
    return user._organization_ids


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
        and assessment.organization_id in organization_ids(user)
    ):
        return CSO_MONITOR
    return None


def may(user, action: str, assessment) -> bool:
    """Whether the user may do this action (see workflow.PERMISSIONS) to the assessment."""
    return allows(
        action, status=assessment.status, kind=assessment.kind, role=role_for(user, assessment)
    )


def visible_assessments(user, assessments):
    """The assessments of the queryset that the user may see, by the same table."""
    if not (user.is_authenticated and user.is_active):
        return assessments.none()
    if is_project_staff(user):
        return assessments
    visible = Q(pk__in=[])
    membership = getattr(user, "municipality_membership", None)
    organizations = organization_ids(user)
    for permission in PERMISSIONS:
        if permission.action != "view":
            continue
        in_states = Q(kind__in=permission.kinds, status__in=permission.states)
        if membership and MUNICIPAL_STAFF in permission.roles:
            visible |= in_states & Q(municipality_id=membership.municipality_id)
        if organizations and CSO_MONITOR in permission.roles:
            visible |= in_states & Q(kind=Kind.EXTERNAL, organization_id__in=organizations)
    return assessments.filter(visible)


# "axes": sign-in attempts and lockouts, which project staff lift in the admin.
PROJECT_STAFF_APPS = ["musqat", "municipalities", "indicators", "assessments", "grants", "axes"]


def ensure_groups(**kwargs):
    """Create the role groups after every migrate; project staff run the whole platform.

    Permissions exist only after migrate, so this runs on post_migrate rather
    than in a data migration. It is idempotent.
    """
    for name in (CSO_MONITOR_GROUP, GRANT_REVIEWER_GROUP):
        Group.objects.get_or_create(name=name)
    # Municipal staff open their assessments in the admin; what they may do to each
    # one is decided by the workflow table, not by model permissions.
    municipal_staff, _created = Group.objects.get_or_create(name=MUNICIPAL_STAFF_GROUP)
    municipal_staff.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="assessments", codename="view_assessment"
        )
    )
    project_staff, _created = Group.objects.get_or_create(name=PROJECT_STAFF_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=PROJECT_STAFF_APPS)
    users = Permission.objects.filter(
        content_type__app_label="auth", codename__in=["view_user", "add_user", "change_user"]
    )
    project_staff.permissions.add(*permissions, *users)


def give_municipal_staff_access(sender, instance, **kwargs):
    """A member of a municipality's staff works in the admin, in the municipal staff group."""
    user = instance.user
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    group = Group.objects.filter(name=MUNICIPAL_STAFF_GROUP).first()
    if group:
        user.groups.add(group)


# Action plans. A plan belongs to its municipality's staff (project staff may edit any);
# monitors of an organisation that works in the municipality judge its reports.


def municipality_id_of(user) -> int | None:
    if not (user.is_authenticated and user.is_active):
        return None
    membership = getattr(user, "municipality_membership", None)
    return membership.municipality_id if membership else None


def may_edit_plans_of(user, municipality_id: int) -> bool:
    """Project staff, and the municipality's own staff."""
    return is_project_staff(user) or municipality_id_of(user) == municipality_id


def monitoring_organizations(user, municipality_id: int) -> list[int]:
    """The user's organisations that work in the municipality: those that may judge its
    plan's reports in the user's name."""
    if not (user.is_authenticated and user.is_active):
        return []
    return list(
        Organization.objects.filter(
            pk__in=organization_ids(user), municipalities=municipality_id
        ).values_list("pk", flat=True)
    )


def may_read_plan(user, plan) -> bool:
    """Citizens read adopted and closed plans; a draft only its authors and project staff."""
    return plan.is_public or may_edit_plans_of(user, plan.municipality_id)
