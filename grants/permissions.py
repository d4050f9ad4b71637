"""Who may see and do what in the grant competition. Every view and service asks here."""

from assessments.permissions import GRANT_REVIEWER_GROUP, is_project_staff, organization_ids

from .models import (
    Application,
    ApplicationStatus,
    CallStage,
    ReviewAssignment,
    organisations_in_conflict,
)


def is_grant_reviewer(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if not hasattr(user, "_is_grant_reviewer"):
        user._is_grant_reviewer = user.groups.filter(name=GRANT_REVIEWER_GROUP).exists()
    return user._is_grant_reviewer


def is_applicant(user, application: Application) -> bool:
    """A member of the organisation that applied."""
    return (
        user.is_authenticated
        and user.is_active
        and application.organization_id in organization_ids(user)
    )


def reviews_open(application: Application) -> bool:
    """Reviewers score only submitted, eligible applications of a call under review."""
    return (
        application.status == ApplicationStatus.SUBMITTED
        and application.call.stage == CallStage.UNDER_REVIEW
    )


def assignments_of(user):
    """The reviews assigned to a reviewer; nobody else has any."""
    if not is_grant_reviewer(user):
        return ReviewAssignment.objects.none()
    return ReviewAssignment.objects.filter(
        reviewer=user, application__status=ApplicationStatus.SUBMITTED
    ).select_related("application__call", "application__organization", "application__municipality")


def may_read_application(user, application: Application) -> bool:
    """Staff; the applicant's organisation; a reviewer assigned to it who declared no
    conflict. Nobody else, whatever the address they try."""
    if is_project_staff(user):
        return True
    if is_applicant(user, application):
        return True
    return (
        is_grant_reviewer(user)
        and application.status == ApplicationStatus.SUBMITTED
        and application.reviews.filter(reviewer=user, has_conflict=False).exists()
        and not organisations_in_conflict(user, application)
    )
