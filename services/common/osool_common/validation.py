"""Reusable field types for request models: text that is safe to store and show."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    # PostgreSQL cannot store NUL in text, and other control characters only ever mean mischief in a name.
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


PlainText = Annotated[str, AfterValidator(_no_control_characters)]
