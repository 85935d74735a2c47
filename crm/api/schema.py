"""Input schemas: each one validates and converts a JSON body or a query string AND describes
itself as JSON Schema for the OpenAPI document, so what is documented is what is enforced.

Errors are collected per field ("contacts.0.mobile" -> message) in the request's language.
Unknown fields, wrong types, over-long text, control characters and impossible dates are refused.
"""
from __future__ import annotations

import copy
import re
from datetime import date, datetime, timezone
from typing import Any, Callable, Iterable, Mapping, Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm import text_rules
from crm.api.components import component
from crm.enterprises.credit_code import normalize as normalize_credit_code

#: Largest id accepted anywhere (PostgreSQL integer columns); bigger numbers are not ids.
MAX_ID = 2**31 - 1
MISSING: Any = object()

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INT = re.compile(r"-?\d{1,18}")


class Invalid(Exception):
    """Raised by a field with a message for the person who sent the value."""


class Field:
    """One value: `load` converts a JSON value, `parse` a query-string text, `schema` describes it."""

    json_schema: dict = {}

    def __init__(self, *, required: bool = False, nullable: bool = False, default: Any = MISSING,
                 description: Any = None, example: Any = MISSING):
        self.required = required
        self.nullable = nullable
        self.default = default
        self.description = description
        self.example = example

    def schema(self) -> dict:
        out = dict(self.json_schema)
        if self.nullable:
            out = _with_null(out)
        if self.description:
            out["description"] = str(self.description)
        if self.example is not MISSING:
            out["examples"] = [self.example]
        return out

    def load(self, value: Any) -> Any:
        if value is None:
            if self.nullable:
                return None
            raise Invalid(_("不能为空"))
        return self.convert(value)

    def parse(self, text: str) -> Any:
        return self.load(text)

    def required_copy(self) -> "Field":
        clone = copy.copy(self)
        clone.required = True
        return clone

    def optional(self) -> "Field":
        """A copy that may be left out and has no default (for partial updates)."""
        clone = copy.copy(self)
        clone.required, clone.default = False, MISSING
        return clone

    def convert(self, value: Any) -> Any:  # pragma: no cover - every field overrides it
        raise NotImplementedError


def _with_null(schema: dict) -> dict:
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    kind = schema.get("type")
    return {**schema, "type": [kind, "null"]} if isinstance(kind, str) else schema


def clean_text(value: Any, *, multiline: bool) -> str:
    """Text that passes the forms' rule (crm.text_rules), line breaks as LF, stripped."""
    if not isinstance(value, str):
        raise Invalid(_("应为文本"))
    message = text_rules.problem(value, multiline)
    if message:
        raise Invalid(message)
    return (text_rules.normalise_newlines(value) or "").strip()


class Str(Field):
    def __init__(self, max_length: int, *, min_length: int = 1, multiline: bool = False,
                 pattern: Optional[str] = None, pattern_message: Any = None,
                 check: Optional[Callable[[str], str]] = None, **kw):
        super().__init__(**kw)
        self.max_length, self.min_length, self.multiline = max_length, min_length, multiline
        self.pattern = re.compile(pattern) if pattern else None
        self.pattern_message = pattern_message
        self.check = check

    @property
    def json_schema(self) -> dict:  # type: ignore[override]
        out: dict = {"type": "string", "maxLength": self.max_length}
        if self.min_length:
            out["minLength"] = self.min_length
        if self.pattern is not None:
            out["pattern"] = self.pattern.pattern
        return out

    def convert(self, value: Any) -> Optional[str]:
        text = clean_text(value, multiline=self.multiline)
        if not text and self.min_length:
            if self.nullable:
                return None
            raise Invalid(_("不能为空"))
        if len(text) > self.max_length:
            raise Invalid(_("不能超过 %(n)s 个字符（当前 %(len)s 个）", n=self.max_length, len=len(text)))
        if self.pattern is not None and not self.pattern.fullmatch(text):
            raise Invalid(str(self.pattern_message or _("格式不正确")))
        if self.check is not None:
            try:
                text = self.check(text)
            except ValueError as exc:
                raise Invalid(str(exc))
        return text if text or not self.nullable else None


class CreditCode(Str):
    """A unified social credit code, normalised the same way as every form and import."""

    def __init__(self, **kw):
        super().__init__(40, check=normalize_credit_code, **kw)

    @property
    def json_schema(self) -> dict:  # type: ignore[override]
        return {"type": "string", "minLength": 1, "maxLength": 40,
                "description": str(_l("统一社会信用代码（18 位，含校验位；大小写、全角、空格和连字符可接受）"))}


class Int(Field):
    def __init__(self, *, minimum: int = 1, maximum: int = MAX_ID, **kw):
        super().__init__(**kw)
        self.minimum, self.maximum = minimum, maximum

    @property
    def json_schema(self) -> dict:  # type: ignore[override]
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}

    def parse(self, text: str) -> Any:
        if not _INT.fullmatch(text.strip()):
            raise Invalid(_("应为整数"))
        return self.load(int(text))

    def convert(self, value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON Schema counts 3.0 as an integer
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(_("应为整数"))
        if value < self.minimum:
            raise Invalid(_("不能小于 %(n)s", n=self.minimum))
        if value > self.maximum:
            raise Invalid(_("不能大于 %(n)s", n=self.maximum))
        return value


class Bool(Field):
    json_schema = {"type": "boolean"}
    _WORDS = {"true": True, "false": False, "1": True, "0": False}

    def parse(self, text: str) -> Any:
        if text.strip().lower() not in self._WORDS:
            raise Invalid(_("应为 true 或 false"))
        return self._WORDS[text.strip().lower()]

    def convert(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise Invalid(_("应为 true 或 false"))
        return value


class Date(Field):
    json_schema = {"type": "string", "format": "date"}

    def convert(self, value: Any) -> date:
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            raise Invalid(_("日期格式应为 YYYY-MM-DD"))
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise Invalid(_("不存在的日期：%(value)s", value=value))


class DateTime(Field):
    """An RFC 3339 timestamp with its offset (2026-11-24T08:00:00+08:00 or ...Z)."""

    json_schema = {"type": "string", "format": "date-time"}

    def convert(self, value: Any) -> datetime:
        if not isinstance(value, str) or not _DATE.match(value) or len(value) > 40:
            raise Invalid(_("时间格式应为 2026-11-24T08:00:00+08:00"))
        try:
            moment = datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError:
            raise Invalid(_("时间格式应为 2026-11-24T08:00:00+08:00"))
        if moment.tzinfo is None:
            raise Invalid(_("时间须带时区，如 +08:00 或 Z"))
        try:
            return moment.astimezone(timezone.utc)
        except OverflowError:  # 0001-01-01T00:00+01:00 has no UTC equivalent
            raise Invalid(_("时间超出范围"))


class Choice(Field):
    def __init__(self, values: Iterable[str], **kw):
        super().__init__(**kw)
        self.values = list(values)

    @property
    def json_schema(self) -> dict:  # type: ignore[override]
        return {"type": "string", "enum": self.values}

    def convert(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.values:
            raise Invalid(_("应为以下之一：%(values)s", values="、".join(self.values)))
        return value


class ListOf(Field):
    def __init__(self, item: Field, *, max_items: int, unique: bool = False, **kw):
        super().__init__(**kw)
        self.item, self.max_items, self.unique = item, max_items, unique

    @property
    def json_schema(self) -> dict:  # type: ignore[override]
        out = {"type": "array", "items": self.item.schema(), "maxItems": self.max_items}
        if self.unique:
            out["uniqueItems"] = True
        return out

    def convert(self, value: Any) -> list:
        if not isinstance(value, list):
            raise Invalid(_("应为列表"))
        if len(value) > self.max_items:
            raise Invalid(_("最多 %(n)s 项", n=self.max_items))
        errors: dict[str, str] = {}
        out = []
        for i, item in enumerate(value):
            try:
                out.append(self.item.load(item))
            except FieldErrors as exc:
                errors.update({f"{i}.{k}": v for k, v in exc.fields.items()})
            except Invalid as exc:
                errors[str(i)] = str(exc)
        if errors:
            raise FieldErrors(errors)
        if self.unique and len(set(map(repr, out))) != len(out):
            raise Invalid(_("不能有重复项"))
        return out


class FieldErrors(Invalid):
    """Several fields failed; `fields` maps a dotted path to its message."""

    def __init__(self, fields: Mapping[str, str]):
        super().__init__(_("提交的数据有误，请查看各字段的说明"))
        self.fields = dict(fields)


class Schema(Field):
    """A JSON object with known fields; a named one becomes an OpenAPI component."""

    def __init__(self, name: Optional[str], fields: Mapping[str, Field], **kw):
        super().__init__(**kw)
        self.name = name
        self.fields = dict(fields)

    def object_schema(self) -> dict:
        out: dict = {
            "type": "object",
            "properties": {key: f.schema() for key, f in self.fields.items()},
            "additionalProperties": False,
        }
        required = [key for key, f in self.fields.items() if f.required]
        if required:
            out["required"] = required
        if self.description:
            out["description"] = str(self.description)
        return out

    def schema(self) -> dict:
        if self.name:
            out = component(self.name, self.object_schema)
            return _with_null(out) if self.nullable else out
        return _with_null(self.object_schema()) if self.nullable else self.object_schema()

    def convert(self, value: Any) -> dict:
        if not isinstance(value, dict):
            raise Invalid(_("应为 JSON 对象"))
        return self.load_mapping(value, parse=False)

    def load_mapping(self, data: Mapping[str, Any], *, parse: bool) -> dict:
        """Validate every field (query texts when `parse`); raise FieldErrors listing them all."""
        errors: dict[str, str] = {}
        out: dict[str, Any] = {}
        for key in data:
            if key not in self.fields:
                errors[str(key)] = _("不支持的字段")
        for key, f in self.fields.items():
            if key not in data:
                if f.required:
                    errors[key] = _("必填")
                elif f.default is not MISSING:
                    out[key] = f.default
                continue
            try:
                out[key] = f.parse(data[key]) if parse else f.load(data[key])
            except FieldErrors as exc:
                errors.update({f"{key}.{k}": v for k, v in exc.fields.items()})
            except Invalid as exc:
                errors[key] = str(exc)
        if errors:
            raise FieldErrors(errors)
        return out

    def query_parameters(self) -> list[dict]:
        return [
            {"name": key, "in": "query", "required": f.required, "schema": f.schema(),
             **({"description": str(f.description)} if f.description else {})}
            for key, f in self.fields.items()
        ]

    def partial(self, name: Optional[str]) -> "Schema":
        """The same fields, all optional: what a PATCH accepts."""
        return Schema(name, {k: f.optional() for k, f in self.fields.items()},
                      description=self.description)
