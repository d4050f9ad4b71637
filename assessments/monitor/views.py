"""The CSO monitor workspace at /monitor/: the assessments assigned to a CSO, filled in
area by area, saved as drafts and submitted."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from indicators.models import ThematicArea
from musqat.refusals import forbidden

from .. import services
from ..answers.forms import StateChanged, area_answers, save_area_answers
from ..answers.messages import error_summary, missing_by_area, saved_message
from ..answers.progress import progress_of
from ..models import Assessment, Cycle, ReviewComment
from ..permissions import may, organization_ids, role_for, visible_assessments
from ..work import monitor_work
from ..workflow import Kind, Status, TransitionNotAllowed, find_transition, transitions_for
from .plans import awaiting_verdict

PAGE_SIZE = 25


def monitored(user):
    """The external assessments of the user's organisations."""
    return visible_assessments(
        user,
        Assessment.objects.filter(kind=Kind.EXTERNAL, organization_id__in=organization_ids(user)),
    ).select_related("municipality", "cycle", "organization")


def _assessment(request, pk):
    """An assessment of the user's organisations; anyone else's is not found."""
    return get_object_or_404(monitored(request.user), pk=pk)


def refuse(request, message: str):
    """The workspace's 403 page, saying why in the user's language."""
    return forbidden(request, message)


@login_required
def dashboard(request):
    name = "municipality__name_en" if get_language() == "en" else "municipality__name_ka"
    assessments = monitored(request.user).order_by("-cycle__year", name)
    cycles = Cycle.objects.filter(assessments__in=assessments).distinct().order_by("-year")
    cycle = request.GET.get("cycle", "")
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if cycle.isascii() and cycle.isdigit():
        assessments = assessments.filter(cycle__year=int(cycle))
    status = request.GET.get("status", "")
    if status in Status.values:
        assessments = assessments.filter(status=status)
    query = request.GET.get("q", "").strip()
    if query:
        assessments = assessments.filter(
            Q(municipality__name_ka__icontains=query)
            | Q(municipality__name_en__icontains=query)
            | Q(municipality__slug__icontains=query)
        )
    page = Paginator(assessments, PAGE_SIZE).get_page(request.GET.get("page"))
    progress = progress_of(page.object_list)
    open_comments = set(
        ReviewComment.objects.open()
        .filter(assessment__in=page.object_list)
        .values_list("assessment_id", flat=True)
        .distinct()
    )
    rows = [
        {"assessment": a, "progress": progress[a.pk], "has_comments": a.pk in open_comments}
        for a in page.object_list
    ]
    return render(
        request,
        "assessments/monitor/dashboard.html",
        {
            "rows": rows,
            "page": page,
            "cycles": cycles,
            "statuses": Status.choices,
            "selected": {"cycle": cycle, "status": status, "q": query},
            "is_member": bool(organization_ids(request.user)),
            "work": monitor_work(request.user, awaiting_verdict(request.user)),
        },
    )


@login_required
def assessment(request, pk):
    assessment = _assessment(request, pk)
    progress = progress_of([assessment])[assessment.pk]
    result = assessment.score()
    role = role_for(request.user, assessment)
    return render(
        request,
        "assessments/monitor/assessment.html",
        {
            "assessment": assessment,
            "progress": progress,
            "result": result,
            "can_edit": may(request.user, "edit_answers", assessment),
            "transitions": transitions_for(
                status=assessment.status, kind=assessment.kind, role=role
            ),
            "comments": assessment.comments.for_reading(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def area(request, pk, code):
    assessment = _assessment(request, pk)
    area = get_object_or_404(ThematicArea, version_id=assessment.cycle.methodology_id, code=code)
    following = area.following()
    can_edit = may(request.user, "edit_answers", assessment)
    if request.method == "POST":
        if not can_edit:
            return refuse(
                request,
                _(
                    "This assessment is %(status)s, so its answers can no longer be changed. "
                    "Nothing was saved."
                )
                % {"status": assessment.get_status_display().lower()},
            )
        try:
            answers, saved = save_area_answers(
                assessment=assessment,
                area=area,
                data=request.POST,
                files=request.FILES,
                by=request.user,
            )
        except StateChanged:
            return refuse(request, _("The assessment changed state meanwhile. Nothing was saved."))
        if saved is not None:
            messages.success(request, saved_message(saved, area))
            if "next" in request.POST and following:
                return redirect("monitor:area", pk=assessment.pk, code=following.code)
            return redirect("monitor:area", pk=assessment.pk, code=area.code)
        # The page's error summary says what was refused (and what was saved beside it).
        status = 400
    else:
        answers = area_answers(assessment, area)
        status = 200
    progress = progress_of([assessment])[assessment.pk]
    return render(
        request,
        "assessments/monitor/area.html",
        {
            "assessment": assessment,
            "area": area,
            "areas": progress.areas,
            "following": following,
            "answers": answers,
            "summary": error_summary(answers, area),
            "can_edit": can_edit,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def transition(request, pk):
    """Confirm, then make a workflow transition. Only what the table allows happens."""
    assessment = _assessment(request, pk)
    action = request.POST.get("action") or request.GET.get("action", "")
    role = role_for(request.user, assessment)
    try:
        chosen = find_transition(
            action=action, status=assessment.status, kind=assessment.kind, role=role
        )
    except TransitionNotAllowed as refused:
        return refuse(request, refused.reason)
    missing = assessment.score().missing if action == "submit" else []
    if request.method == "POST" and not missing:
        try:
            if action == "submit":
                services.submit_assessment(assessment=assessment, by=request.user)
            else:
                services.move_assessment(assessment=assessment, action=action, by=request.user)
        except TransitionNotAllowed as refused:
            return refuse(request, refused.reason)
        except (ValidationError, ValueError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request,
                _("Done: %(action)s. The assessment is now %(status)s.")
                % {
                    "action": chosen.label,
                    "status": Status(chosen.target).label.lower(),
                },
            )
            return redirect("monitor:assessment", pk=assessment.pk)
    return render(
        request,
        "assessments/monitor/transition.html",
        {
            "assessment": assessment,
            "transition": chosen,
            "missing": missing_by_area(assessment, missing),
        },
        status=400 if request.method == "POST" else 200,
    )
