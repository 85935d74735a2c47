"""The human-readable API documentation: a server-rendered page made from the OpenAPI document
itself (so it cannot drift from it), using only files the app serves."""
from __future__ import annotations

from typing import Any, Iterator

from flask import render_template
from flask_babel import gettext as _

from crm.api import bp
from crm.api.openapi import document
from crm.api.pagination import MAX_PER_PAGE
from crm.api.payload import max_body_bytes


def _resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def type_text(doc: dict, schema: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "oneOf" in schema:
        return " | ".join(type_text(doc, s) for s in schema["oneOf"])
    kind = schema.get("type", "any")
    kinds = kind if isinstance(kind, list) else [kind]
    out = []
    for k in kinds:
        if k == "array":
            out.append(f"[{type_text(doc, schema.get('items', {}))}]")
        elif k == "string" and schema.get("format"):
            out.append(f"string ({schema['format']})")
        else:
            out.append(str(k))
    return " | ".join(out)


def constraints(schema: dict) -> str:
    parts = []
    if "enum" in schema:
        parts.append(" / ".join("null" if v is None else str(v) for v in schema["enum"]))
    labels = {"minLength": _("至少 %(n)s 个字符"), "maxLength": _("最多 %(n)s 个字符"),
              "minimum": "≥ %(n)s", "maximum": "≤ %(n)s", "maxItems": _("最多 %(n)s 项"),
              "pattern": "%(n)s"}
    for key, label in labels.items():
        if key in schema:
            parts.append(label % {"n": schema[key]})
    return "；".join(parts)


def fields(doc: dict, schema: dict, prefix: str = "", depth: int = 0) -> Iterator[dict[str, Any]]:
    """The properties of an object schema as table rows, nested objects flattened (a.b, a[].b)."""
    schema = _resolve(doc, schema)
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        target = _resolve(doc, prop.get("items", {})) if prop.get("type") == "array" else _resolve(doc, prop)
        yield {"name": prefix + name, "type": type_text(doc, prop), "required": name in required,
               "constraints": constraints(prop), "description": prop.get("description", "")}
        if target.get("properties") and depth < 3:
            child = f"{prefix}{name}[]." if prop.get("type") == "array" else f"{prefix}{name}."
            yield from fields(doc, target, child, depth + 1)


def _operations(doc: dict) -> list[dict]:
    sections: dict[str, list[dict]] = {t["name"]: [] for t in doc.get("tags", [])}
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            responses = []
            for status, reply in op["responses"].items():
                if "$ref" in reply:
                    reply = doc["components"]["responses"][reply["$ref"].rsplit("/", 1)[-1]]
                schema = reply.get("content", {}).get("application/json", {}).get("schema")
                responses.append({"status": status, "description": reply.get("description", ""),
                                  "type": type_text(doc, schema) if schema else "",
                                  "headers": list(reply.get("headers", {}))})
            sections.setdefault(op["tags"][0], []).append({
                "id": op["operationId"], "method": method.upper(), "path": path, "op": op,
                "parameters": [{**p, "type": type_text(doc, p["schema"]),
                                "constraints": constraints(p["schema"])} for p in op.get("parameters", [])],
                "body": list(fields(doc, body)) if body else None,
                "body_type": type_text(doc, body) if body else "",
                "responses": responses,
            })
    return [{"tag": t, "operations": ops} for t, ops in sections.items() if ops]


@bp.route("/docs")
def docs():
    doc = document()
    schemas = [{"name": name, "fields": list(fields(doc, schema))}
               for name, schema in doc["components"]["schemas"].items()]
    return render_template("api/docs.html", doc=doc, sections=_operations(doc), schemas=schemas,
                           tag_names={t["name"]: t["description"] for t in doc["tags"]},
                           max_per_page=MAX_PER_PAGE, max_kb=max_body_bytes() // 1024)
