"""The API explained for people at /ka/api/ and /en/api/, from the document it serves."""

import json

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from musqat.cache import public_page

from . import openapi


def _example_path(path: str, parameters: list[dict]) -> str:
    for parameter in parameters:
        path = path.replace("{" + parameter["name"] + "}", str(parameter["example"]))
    return path


@public_page
def documentation(request):
    """The API explained for people, from the same OpenAPI document that is served."""
    endpoints = []
    for path, item in openapi.DOCUMENT["paths"].items():
        operation = item["get"]
        parameters = operation.get("parameters", [])
        example_url = request.build_absolute_uri(
            openapi.API_PREFIX + _example_path(path, parameters)
        )
        example = operation["responses"]["200"]["content"]["application/json"]["example"]
        endpoints.append(
            {
                "id": operation["operationId"],
                "path": openapi.API_PREFIX + path,
                "summary": _(operation["summary"]),
                "description": _(operation["description"]),
                "parameters": [
                    {
                        "name": parameter["name"],
                        "description": _(parameter["description"]),
                        "example": parameter["example"],
                    }
                    for parameter in parameters
                ],
                "curl": f"curl {example_url}",
                "example": json.dumps(example, ensure_ascii=False, indent=2),
            }
        )
    return render(
        request,
        "assessments/api.html",
        {
            "endpoints": endpoints,
            "document_url": reverse("api:openapi"),
            "version": openapi.DOCUMENT["info"]["version"],
        },
    )
