"""IAM and STS errors, in the codes and statuses AWS's Query APIs use."""

from __future__ import annotations


class IamError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def no_such_entity(message: str) -> IamError:
    return IamError("NoSuchEntity", message, 404)


def already_exists(message: str) -> IamError:
    return IamError("EntityAlreadyExists", message, 409)


def delete_conflict(message: str) -> IamError:
    return IamError("DeleteConflict", message, 409)


def malformed(message: str) -> IamError:
    return IamError("MalformedPolicyDocument", message, 400)
