"""The OpenAPI 3.1 document, made from the route declarations and their pydantic models."""

from __future__ import annotations

import re
from typing import Any

from pydantic.json_schema import models_json_schema

from app.api import models as m
from app.api.routing import Route
from dsgrid_core import __version__

REF = "#/components/schemas/{model}"
ERROR_TEXT = {
    400: "Bad input: the message names the parameter or field and what to do.",
    404: "No such component, version, record set or job.",
    409: "Conflict with the current state (e.g. the job has not succeeded).",
    401: "Write permission needs the access token (Authorization: Bearer).",
    403: "Writes are off here (read-only server, or no token configured), or the request "
    "came from another site's page.",
    413: "Too large: the request body is over the server's limit (DSGRID_MAX_JSON_BODY_KB), "
    "or the result is too large for this format.",
    414: "The request line (path and query) is longer than the HTTP server takes.",
    503: "The server has no registry open.",
}


def _path_parameters(route: Route) -> list[dict[str, Any]]:
    out = []
    for name in re.findall(r"{(\w+)}", route.path):
        schema: dict[str, Any] = {"type": "string", "minLength": 1}
        if name == "kind":
            schema = {"type": "string", "enum": [k.value for k in m.Kind]}
        out.append({"name": name, "in": "path", "required": True, "schema": schema})
    return out


def _query_parameters(route: Route) -> list[dict[str, Any]]:
    if route.params is None:
        return []
    schema = route.params.model_json_schema(ref_template=REF, by_alias=True)
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema["properties"].items():
        description = prop.pop("description", None)
        prop.pop("title", None)
        param: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": prop,
        }
        if prop.get("type") == "array":
            param["style"], param["explode"] = "form", True
        if description:
            param["description"] = description
        out.append(param)
    return out


def openapi_document(routes: list[Route]) -> dict[str, Any]:
    answers = {id(r): m.Envelope[r.answer] for r in routes}
    models = [(model, "serialization") for model in answers.values()]
    models += [(r.body, "validation") for r in routes if r.body is not None]
    models.append((m.ErrorEnvelope, "serialization"))
    refs, defs = models_json_schema(models, ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for r in routes:
        answer_schema = refs[(answers[id(r)], "serialization")]
        content: dict[str, Any] = {"application/json": {"schema": answer_schema}}
        for media in r.files:
            content[media] = {"schema": {"type": "string", "format": "binary"}}
        responses: dict[str, Any] = {
            str(r.status): {"description": r.summary, "content": content},
        }
        # Every request may meet the HTTP server's line limit; a body, the body limit.
        extra = (414, 413) if r.body is not None or r.raw_body else (414,)
        for status in sorted({*r.errors, *extra, 503}):
            responses[str(status)] = {"description": ERROR_TEXT.get(status, "Error.")}
            if status != 414:  # answered by the HTTP server itself, not in the envelope
                responses[str(status)]["content"] = {
                    "application/json": {"schema": refs[(m.ErrorEnvelope, "serialization")]}
                }
        operation: dict[str, Any] = {
            "operationId": r.operation_id,
            "summary": r.summary,
            "tags": [r.tag],
            "parameters": _path_parameters(r) + _query_parameters(r),
            "responses": responses,
        }
        if r.description:
            operation["description"] = r.description
        if r.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[(r.body, "validation")]}},
            }
        elif r.raw_body:
            operation["requestBody"] = {
                "required": True,
                "description": r.raw_body,
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        paths.setdefault(r.path, {})[r.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "dsgrid-viewer API",
            "version": __version__,
            "description": "Read a dsgrid registry and run queries. Every answer is a JSON "
            "envelope: ok, status, data (and next/total on paged lists) or error.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {"schemas": defs.get("$defs", {})},
    }
