"""The assessment workflow as data: states, transitions and who may make them.

draft → submitted → reply (external only) → review → published, with "return"
from review back to draft. Every check of a transition reads this table.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REPLY = "reply", _("Right of reply")
    REVIEW = "review", _("Under review")
    PUBLISHED = "published", _("Published")


class Kind(models.TextChoices):
    SELF = "self", _("Self-assessment")
    EXTERNAL = "external", _("External assessment")


# Roles, as people know them (DESIGN.md "The people who use it").
MUNICIPAL_STAFF = "municipal_staff"
CSO_MONITOR = "cso_monitor"
PROJECT_STAFF = "project_staff"
# The platform itself, for example closing a right of reply when its days are over.
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    source: Status
    target: Status
    kinds: frozenset
    roles: frozenset


BOTH_KINDS = frozenset({Kind.SELF, Kind.EXTERNAL})

TRANSITIONS = [
    Transition(
        "submit",
        _("Submit"),
        Status.DRAFT,
        Status.SUBMITTED,
        frozenset({Kind.SELF}),
        frozenset({MUNICIPAL_STAFF, PROJECT_STAFF}),
    ),
    Transition(
        "submit",
        _("Submit"),
        Status.DRAFT,
        Status.SUBMITTED,
        frozenset({Kind.EXTERNAL}),
        frozenset({CSO_MONITOR, PROJECT_STAFF}),
    ),
    Transition(
        "open_reply",
        _("Open the right of reply"),
        Status.SUBMITTED,
        Status.REPLY,
        frozenset({Kind.EXTERNAL}),
        frozenset({PROJECT_STAFF}),
    ),
    Transition(
        "close_reply",
        _("Close the right of reply"),
        Status.REPLY,
        Status.REVIEW,
        frozenset({Kind.EXTERNAL}),
        frozenset({PROJECT_STAFF, MUNICIPAL_STAFF, SYSTEM}),
    ),
    Transition(
        "start_review",
        _("Start review"),
        Status.SUBMITTED,
        Status.REVIEW,
        BOTH_KINDS,
        frozenset({PROJECT_STAFF}),
    ),
    Transition(
        "return",
        _("Return to draft"),
        Status.REVIEW,
        Status.DRAFT,
        BOTH_KINDS,
        frozenset({PROJECT_STAFF}),
    ),
    Transition(
        "publish",
        _("Publish"),
        Status.REVIEW,
        Status.PUBLISHED,
        BOTH_KINDS,
        frozenset({PROJECT_STAFF}),
    ),
    Transition(
        "correct",
        _("Correct after publication"),
        Status.PUBLISHED,
        Status.REVIEW,
        BOTH_KINDS,
        frozenset({PROJECT_STAFF}),
    ),
]

EDITABLE_STATES = frozenset({Status.DRAFT})

ALL_STATES = frozenset(Status)
SELF_ONLY = frozenset({Kind.SELF})
EXTERNAL_ONLY = frozenset({Kind.EXTERNAL})


@dataclass(frozen=True)
class Permission:
    """What a role may do to an assessment of these kinds while it is in these states."""

    action: str
    kinds: frozenset
    states: frozenset
    roles: frozenset


# Everything besides transitions. Project staff see everything; a municipality sees
# its self-assessments, and the CSO's external assessment of it once the right of
# reply opens; a CSO sees the external assessments assigned to it. Roles come from
# assessments.roles.role_for: a municipality's staff, the assigned CSO's members.
PERMISSIONS = [
    Permission("view", BOTH_KINDS, ALL_STATES, frozenset({PROJECT_STAFF})),
    Permission("view", SELF_ONLY, ALL_STATES, frozenset({MUNICIPAL_STAFF})),
    Permission("view", EXTERNAL_ONLY, ALL_STATES, frozenset({CSO_MONITOR})),
    Permission(
        "view",
        EXTERNAL_ONLY,
        frozenset({Status.REPLY, Status.REVIEW, Status.PUBLISHED}),
        frozenset({MUNICIPAL_STAFF}),
    ),
    Permission("edit_answers", SELF_ONLY, EDITABLE_STATES, frozenset({MUNICIPAL_STAFF})),
    Permission("edit_answers", EXTERNAL_ONLY, EDITABLE_STATES, frozenset({CSO_MONITOR})),
    Permission("edit_answers", BOTH_KINDS, EDITABLE_STATES, frozenset({PROJECT_STAFF})),
    Permission(
        "write_reply", EXTERNAL_ONLY, frozenset({Status.REPLY}), frozenset({MUNICIPAL_STAFF})
    ),
    Permission("comment", BOTH_KINDS, frozenset({Status.REVIEW}), frozenset({PROJECT_STAFF})),
    Permission("view_history", BOTH_KINDS, ALL_STATES, frozenset({PROJECT_STAFF})),
    # What an assessment is of (municipality, cycle, kind) and who carries it out are
    # settled while it is a draft: later, the answers and the public results hang on them.
    Permission("edit_identity", BOTH_KINDS, EDITABLE_STATES, frozenset({PROJECT_STAFF})),
    Permission("assign_organization", EXTERNAL_ONLY, EDITABLE_STATES, frozenset({PROJECT_STAFF})),
]


class TransitionNotAllowed(Exception):
    def __init__(self, action, status, kind, role):
        self.action, self.status, self.kind, self.role = action, status, kind, role
        super().__init__(f"{role} may not {action} a {kind} assessment in {status}")

    @property
    def reason(self) -> str:
        """Why, in the person's language: a step their role can never take says who can;
        a step they could take another time says when."""
        return refusal_reason(self.action, status=self.status, kind=self.kind, role=self.role)


# Who may take a step, for people who may not (SYSTEM is no one a person can ask).
ONLY = {
    frozenset({PROJECT_STAFF}): _("Only project staff can take this step (%(step)s)."),
    frozenset({PROJECT_STAFF, MUNICIPAL_STAFF}): _(
        "Only the municipality's staff and project staff can take this step (%(step)s)."
    ),
    frozenset({PROJECT_STAFF, CSO_MONITOR}): _(
        "Only the assessing organisation's monitors and project staff can take this step "
        "(%(step)s)."
    ),
}


def refusal_reason(action: str, *, status: str, kind: str, role: str | None) -> str:
    """Why the table refuses this role this step on an assessment of this kind and state."""
    steps = [t for t in TRANSITIONS if t.action == action and kind in t.kinds]
    if not steps:
        return str(_("This assessment has no such step."))
    label = {"step": steps[0].label}
    if not any(role in t.roles for t in steps):
        people = frozenset().union(*(t.roles for t in steps)) - {SYSTEM}
        return str(ONLY.get(people, _("Your role cannot take this step (%(step)s).")) % label)
    sources = [Status(t.source).label for t in steps if role in t.roles]
    return str(
        _(
            "This assessment is “%(status)s”: this step (%(step)s) can be taken only while "
            "it is “%(allowed)s”."
        )
        % {**label, "status": Status(status).label, "allowed": ", ".join(map(str, sources))}
    )


def allows(action: str, *, status: str, kind: str, role: str | None) -> bool:
    """Whether the table lets this role do this (non-transition) action."""
    return any(
        p.action == action and status in p.states and kind in p.kinds and role in p.roles
        for p in PERMISSIONS
    )


def transitions_for(*, status: str, kind: str, role: str | None) -> list[Transition]:
    """The transitions this role may make from this state, in table order."""
    return [t for t in TRANSITIONS if t.source == status and kind in t.kinds and role in t.roles]


def find_transition(*, action: str, status: str, kind: str, role: str) -> Transition:
    for transition in TRANSITIONS:
        if (
            transition.action == action
            and transition.source == status
            and kind in transition.kinds
            and role in transition.roles
        ):
            return transition
    raise TransitionNotAllowed(action, status, kind, role)
