"""ECR API errors: `{"__type": ..., "message": ...}` with the status AWS uses for each."""

from __future__ import annotations

from typing import ClassVar


class EcrError(Exception):
    type_name: ClassVar[str] = "ServerException"
    status: ClassVar[int] = 400

    def __init__(self, message: str, type_name: str | None = None, status: int | None = None, **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra
        if type_name:
            self.type_name = type_name  # type: ignore[misc]
        if status:
            self.status = status  # type: ignore[misc]


class InvalidParameter(EcrError):
    type_name = "InvalidParameterException"


class ValidationError(EcrError):
    type_name = "ValidationException"


class UnknownOperation(EcrError):
    type_name = "UnknownOperationException"


class SerializationError(EcrError):
    type_name = "SerializationException"


class UnrecognizedClient(EcrError):
    type_name = "UnrecognizedClientException"
    status = 403


class InvalidSignature(EcrError):
    type_name = "InvalidSignatureException"
    status = 403


class MissingAuthenticationToken(EcrError):
    type_name = "MissingAuthenticationTokenException"
    status = 403


class IncompleteSignature(EcrError):
    type_name = "IncompleteSignatureException"
    status = 403


class AccessDenied(EcrError):
    type_name = "AccessDeniedException"
    status = 400
