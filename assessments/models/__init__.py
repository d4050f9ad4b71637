"""The assessments app's models, one module per concept; Django finds them here."""

from .answers import (
    AnswerTexts,
    EvidenceFile,
    Response,
    ReviewComment,
    answered,
    evidence_path,
    invalid_answer_message,
)
from .cycles import (
    ANSWERED_BY,
    Assessment,
    Cycle,
    indicator_spec,
    methodology_lock,
    methodology_spec,
)
from .jobs import Document, Export, ExportKind, JobStatus, Rendering
from .snapshots import AreaScore, CriterionScore, IndicatorScore, ScoreSnapshot

__all__ = [
    "ANSWERED_BY",
    "AnswerTexts",
    "AreaScore",
    "Assessment",
    "CriterionScore",
    "Cycle",
    "Document",
    "EvidenceFile",
    "Export",
    "ExportKind",
    "IndicatorScore",
    "Rendering",
    "JobStatus",
    "Response",
    "ReviewComment",
    "ScoreSnapshot",
    "answered",
    "evidence_path",
    "indicator_spec",
    "invalid_answer_message",
    "methodology_lock",
    "methodology_spec",
]
