"""Reusable field types for request models: text that is safe to store and show."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

_CONTROL_CHARACTERS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_CONTROL = re.compile(f"[{_CONTROL_CHARACTERS}]")


def _no_control_characters(value: str) -> str:
    # PostgreSQL cannot store NUL in text, and other control characters only ever mean mischief in a name.
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


class _DocumentedAsPlain:
    """The rule in the OpenAPI document too (a pattern), so clients and the contract fuzzing know it."""

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.setdefault("pattern", f"^[^{_CONTROL_CHARACTERS}]*$")
        return schema


PlainText = Annotated[str, AfterValidator(_no_control_characters), _DocumentedAsPlain()]
