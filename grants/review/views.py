"""The grant reviewers' workspace at /review/: the applications assigned to a reviewer, a
conflict of interest declared before each one is opened, then the scores.

What a reviewer may see is decided in grants/permissions.py and every change goes through
grants/services.py, which checks it again whatever the page showed. Other reviewers'
scores stay out of every page until the reviewer has submitted their own.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from assessments.scoring import rounded
from musqat.refusals import forbidden

from .. import scoring, services
from ..findings import findings_of
from ..models import CallStage, applications_in_conflict, organisations_in_conflict
from ..permissions import assignments_of, is_grant_reviewer, may_read_application
from ..services import Refused
from .forms import DeclarationForm, ReviewForm

PAGE_SIZE = 25

# Where a reviewer is with one assignment, as the dashboard says it.
TO_DECLARE, EXCLUDED, IN_PROGRESS, SUBMITTED = "declare", "excluded", "in_progress", "submitted"
STEP_LABELS = {
    TO_DECLARE: gettext_lazy("declare conflicts of interest"),
    EXCLUDED: gettext_lazy("excluded (conflict of interest)"),
    IN_PROGRESS: gettext_lazy("in progress"),
    SUBMITTED: gettext_lazy("submitted"),
}


def refuse(request, message: str, status: int = 403):
    """The workspace's refusal page, saying why in the reviewer's language."""
    return forbidden(request, message, status=status)


def reviewer_required(view):
    """Signed in, and a member of the grant reviewers' group; anyone else is told so."""

    @wraps(view)
    @login_required(login_url="review:login")
    def guarded(request, *args, **kwargs):
        if not is_grant_reviewer(request.user):
            return refuse(
                request,
                _(
                    "The review workspace is for the grant competition's reviewers. Ask the "
                    "project team if you should be one."
                ),
            )
        return view(request, *args, **kwargs)

    return guarded


def _assignment(request, pk):
    """One of the reviewer's own assignments; anyone else's is not found."""
    return get_object_or_404(assignments_of(request.user), pk=pk)


def step_of(assignment, automatically_excluded: bool) -> str:
    if assignment.has_conflict or automatically_excluded:
        return EXCLUDED
    if assignment.has_conflict is None:
        return TO_DECLARE
    return SUBMITTED if assignment.is_submitted else IN_PROGRESS


def next_steps(user) -> list[dict]:
    """What the reviewer does next, across all their assignments (the list below is paged):
    the declarations to make, then the reviews to finish while their call is under review,
    then those that wait for the review to start. Each names how many and links to the
    first. Calls have no review deadline of their own, so none is shown."""
    pending = list(
        assignments_of(user)
        .filter(submitted_at__isnull=True)
        .exclude(has_conflict=True)
        .exclude(application__call__stage=CallStage.DECIDED)
        .order_by("application__call__opens_at", "application__reference", "pk")
    )
    excluded = applications_in_conflict(user, [a.application for a in pending])
    pending = [a for a in pending if a.application_id not in excluded]
    to_declare = [a for a in pending if a.has_conflict is None]
    to_score = [a for a in pending if a.has_conflict is False]
    scorable = [a for a in to_score if a.application.call.stage == CallStage.UNDER_REVIEW]
    waiting = [a for a in to_score if a.application.call.stage != CallStage.UNDER_REVIEW]
    steps = [
        _step(
            to_declare,
            "review:declare",
            ngettext(
                "Declare whether you have a conflict of interest: %(count)s application",
                "Declare whether you have a conflict of interest: %(count)s applications",
                len(to_declare),
            ),
        ),
        _step(
            scorable,
            "review:review",
            ngettext(
                "Score and submit your review: %(count)s application",
                "Score and submit your reviews: %(count)s applications",
                len(scorable),
            ),
        ),
        _step(
            waiting,
            None,
            ngettext(
                "%(count)s application waits for its call's review to start: you can "
                "read it now and score it then.",
                "%(count)s applications wait for their call's review to start: you can "
                "read them now and score them then.",
                len(waiting),
            ),
        ),
    ]
    return [step for step in steps if step]


def _step(assignments, url_name, label) -> dict | None:
    """A line of the reviewer's next steps: how many, and a link to the first (none when
    `url_name` is None); None when there are none."""
    if not assignments:
        return None
    first = assignments[0]
    return {
        "label": label % {"count": len(assignments)},
        "url": reverse(url_name, args=[first.pk]) if url_name else "",
        "first": first.application.reference if url_name else "",
    }


@reviewer_required
def dashboard(request):
    assignments = assignments_of(request.user).order_by(
        "-application__call__opens_at", "application__call_id", "application__reference", "pk"
    )
    page = Paginator(assignments, PAGE_SIZE).get_page(request.GET.get("page"))
    excluded = applications_in_conflict(request.user, [a.application for a in page.object_list])
    rows = []
    for assignment in page.object_list:
        step = step_of(assignment, assignment.application_id in excluded)
        rows.append(
            {
                "assignment": assignment,
                "call": assignment.application.call,
                "step": step,
                "step_label": STEP_LABELS[step],
            }
        )
    return render(
        request,
        "grants/review/dashboard.html",
        {"rows": rows, "page": page, "next_steps": next_steps(request.user)},
    )


@reviewer_required
@require_http_methods(["GET", "POST"])
def declare(request, pk):
    """The conflict of interest declaration, before the application can be opened. The
    page shows the call, the organisation and the municipality: enough to know."""
    assignment = _assignment(request, pk)
    application = assignment.application
    automatic = organisations_in_conflict(request.user, application)
    context = {"assignment": assignment, "application": application}
    if automatic or assignment.has_conflict:
        context["excluded"] = "automatic" if automatic else "declared"
        return render(
            request,
            "grants/review/declare.html",
            context,
            status=403 if request.method == "POST" else 200,
        )
    if assignment.has_conflict is False:
        if request.method == "POST":
            return refuse(request, _("You have declared this already."))
        return redirect("review:review", pk=assignment.pk)
    form = DeclarationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            has_conflict = form.cleaned_data["has_conflict"]
            try:
                services.declare_conflict(
                    review=assignment,
                    has_conflict=has_conflict,
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except Refused as refusal:
                context["refusal"] = refusal.message
            else:
                if has_conflict:
                    messages.info(
                        request,
                        _(
                            "Thank you. You are excluded from reviewing %(organisation)s's "
                            "application; other reviewers will score it."
                        )
                        % {"organisation": application.organization.name},
                    )
                    return redirect("review:dashboard")
                messages.success(
                    request, _("Thank you. You may now read and score the application.")
                )
                return redirect("review:review", pk=assignment.pk)
    context["form"] = form
    return render(request, "grants/review/declare.html", context, status=status)


def _refusal(assignment, user) -> str | None:
    """Why the scores may not change now, or None when they may."""
    try:
        services.refuse_unless_reviewable(assignment, user)
    except Refused as refusal:
        return refusal.message
    return None


def _points_text(score) -> str:
    if score is None:
        return "–"
    return _("N/A") if score.points is None else str(score.points)


def _two_places(value) -> str:
    """A review score as shown: half up to two decimals, localised."""
    if value is None:
        return "–"
    return formats.number_format(rounded(value), 2, use_l10n=True)


def _scores_of_all(assignment, criteria, own_scores):
    """Every submitted review of the application, the reviewer's own first: shown only
    once the reviewer has submitted theirs."""
    others = (
        assignment.application.reviews.filter(submitted_at__isnull=False)
        .exclude(pk=assignment.pk)
        .prefetch_related("scores")
        .order_by("assigned_at", "pk")
    )
    weights = {str(c.pk): c.weight for c in criteria}
    columns = [(_("You"), own_scores)]
    for number, other in enumerate(others, start=1):
        columns.append((_("Reviewer %(number)s") % {"number": number}, list(other.scores.all())))
    result = services.application_result(assignment.application)
    reviewers = []
    for label, scores in columns:
        by_criterion = {s.criterion_id: s for s in scores}
        total = scoring.reviewer_total(
            {str(cid): s.points for cid, s in by_criterion.items()}, weights
        )
        reviewers.append(
            {
                "label": label,
                "points": [_points_text(by_criterion.get(c.pk)) for c in criteria],
                "total": _two_places(total),
            }
        )
    rows = [
        {
            "criterion": criterion,
            "points": [reviewer["points"][index] for reviewer in reviewers],
            "mean": _two_places(result.criteria.get(str(criterion.pk))),
        }
        for index, criterion in enumerate(criteria)
    ]
    return {"reviewers": reviewers, "rows": rows, "score": _two_places(result.score)}


@reviewer_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    """The application, read-only, and the reviewer's scores of it."""
    assignment = _assignment(request, pk)
    application = assignment.application
    if assignment.has_conflict or organisations_in_conflict(request.user, application):
        return refuse(
            request, _("You are excluded from this application by a conflict of interest.")
        )
    if assignment.has_conflict is None:
        if request.method == "POST":
            return refuse(request, _("Declare whether you have a conflict of interest first."))
        return redirect("review:declare", pk=assignment.pk)
    if not may_read_application(request.user, application):
        return refuse(request, _("This application is not open to you."))

    criteria = list(application.call.rubric.all())
    own_scores = list(assignment.scores.all())
    refusal = _refusal(assignment, request.user)
    status = 200
    error = None
    form = None
    if request.method == "POST":
        submitting = "submit" in request.POST
        form = ReviewForm(request.POST, criteria=criteria, submitting=submitting)
        if refusal:
            error, status = refusal, 403
        elif not form.is_valid():
            error, status = (
                _("The review was not submitted: score every criterion, or mark it N/A.")
                if submitting
                else _("The review was not saved: see the marked criteria."),
                400,
            )
        else:
            try:
                services.save_review(
                    review=assignment, scores=form.scores(), submit=submitting, by=request.user
                )
            except Refused as refused:
                error, status = refused.message, 400
            else:
                messages.success(
                    request,
                    _("Your review is submitted. Thank you.")
                    if submitting
                    else _("Your scores are saved. Submit the review when it is complete."),
                )
                return redirect("review:review", pk=assignment.pk)
    elif not refusal:
        form = ReviewForm(initial=ReviewForm.initial_from(own_scores), criteria=criteria)

    by_criterion = {s.criterion_id: s for s in own_scores}
    context = {
        "assignment": assignment,
        "application": application,
        "call": application.call,
        "findings": findings_of(application),
        "finding_links": [
            line.strip() for line in application.finding_links.splitlines() if line.strip()
        ],
        "budget_lines": list(application.budget_lines.all()),
        "budget_total": application.budget_total(),
        "attachments": list(application.attachments.select_related("requirement")),
        "form": form,
        "can_edit": refusal is None,
        "not_editable_because": refusal,
        "error": error,
        "own": [
            {
                "criterion": c,
                "points": _points_text(by_criterion.get(c.pk)),
                "comment": by_criterion[c.pk].comment if c.pk in by_criterion else "",
            }
            for c in criteria
        ],
        # Nobody's scores but the reviewer's own before they submit theirs: not even a count.
        "all_scores": _scores_of_all(assignment, criteria, own_scores)
        if assignment.is_submitted
        else None,
    }
    return render(request, "grants/review/review.html", context, status=status)
