"""botocore's ECR service model as the single source of shapes: input validation and output encoding.

botocore validates only `required`, `min` and types on the client; the server must enforce patterns,
maximum lengths, enums and list sizes, and report them in ECR's words.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from functools import lru_cache
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape

from cargohold.faces.ecr.errors import InvalidParameter, SerializationError


@lru_cache(maxsize=1)
def ecr_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("ecr")


@lru_cache(maxsize=256)
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _invalid(path: str, constraint: str) -> InvalidParameter:
    return InvalidParameter(f"Invalid parameter at '{path}' failed to satisfy constraint: '{constraint}'")


def validate(shape: Shape, value: Any, path: str = "") -> None:
    """Check `value` against `shape` the way ECR does, raising InvalidParameterException."""
    kind = shape.type_name
    meta = shape.metadata
    where = path or shape.name
    if kind == "structure":
        if not isinstance(value, dict):
            raise SerializationError(f"Start of structure or map found where not expected at '{where}'")
        for name in shape.required_members:
            if value.get(name) is None:
                raise _invalid(f"{path + '.' if path else ''}{name}", "Member must not be null")
        for name, member_value in value.items():
            if name not in shape.members:
                continue  # AWS ignores unknown members
            if member_value is None:
                continue
            validate(shape.members[name], member_value, f"{path + '.' if path else ''}{name}")
        return
    if kind == "list":
        if not isinstance(value, list):
            raise SerializationError(f"Expected list or null at '{where}'")
        _check_length(len(value), meta, where)
        for index, item in enumerate(value):
            validate(shape.member, item, f"{where}.{index + 1}.member")  # type: ignore[attr-defined]
        return
    if kind == "map":
        if not isinstance(value, dict):
            raise SerializationError(f"Expected map or null at '{where}'")
        _check_length(len(value), meta, where)
        for key, item in value.items():
            validate(shape.key, key, f"{where}.key")  # type: ignore[attr-defined]
            validate(shape.value, item, f"{where}.{key}")  # type: ignore[attr-defined]
        return
    if kind == "string":
        if not isinstance(value, str):
            raise SerializationError(f"Expected string at '{where}'")
        _check_length(len(value), meta, where)
        enum = meta.get("enum")
        if enum and value not in enum:
            raise _invalid(where, f"Member must satisfy enum value set: [{', '.join(enum)}]")
        pattern = meta.get("pattern")
        if pattern and not _pattern(pattern).fullmatch(value):
            raise _invalid(where, f"Member must satisfy regular expression pattern: {pattern}")
        return
    if kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise SerializationError(f"Expected number at '{where}'")
        if "min" in meta and value < meta["min"]:
            raise _invalid(where, f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            raise _invalid(where, f"Member must have value less than or equal to {meta['max']}")
        return
    if kind == "boolean":
        if not isinstance(value, bool):
            raise SerializationError(f"Expected boolean at '{where}'")
        return
    if kind == "blob":
        if not isinstance(value, str):
            raise SerializationError(f"Expected base64 string at '{where}'")
        return
    if kind == "timestamp" and not isinstance(value, (int, float, str)):
        raise SerializationError(f"Expected timestamp at '{where}'")


def _check_length(length: int, meta: dict[str, Any], where: str) -> None:
    if "min" in meta and length < meta["min"]:
        raise _invalid(where, f"Member must have length greater than or equal to {meta['min']}")
    if "max" in meta and length > meta["max"]:
        raise _invalid(where, f"Member must have length less than or equal to {meta['max']}")


def decode_blob(value: str, where: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        raise SerializationError(f"Invalid base64 at '{where}'") from None


def serialize(shape: Shape | None, value: Any) -> Any:
    """Encode a handler's plain result per the output shape (timestamps as epoch seconds)."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        return {
            name: serialize(shape.members[name], item)
            for name, item in value.items()
            if name in shape.members and item is not None
        }
    if kind == "list":
        return [serialize(shape.member, item) for item in value]  # type: ignore[attr-defined]
    if kind == "map":
        return {key: serialize(shape.value, item) for key, item in value.items()}  # type: ignore[attr-defined]
    if kind == "timestamp":
        return round(value.timestamp(), 3) if isinstance(value, datetime) else value
    if kind == "blob":
        return base64.b64encode(value).decode() if isinstance(value, bytes) else value
    return value


def operation(name: str) -> OperationModel | None:
    try:
        return ecr_model().operation_model(name)
    except Exception:
        return None
