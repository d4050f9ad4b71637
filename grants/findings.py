"""The published findings a grant addresses: its municipality's scores, in its call's
cycle, of the indicators it targets (the rule itself is in assessments.results.findings)."""

from assessments.results.findings import Finding, findings_for


def findings_of(application) -> list[Finding]:
    """The published findings an application targets, each with the latest later
    published score where one compares."""
    return findings_for(
        application.call.cycle, application.municipality, application.indicators.all()
    )
