"""The admin index's list of work: what the user's role has to do next."""

from django import template

from ..permissions import is_project_staff, municipality_id_of
from ..work import municipal_work, project_work

register = template.Library()


@register.inclusion_tag("admin/includes/work.html")
def admin_work(user):
    if is_project_staff(user):
        work, role = project_work(), "project"
    elif municipality_id_of(user) is not None:
        work, role = municipal_work(user), "municipal"
    else:
        work, role = None, None
    return {"work": work, "role": role, "user": user}
