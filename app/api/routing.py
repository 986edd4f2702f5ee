"""How an API route is declared and answered.

A route names its path, its query-parameter model, its body model and its answer type; one
view function turns a request into those models, calls the handler, and wraps what it returns
(or the error it raises) in the JSON envelope (`app.envelope`). The same declarations make the
OpenAPI document, so the document cannot drift from what the server does.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import flask
from pydantic import BaseModel, ValidationError

from app.envelope import envelope, error_response
from app.security import WriteRefused, require_write
from app.state import NoRegistry
from dsgrid_core.browse.paging import Page
from dsgrid_core.errors import DsgridError

KINDS = ("projects", "datasets", "dimensions", "dimension-mappings")
# Far deeper than any query or config; far below Python's recursion limit.
MAX_JSON_DEPTH = 64
_TOO_DEEP = f"the JSON body nests lists and objects deeper than {MAX_JSON_DEPTH} levels."


@dataclass
class Route:
    method: str
    path: str  # OpenAPI style: /datasets/{dataset_id}
    summary: str
    handler: Callable[..., Any]
    tag: str
    params: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    answer: Any = None  # the type of the envelope's data
    paged: bool = False
    status: int = 200
    errors: tuple[int, ...] = (400, 404)
    files: dict[str, str] = field(default_factory=dict)  # media type -> description
    description: str = ""
    writes: bool = False  # changes the registry: needs write permission (app.security)
    raw_body: str = ""  # the body is bytes the handler reads itself: what they are

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    @property
    def flask_path(self) -> str:
        # {kind} takes only the kinds' names, so /queries or /jobs never read as a kind.
        path = self.path.replace("{kind}", "<any(" + ",".join(repr(k) for k in KINDS) + "):kind>")
        return path.replace("{", "<").replace("}", ">")


class ApiError(Exception):
    """An error answered with ``status`` and the usual error envelope."""

    def __init__(self, status: int, message: str, *, type: str = "ApiError", details=()):
        super().__init__(message)
        self.status, self.message, self.type, self.details = status, message, type, list(details)


def _is_list(annotation) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple):
        return True
    return any(_is_list(a) for a in typing.get_args(annotation)) if origin else False


def parse_query(model: type[BaseModel], args) -> BaseModel:
    """Query parameters into ``model``: list fields take every value, others the last one."""
    values: dict[str, Any] = {}
    fields = {f.alias or name: f for name, f in model.model_fields.items()}
    for key in args:
        all_values = args.getlist(key)
        field_info = fields.get(key)
        values[key] = (
            all_values
            if field_info is not None and _is_list(field_info.annotation)
            else all_values[-1]
        )
    return model.model_validate(values)


def _validation_message(
    exc: ValidationError, where: str, model: type[BaseModel]
) -> tuple[str, list[str]]:
    descriptions = {(f.alias or name): f.description for name, f in model.model_fields.items()}
    details = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or where
        field = str(err["loc"][0]) if err["loc"] else ""
        if err["type"] == "extra_forbidden":
            details.append(f"{where} '{loc}' is not known.")
        elif err["type"] == "string_pattern_mismatch" and descriptions.get(field):
            details.append(
                f"{where} '{field}': '{err['input']}' is not in the expected form. "
                f"{descriptions[field]}"
            )
        else:
            details.append(f"{where} '{loc}': {err['msg']}.")
    return f"invalid {where}s: " + " ".join(details), details


def _validated(model: type[BaseModel], source, where: str) -> BaseModel:
    try:
        if hasattr(source, "getlist"):  # query parameters (a MultiDict)
            return parse_query(model, source)
        return model.model_validate(source)
    except ValidationError as exc:
        message, details = _validation_message(exc, where, model)
        raise ApiError(400, message, type="InputError", details=details) from None


def json_body() -> dict[str, Any]:
    """The request's JSON object. Nesting deeper than MAX_JSON_DEPTH is refused here, so no
    handler (pydantic, json.dumps of a config) can hit the recursion limit on it (a 500)."""
    try:
        payload = flask.request.get_json(silent=True)
    except RecursionError:
        raise ApiError(400, _TOO_DEEP, type="InputError") from None
    if not isinstance(payload, dict):
        raise ApiError(400, "the request body must be a JSON object.", type="InputError")
    if json_depth(payload) > MAX_JSON_DEPTH:
        raise ApiError(400, _TOO_DEEP, type="InputError")
    return payload


def json_depth(value: Any) -> int:
    """How deeply ``value`` nests lists and objects (a scalar: 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in children)
    return deepest


def make_view(route: Route) -> Callable[..., flask.Response]:
    def view(**path_args):
        try:
            if route.writes:
                require_write()
            kwargs: dict[str, Any] = dict(path_args)
            if route.params is not None:
                kwargs["params"] = _validated(route.params, flask.request.args, "parameter")
            elif flask.request.args:
                unknown = ", ".join(sorted(flask.request.args))
                raise ApiError(400, f"this route takes no query parameters (got {unknown}).")
            if route.body is not None:
                kwargs["body"] = _validated(route.body, json_body(), "body field")
            result = route.handler(**kwargs)
        except ApiError as exc:
            return error_response(exc.status, exc.type, exc.message, exc.details)
        except WriteRefused as exc:
            return error_response(exc.status, "WriteRefused", exc.message)
        except NoRegistry as exc:
            return error_response(503, "NoRegistry", str(exc))
        except DsgridError as exc:
            return error_response(exc.http_status, type(exc).__name__, exc.message, exc.details)
        if isinstance(result, flask.Response):
            return result
        if isinstance(result, Page):
            return envelope(result.items, status=route.status, next=result.next, total=result.total)
        if isinstance(result, BaseModel):
            result = result.model_dump(mode="json")
        return envelope(result, status=route.status)

    view.__name__ = route.operation_id
    return view
