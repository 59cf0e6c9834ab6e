"""A quick test for the common case: a serverConfig whose every field is one people write with a
value of plainly the right type. Such a config cannot fail the pydantic model, so the model, and
pydantic's import (about 0.2 s, most of a one-service run), is only needed when something looks
off. tests/test_server_config.py proves on many configs that the two agree.

Only a subset of the model's fields is known here; any other field sends the config to the model.
"""

from __future__ import annotations

import math
from typing import Any, Callable


def _number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _integer(value: Any) -> bool:
    return type(value) is int or (type(value) is float and math.isfinite(value) and value.is_integer())


def _non_negative(value: Any) -> bool:
    return _integer(value) and value >= 0


def _port(value: Any) -> bool:
    return _integer(value) and 1 <= value <= 65535


def _text(value: Any) -> bool:
    return type(value) is str


def _texts(value: Any) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def _open_close(value: Any) -> bool:
    return value in ("open", "close")


def _anything(value: Any) -> bool:
    return True


def _or_null(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: value is None or test(value)


PLAIN_FIELDS: dict[str, Callable[[Any], bool]] = {
    "Cpu": _or_null(_number), "Mem": _or_null(_number),
    "MinNum": _or_null(_integer), "MaxNum": _or_null(_integer),
    "OpenAccessTypes": _or_null(_texts), "InternalAccess": _or_null(_open_close),
    "SessionAffinity": _or_null(_open_close), "InternalDomain": _or_null(_text),
    "Port": _or_null(_port), "EnvParams": _anything, "InitialDelaySeconds": _or_null(_non_negative),
    "Dockerfile": _or_null(_text), "BuildDir": _or_null(_text), "Tag": _or_null(_text),
    "EntryPoint": _or_null(_texts), "Cmd": _or_null(_texts), "CustomLogs": _or_null(_text),
}


def plainly_valid(data: dict) -> bool:
    """True when every field is in PLAIN_FIELDS with a value of the right type."""
    for name, value in data.items():
        test = PLAIN_FIELDS.get(name)
        if test is None or not test(value):
            return False
    return True
