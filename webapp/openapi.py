"""A declarative API route table that registers the Flask routes AND writes the OpenAPI document.

Each endpoint is declared once, with ``RouteTable.route(...)``: its method, path, summary and
the pydantic/SQLModel models of its query, body and response. The same declaration adds the
URL rule to the blueprint and a path item to the document, so the two cannot drift apart.

The wrapper around each handler does the HTTP chores the declaration implies: it validates the
query string into the query model (422 on bad values), reads the JSON body (400 when it is not
a JSON object) and serialises the returned model in JSON mode (money and dates as strings).
The body is handed to the handler as a plain dict: the operation validates it after the
handler has loaded and authorized the case, so permission answers (404, 403) come first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, jsonify, request
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from werkzeug.exceptions import BadRequest

from cases.errors import N_, ValidationError
from cases.validation import FORM_ERROR, parse

REF_TEMPLATE = "#/components/schemas/{model}"
_RULE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_PARAM_TYPES = {"int": {"type": "integer"}, None: {"type": "string"}, "string": {"type": "string"}}


class BadJSON(Exception):
    """The request body is not JSON at all (answered with 400)."""


@dataclass(frozen=True)
class ApiRoute:
    method: str
    rule: str  # Flask syntax: /cases/<int:case_id>
    endpoint: str
    summary: str
    tag: str = "cases"
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    location: bool = False  # a 201 that names the new resource in its Location header
    public: bool = False
    errors: tuple[int, ...] = ()

    @property
    def path(self) -> str:
        """The OpenAPI path template: /cases/{case_id}."""
        return _RULE_PARAM.sub(r"{\2}", self.rule)

    @property
    def path_params(self) -> list[tuple[str, str | None]]:
        return [(name, conv) for conv, name in _RULE_PARAM.findall(self.rule)]


@dataclass
class RouteTable:
    blueprint: Blueprint
    url_prefix: str
    routes: list[ApiRoute] = field(default_factory=list)

    def route(self, method: str, rule: str, *, summary: str, **options: Any) -> Callable:
        def decorator(view: Callable) -> Callable:
            spec = ApiRoute(
                method=method, rule=rule, endpoint=view.__name__, summary=summary, **options
            )
            self.routes.append(spec)
            self.blueprint.add_url_rule(rule, spec.endpoint, _wrap(spec, view), methods=[method])
            return view

        return decorator

    def is_public(self, endpoint: str | None) -> bool:
        return any(
            r.public and f"{self.blueprint.name}.{r.endpoint}" == endpoint for r in self.routes
        )


def _json_body() -> dict[str, Any]:
    try:
        data = request.get_json(force=True)
    except BadRequest:
        raise BadJSON from None
    if not isinstance(data, dict):
        raise ValidationError.single(FORM_ERROR, N_("An object is expected"))
    return data


def _wrap(spec: ApiRoute, view: Callable) -> Callable:
    @wraps(view)
    def handler(**path: Any):
        kwargs: dict[str, Any] = dict(path)
        if spec.query is not None:
            kwargs["query"] = parse(spec.query, request.args.to_dict())
        if spec.body is not None:
            kwargs["body"] = _json_body()
        result = view(**kwargs)
        headers: dict[str, str] = {}
        if isinstance(result, tuple):
            result, headers = result
        if spec.response is not None:
            if not isinstance(result, spec.response):
                raise TypeError(
                    f"{spec.endpoint} returned {type(result).__name__}, "
                    f"declared {spec.response.__name__}"
                )
            result = result.model_dump(mode="json")
        return jsonify(result), spec.status, headers

    return handler


# ---- the document -------------------------------------------------------------------------

ERROR_RESPONSES = {
    400: "The request body is not valid JSON",
    401: "Missing, invalid or revoked bearer token",
    403: "The role may not do this",
    404: "No such resource, or not visible to the caller",
    422: "Validation failed; `fields` maps field names to messages",
}


def _schemas(table: RouteTable, error_model: type[BaseModel]) -> tuple[dict, dict]:
    """One ``components.schemas`` for every model, and the ref of each (model, mode)."""
    wanted: list[tuple[type[BaseModel], str]] = [(error_model, "serialization")]
    for r in table.routes:
        wanted += [(m, "validation") for m in (r.query, r.body) if m is not None]
        if r.response is not None:
            wanted.append((r.response, "serialization"))
    refs, defs = models_json_schema(list(dict.fromkeys(wanted)), ref_template=REF_TEMPLATE)
    return refs, defs.get("$defs", {})


def _query_parameters(model: type[BaseModel], ref: dict, schemas: dict) -> list[dict]:
    schema = schemas[ref["$ref"].rsplit("/", 1)[1]]
    required = set(schema.get("required", ()))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None) or model.model_fields[name].description
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def _operation(r: ApiRoute, refs: dict, schemas: dict) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": r.endpoint, "summary": r.summary, "tags": [r.tag]}
    params = [
        {"name": name, "in": "path", "required": True, "schema": _PARAM_TYPES[conv]}
        for name, conv in r.path_params
    ]
    if r.query is not None:
        params += _query_parameters(r.query, refs[(r.query, "validation")], schemas)
    if params:
        op["parameters"] = params
    if r.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(r.body, "validation")]}},
        }
    ok: dict[str, Any] = {"description": "Success" if r.status != 201 else "Created"}
    if r.response is not None:
        ok["content"] = {"application/json": {"schema": refs[(r.response, "serialization")]}}
    if r.location:
        ok["headers"] = {
            "Location": {"description": "URL of the new resource", "schema": {"type": "string"}}
        }
    responses: dict[str, Any] = {str(r.status): ok}
    codes = set(r.errors) | (set() if r.public else {401})
    codes |= {400, 422} if r.body is not None else set()
    codes |= {422} if r.query is not None else set()
    codes |= {404} if r.path_params else set()
    for code in sorted(codes):
        responses[str(code)] = {"$ref": f"#/components/responses/E{code}"}
    op["responses"] = responses
    if r.public:
        op["security"] = []
    return op


def build_document(
    table: RouteTable, *, title: str, version: str, description: str, error_model: type[BaseModel]
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every route in ``table``."""
    refs, schemas = _schemas(table, error_model)
    error_ref = refs[(error_model, "serialization")]
    paths: dict[str, dict[str, Any]] = {}
    for r in table.routes:
        paths.setdefault(table.url_prefix + r.path, {})[r.method.lower()] = _operation(
            r, refs, schemas
        )
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `flask users token EMAIL`.",
                }
            },
            "responses": {
                f"E{code}": {
                    "description": text,
                    "content": {"application/json": {"schema": error_ref}},
                }
                for code, text in ERROR_RESPONSES.items()
            },
        },
    }
