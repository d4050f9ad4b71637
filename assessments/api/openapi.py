"""The OpenAPI 3.1 description of the public JSON API (assessments/api.py).

One dict, served as /api/v1/openapi.json and rendered for people at /ka/api/ and
/en/api/. Every object schema lists its required fields and forbids others, so that
tests/assessments/test_api.py, which validates every endpoint's real output against
this document, notices when the two drift apart.

The document is in English, as API descriptions are; the summaries and parameter
descriptions that the human-readable page shows are marked for translation here and
translated when that page is rendered.
"""

from django.utils.translation import gettext_noop

API_PREFIX = "/api/v1"


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: dict, *, description: str = "", optional: tuple = ()) -> dict:
    """An object with exactly these properties; all of them required unless named optional."""
    schema = {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def array(items: dict, description: str = "") -> dict:
    schema = {"type": "array", "items": items}
    if description:
        schema["description"] = description
    return schema


STRING = {"type": "string"}
URI = {"type": "string", "format": "uri"}
YEAR = {"type": "integer", "minimum": 1900, "maximum": 9999}
CODE = {"type": "string", "minLength": 1}
SLUG = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}
DATE_TIME = {"type": "string", "format": "date-time"}
BILINGUAL = ref("Bilingual")
BILINGUAL_URL = ref("BilingualUrl")

SCHEMAS = {
    "Bilingual": obj(
        {"ka": STRING, "en": STRING},
        description="A text in Georgian and in English; an empty string where it is not "
        "written in that language.",
    ),
    "BilingualUrl": obj(
        {"ka": URI, "en": URI},
        description="The absolute address of a page of the portal, in Georgian and in English.",
    ),
    "Kind": {
        "type": "string",
        "enum": ["self", "external"],
        "description": "self: the municipality's self-assessment; external: the independent "
        "assessment by a local civil society organisation.",
    },
    "Score": {
        "type": ["number", "null"],
        "minimum": 0,
        "maximum": 100,
        "description": "A score from 0 to 100: the stored score rounded half up to 2 decimals "
        "(the pages show the same stored score rounded to 1 decimal). null: no score.",
    },
    "Change": {
        "type": ["number", "null"],
        "minimum": -100,
        "maximum": 100,
        "description": "A difference of two scores in points, rounded half up to 2 decimals; "
        "null where there is nothing comparable.",
    },
    "Band": obj(
        {
            "label": BILINGUAL,
            "colour": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
            "min_score": {"type": "number", "minimum": 0, "maximum": 100},
        },
        description="A grade band of the methodology version: scores from min_score (shown "
        "to 1 decimal) up to the next band's minimum belong to it.",
    ),
    "ScoresByKind": obj(
        {"self": ref("Score"), "external": ref("Score")},
        description="The score of each kind of assessment (null where that kind is not "
        "published or has no score here).",
    ),
    "ChangesByKind": obj(
        {"self": ref("Change"), "external": ref("Change")},
        description="Each kind's change since its previous published cycle, only where that "
        "cycle used the same methodology version.",
    ),
    "Error": obj(
        {
            "error": {"type": "string", "enum": ["not_found", "method_not_allowed"]},
            "detail": STRING,
        }
    ),
    # --- /cycles/ ---
    "CycleList": obj(
        {
            "cycles": array(ref("CycleSummary"), "Cycles with published results, newest first."),
            "links": obj({"self": URI, "openapi": URI, "documentation": BILINGUAL_URL}),
        }
    ),
    "CycleSummary": obj(
        {
            "year": YEAR,
            "methodology": {**CODE, "description": "The code of the methodology version."},
            "headline_kind": ref("Kind"),
            "counts": obj(
                {
                    "municipalities": {"type": "integer", "minimum": 1},
                    "self": {"type": "integer", "minimum": 0},
                    "external": {"type": "integer", "minimum": 0},
                },
                description="Published assessments: municipalities with at least one, and "
                "how many of each kind.",
            ),
            "latest_published_at": DATE_TIME,
            "links": obj(
                {
                    "scores": URI,
                    "methodology": URI,
                    "ranking": BILINGUAL_URL,
                    "report_pdf": BILINGUAL_URL,
                }
            ),
        }
    ),
    # --- /cycles/{year}/scores/ ---
    "CycleScores": obj(
        {
            "cycle": ref("CycleRef"),
            "headline_kind": {
                **ref("Kind"),
                "description": "The kind the portal leads with: external where one is published.",
            },
            "areas": array(
                obj({"code": CODE, "name": BILINGUAL}), "The thematic areas of the methodology."
            ),
            "assessments": array(
                ref("ScoreRow"),
                "Every published assessment of the cycle: self-assessments first, then "
                "external ones, each by rank.",
            ),
            "links": obj({"self": URI, "cycles": URI, "methodology": URI}),
        }
    ),
    "CycleRef": obj({"year": YEAR, "methodology": CODE}),
    "ScoreRow": obj(
        {
            "municipality": {**SLUG, "description": "The municipality's slug."},
            "name": BILINGUAL,
            "kind": ref("Kind"),
            "overall": ref("Score"),
            "band": nullable(ref("Band")),
            "rank": {
                "type": ["integer", "null"],
                "minimum": 1,
                "description": "Rank within the cycle among published assessments of the same "
                "kind, on the score as shown (1 decimal); ties share a rank (1, 2, 2, 4).",
            },
            "areas": {
                "type": "object",
                "description": "The score of each thematic area, keyed by area code.",
                "propertyNames": CODE,
                "additionalProperties": ref("Score"),
            },
            "links": obj({"scorecard": BILINGUAL_URL, "api": URI}),
        }
    ),
    # --- /scorecards/{year}/{slug}/ ---
    "Scorecard": obj(
        {
            "cycle": ref("CycleRef"),
            "municipality": obj(
                {"slug": SLUG, "name": BILINGUAL, "official_name": BILINGUAL},
            ),
            "headline_kind": ref("Kind"),
            "kinds": obj(
                {"self": nullable(ref("KindSummary")), "external": nullable(ref("KindSummary"))},
                description="Each kind's published revision; null where that kind is not "
                "published in this cycle.",
            ),
            "gap": {
                **ref("Change"),
                "description": "Self minus external overall score (null unless both are "
                "published).",
            },
            "areas": array(ref("ScorecardArea")),
            "links": obj(
                {
                    "self": URI,
                    "scores": URI,
                    "methodology": URI,
                    "scorecard": BILINGUAL_URL,
                    "pdf": BILINGUAL_URL,
                    "csv": BILINGUAL_URL,
                    "revisions": BILINGUAL_URL,
                }
            ),
        }
    ),
    "KindSummary": obj(
        {
            "overall": ref("Score"),
            "band": nullable(ref("Band")),
            "rank": {"type": ["integer", "null"], "minimum": 1},
            "coverage": {
                "type": "number",
                "minimum": 0,
                "maximum": 100,
                "description": "The percentage (0–100) of the methodology's weight that is "
                "answered (not applicable counts as answered), rounded half up to 2 decimals.",
            },
            "revision": {
                "type": "integer",
                "minimum": 1,
                "description": "1 for the first publication; higher for a published correction.",
            },
            "published_at": DATE_TIME,
            "correction_note": nullable(BILINGUAL),
            "previous": nullable(
                obj(
                    {"year": YEAR, "overall": ref("Score"), "comparable": {"type": "boolean"}},
                    description="The latest earlier cycle in which this kind was published; "
                    "comparable: it used the same methodology version.",
                )
            ),
            "change": ref("Change"),
        }
    ),
    "ScorecardArea": obj(
        {
            "code": CODE,
            "name": BILINGUAL,
            "scores": ref("ScoresByKind"),
            "changes": ref("ChangesByKind"),
            "criteria": array(ref("ScorecardCriterion")),
        }
    ),
    "ScorecardCriterion": obj(
        {
            "code": CODE,
            "name": BILINGUAL,
            "scores": ref("ScoresByKind"),
            "indicators": array(ref("ScorecardIndicator")),
        }
    ),
    "ScorecardIndicator": obj(
        {
            "code": CODE,
            "name": BILINGUAL,
            "response_type": ref("ResponseType"),
            "answers": obj(
                {"self": nullable(ref("Answer")), "external": nullable(ref("Answer"))},
                description="Each kind's published answer; null where that kind does not "
                "answer this indicator or is not published.",
            ),
        }
    ),
    "Answer": obj(
        {
            "value": {
                "type": ["number", "null"],
                "description": "The answer: yes = 1, no = 0; a scale level; a percentage; or "
                "a number in the indicator's unit, rounded half up to 2 decimals. null when "
                "not applicable.",
            },
            "not_applicable": {"type": "boolean"},
            "score": {
                **ref("Score"),
                "description": "The answer's normalised score on the 0–100 scale of every "
                "other score (100 × the normalised 0–1 value: a scale level 2 of 3 is 66.67), "
                "rounded half up to 2 decimals. null when not applicable.",
            },
            "change": {
                **ref("Change"),
                "description": "Change of the 0–100 score since the previous cycle, where the "
                "indicator is comparable.",
            },
            "answer_text": {**BILINGUAL, "description": "The answer in words."},
            "not_applicable_reason": BILINGUAL,
            "evidence": BILINGUAL,
            "reply": {
                **BILINGUAL,
                "description": "External assessments: the municipality's reply to the finding.",
            },
            "links": array(STRING, "Addresses given as evidence, as written."),
            "files": array(obj({"title": STRING, "url": URI}), "Evidence files."),
        }
    ),
    "ResponseType": {"type": "string", "enum": ["yes_no", "scale", "percent", "numeric"]},
    # --- /methodology/{code}/ ---
    "Methodology": obj(
        {
            "code": CODE,
            "name": BILINGUAL,
            "description": BILINGUAL,
            "is_current": {"type": "boolean"},
            "previous": {
                "type": ["string", "null"],
                "description": "The code of the previous version.",
            },
            "cycles": array(YEAR, "Cycles with published results measured with this version."),
            "grade_bands": array(ref("Band"), "From the lowest band up."),
            "areas": array(ref("MethodologyArea")),
            "links": obj(
                {"self": URI, "page": BILINGUAL_URL, "handbook_pdf": nullable(BILINGUAL_URL)}
            ),
        }
    ),
    "MethodologyArea": obj(
        {
            "code": CODE,
            "name": BILINGUAL,
            "description": BILINGUAL,
            "weight": ref("Weight"),
            "criteria": array(ref("MethodologyCriterion")),
        }
    ),
    "MethodologyCriterion": obj(
        {
            "code": CODE,
            "name": BILINGUAL,
            "description": BILINGUAL,
            "weight": ref("Weight"),
            "indicators": array(ref("MethodologyIndicator")),
        }
    ),
    "MethodologyIndicator": obj(
        {
            "code": CODE,
            "name": BILINGUAL,
            "description": BILINGUAL,
            "weight": ref("Weight"),
            "response_type": ref("ResponseType"),
            "answered_by": {
                "type": "string",
                "enum": ["municipality", "cso", "both"],
                "description": "Who answers: the self-assessment answers municipality and "
                "both; the external assessment answers cso and both.",
            },
            "scale_labels": nullable(
                obj(
                    {"ka": array(STRING), "en": array(STRING)},
                    description="Scale indicators: a label for each level, from level 0 up.",
                )
            ),
            "thresholds": nullable(
                obj(
                    {"worst": {"type": "number"}, "best": {"type": "number"}},
                    description="Numeric indicators: the value that scores 0 and the one that "
                    "scores 100 (best below worst: lower is better), rounded half up to 2 "
                    "decimals.",
                )
            ),
            "unit": BILINGUAL,
            "data_source": BILINGUAL,
            "previous": {
                "type": ["string", "null"],
                "description": "The code of its counterpart in the previous version.",
            },
            "comparable": {
                "type": "boolean",
                "description": "Whether changes since the previous version's cycles are shown.",
            },
        }
    ),
    "Weight": {
        "type": "number",
        "exclusiveMinimum": 0,
        "description": "A weight among siblings, rounded half up to 2 decimals (the "
        "methodology may set a third: the scores use the weight as set).",
    },
}

# --- Examples: short, and valid against the schemas above (the tests check) --------------

SITE = "https://musqat.example.org"


def _both(path: str) -> dict:
    return {"ka": f"{SITE}/ka{path}", "en": f"{SITE}/en{path}"}


HIGH = {"label": {"ka": "მაღალი", "en": "High"}, "colour": "#2166ac", "min_score": 80.0}
GOOD = {"label": {"ka": "კარგი", "en": "Good"}, "colour": "#67a9cf", "min_score": 60.0}
DEVELOPING = {
    "label": {"ka": "განვითარებადი", "en": "Developing"},
    "colour": "#ef8a62",
    "min_score": 40.0,
}

CYCLES_EXAMPLE = {
    "cycles": [
        {
            "year": 2021,
            "methodology": "2020",
            "headline_kind": "external",
            "counts": {"municipalities": 8, "self": 8, "external": 8},
            "latest_published_at": "2021-11-30T09:15:00Z",
            "links": {
                "scores": f"{SITE}{API_PREFIX}/cycles/2021/scores/",
                "methodology": f"{SITE}{API_PREFIX}/methodology/2020/",
                "ranking": {
                    "ka": f"{SITE}/ka/municipalities/?cycle=2021",
                    "en": f"{SITE}/en/municipalities/?cycle=2021",
                },
                "report_pdf": _both("/reports/2021/report.pdf"),
            },
        }
    ],
    "links": {
        "self": f"{SITE}{API_PREFIX}/cycles/",
        "openapi": f"{SITE}{API_PREFIX}/openapi.json",
        "documentation": _both("/api/"),
    },
}

SCORES_EXAMPLE = {
    "cycle": {"year": 2021, "methodology": "2020"},
    "headline_kind": "external",
    "areas": [
        {"code": "A", "name": {"ka": "მმართველობა", "en": "Governance"}},
        {"code": "B", "name": {"ka": "ინფრასტრუქტურა", "en": "Infrastructure"}},
    ],
    "assessments": [
        {
            "municipality": "telavi",
            "name": {"ka": "თელავი", "en": "Telavi"},
            "kind": "external",
            "overall": 80.0,
            "band": HIGH,
            "rank": 1,
            "areas": {"A": 80.0, "B": None},
            "links": {
                "scorecard": _both("/scorecards/2021/telavi/"),
                "api": f"{SITE}{API_PREFIX}/scorecards/2021/telavi/",
            },
        }
    ],
    "links": {
        "self": f"{SITE}{API_PREFIX}/cycles/2021/scores/",
        "cycles": f"{SITE}{API_PREFIX}/cycles/",
        "methodology": f"{SITE}{API_PREFIX}/methodology/2020/",
    },
}

EMPTY_TEXT = {"ka": "", "en": ""}

SCORECARD_EXAMPLE = {
    "cycle": {"year": 2021, "methodology": "2020"},
    "municipality": {
        "slug": "telavi",
        "name": {"ka": "თელავი", "en": "Telavi"},
        "official_name": {"ka": "თელავის მუნიციპალიტეტი", "en": "Telavi Municipality"},
    },
    "headline_kind": "external",
    "kinds": {
        "self": None,
        "external": {
            "overall": 60.0,
            "band": GOOD,
            "rank": 1,
            "coverage": 100.0,
            "revision": 1,
            "published_at": "2021-11-30T09:15:00Z",
            "correction_note": None,
            "previous": {"year": 2020, "overall": 40.0, "comparable": True},
            "change": 20.0,
        },
    },
    "gap": None,
    "areas": [
        {
            "code": "A",
            "name": {"ka": "ხელმისაწვდომობა", "en": "Access"},
            "scores": {"self": None, "external": 60.0},
            "changes": {"self": None, "external": 20.0},
            "criteria": [
                {
                    "code": "A.2",
                    "name": {"ka": "დაფარვა", "en": "Coverage"},
                    "scores": {"self": None, "external": 60.0},
                    "indicators": [
                        {
                            "code": "A.2.1",
                            "name": {"ka": "დაფარული სოფლები", "en": "Villages covered"},
                            "response_type": "percent",
                            "answers": {
                                "self": None,
                                "external": {
                                    "value": 60.0,
                                    "not_applicable": False,
                                    "score": 60.0,
                                    "change": 20.0,
                                    "answer_text": {"ka": "60%", "en": "60%"},
                                    "not_applicable_reason": EMPTY_TEXT,
                                    "evidence": {
                                        "ka": "მოვინახულეთ 12 სოფელი 20-დან",
                                        "en": "We visited 12 of 20 villages",
                                    },
                                    "reply": EMPTY_TEXT,
                                    "links": [],
                                    "files": [],
                                },
                            },
                        }
                    ],
                }
            ],
        }
    ],
    "links": {
        "self": f"{SITE}{API_PREFIX}/scorecards/2021/telavi/",
        "scores": f"{SITE}{API_PREFIX}/cycles/2021/scores/",
        "methodology": f"{SITE}{API_PREFIX}/methodology/2020/",
        "scorecard": _both("/scorecards/2021/telavi/"),
        "pdf": _both("/scorecards/2021/telavi/scorecard.pdf"),
        "csv": _both("/scorecards/2021/telavi/data.csv"),
        "revisions": _both("/scorecards/2021/telavi/revisions/"),
    },
}

METHODOLOGY_EXAMPLE = {
    "code": "2020",
    "name": {"ka": "მეთოდოლოგია 2020", "en": "Methodology 2020"},
    "description": EMPTY_TEXT,
    "is_current": True,
    "previous": None,
    "cycles": [2021, 2020],
    "grade_bands": [DEVELOPING, HIGH],
    "areas": [
        {
            "code": "B",
            "name": {"ka": "ინფრასტრუქტურა", "en": "Infrastructure"},
            "description": EMPTY_TEXT,
            "weight": 1.0,
            "criteria": [
                {
                    "code": "B.1",
                    "name": {"ka": "რეაგირება", "en": "Response"},
                    "description": EMPTY_TEXT,
                    "weight": 1.0,
                    "indicators": [
                        {
                            "code": "B.1.1",
                            "name": {"ka": "რეაგირების დრო", "en": "Response time"},
                            "description": EMPTY_TEXT,
                            "weight": 1.5,
                            "response_type": "numeric",
                            "answered_by": "both",
                            "scale_labels": None,
                            "thresholds": {"worst": 20.0, "best": 5.0},
                            "unit": {"ka": "დღე", "en": "days"},
                            "data_source": EMPTY_TEXT,
                            "previous": None,
                            "comparable": False,
                        }
                    ],
                }
            ],
        }
    ],
    "links": {
        "self": f"{SITE}{API_PREFIX}/methodology/2020/",
        "page": _both("/methodology/2020/"),
        "handbook_pdf": _both("/methodology/2020/handbook.pdf"),
    },
}

# --- Paths ------------------------------------------------------------------------------

HEADERS = {
    "ETag": {
        "description": "Changes whenever a publication or a correction changes what the "
        "response shows; send it back in If-None-Match.",
        "schema": STRING,
    },
    "LastModified": {
        "description": "When the latest publication that the response shows happened.",
        "schema": STRING,
    },
    "CacheControl": {"description": "public, max-age=300", "schema": STRING},
    "AccessControlAllowOrigin": {"description": "Always *.", "schema": STRING},
}


def _headers(*, last_modified: bool = True) -> dict:
    headers = {
        "ETag": {"$ref": "#/components/headers/ETag"},
        "Cache-Control": {"$ref": "#/components/headers/CacheControl"},
        "Access-Control-Allow-Origin": {"$ref": "#/components/headers/AccessControlAllowOrigin"},
    }
    if last_modified:
        headers["Last-Modified"] = {"$ref": "#/components/headers/LastModified"}
    return headers


def _ok(schema: str, example, description: str, *, last_modified: bool = True) -> dict:
    return {
        "description": description,
        "headers": _headers(last_modified=last_modified),
        "content": {"application/json": {"schema": ref(schema), "example": example}},
    }


def _operation(operation_id, summary, description, ok, *, parameters=(), not_found=True):
    responses = {"200": ok, "304": {"$ref": "#/components/responses/NotModified"}}
    if not_found:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    operation = {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "responses": responses,
    }
    if parameters:
        operation["parameters"] = list(parameters)
    return {"get": operation}


YEAR_PARAMETER = {
    "name": "year",
    "in": "path",
    "required": True,
    "description": gettext_noop("The year of the assessment cycle."),
    "schema": YEAR,
    "example": 2021,
}
SLUG_PARAMETER = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": gettext_noop("The municipality's slug, for example telavi or sighnaghi."),
    "schema": SLUG,
    "example": "telavi",
}
CODE_PARAMETER = {
    "name": "code",
    "in": "path",
    "required": True,
    "description": gettext_noop("The code of the methodology version."),
    "schema": SLUG,
    "example": "2020",
}

PATHS = {
    "/cycles/": _operation(
        "listCycles",
        gettext_noop("Cycles with published results"),
        gettext_noop(
            "Every assessment cycle that has published results, newest first: its year, "
            "the methodology version it used and how many assessments are published."
        ),
        _ok("CycleList", CYCLES_EXAMPLE, "The cycles."),
        not_found=False,
    ),
    "/cycles/{year}/scores/": _operation(
        "cycleScores",
        gettext_noop("Every published score of a cycle"),
        gettext_noop(
            "Every published assessment of the cycle: the municipality, the kind of "
            "assessment, the overall score with its grade band, the score of each thematic "
            "area keyed by area code, and the rank among assessments of the same kind."
        ),
        _ok("CycleScores", SCORES_EXAMPLE, "The published scores."),
        parameters=[YEAR_PARAMETER],
    ),
    "/scorecards/{year}/{slug}/": _operation(
        "scorecard",
        gettext_noop("One municipality's scorecard"),
        gettext_noop(
            "A municipality's full published scorecard for a cycle: each kind's overall "
            "score, band, rank, revision and correction note; the scores of every area and "
            "criterion; every indicator's answer, its score from 0 to 100, evidence and links; and "
            "the change since the previous comparable cycle."
        ),
        _ok("Scorecard", SCORECARD_EXAMPLE, "The scorecard."),
        parameters=[YEAR_PARAMETER, SLUG_PARAMETER],
    ),
    "/methodology/{code}/": _operation(
        "methodology",
        gettext_noop("A methodology version"),
        gettext_noop(
            "The thematic areas, criteria and indicators of a methodology version, with "
            "their codes, names, descriptions, weights, response types, scale labels, "
            "thresholds and grade bands. Available for the current version and for every "
            "version that a cycle with published results used."
        ),
        _ok(
            "Methodology",
            METHODOLOGY_EXAMPLE,
            "The methodology version.",
            last_modified=False,
        ),
        parameters=[CODE_PARAMETER],
    ),
}

DESCRIPTION = """\
Published results of MUSQAT, the Municipal Services Quality Assessment Tool: scorecards
of the quality of municipal services in Georgia. Read-only; only published assessments
appear (a correction under way leaves the last published revision in place).

* Every number is a JSON number rounded half up to 2 decimals from the stored value:
  scores from 0 to 100 (an indicator's score too: its normalised 0–1 result × 100),
  coverage as a percentage, answers, weights and thresholds. The portal's pages show
  the same stored scores to 1 decimal.
* Names and texts are objects with a Georgian (`ka`) and an English (`en`) text; the
  API does not look at Accept-Language.
* Responses carry an ETag (and, except for the methodology, Last-Modified); send
  If-None-Match or If-Modified-Since to get 304 Not Modified. Cache-Control allows
  caching for 5 minutes.
* CORS: every response allows any origin. Only GET, HEAD and OPTIONS are allowed;
  other methods get 405. Unknown cycles, municipalities, versions and paths get a JSON
  404: `{"error": "not_found", "detail": "..."}`.
"""

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "MUSQAT public API",
        "version": "1.0.0",
        "summary": "Published scorecards of municipal services in Georgia.",
        "description": DESCRIPTION,
    },
    "servers": [{"url": API_PREFIX}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "headers": HEADERS,
        "responses": {
            "NotModified": {
                "description": "Not modified since the ETag or date the client sent.",
                "headers": _headers(),
            },
            "NotFound": {
                "description": "No such cycle, municipality or methodology version, or nothing "
                "of it is published.",
                "headers": {
                    "Access-Control-Allow-Origin": {
                        "$ref": "#/components/headers/AccessControlAllowOrigin"
                    }
                },
                "content": {
                    "application/json": {
                        "schema": ref("Error"),
                        "example": {
                            "error": "not_found",
                            "detail": "No published results for 2031.",
                        },
                    }
                },
            },
        },
    },
}
