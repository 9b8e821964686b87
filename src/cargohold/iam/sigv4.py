"""Verification of AWS Signature Version 4, by re-signing the request with botocore's own signer.

We parse what the client claims (access key, date, region, service, signed headers), look up the
secret, let botocore's SigV4Auth compute the signature over exactly the headers the client signed,
and compare in constant time. Both forms: the Authorization header, and the query string
(X-Amz-Signature ...) that pre-signed URLs carry.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

MAX_SKEW = timedelta(minutes=15)
_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),\s*"
    r"Signature=(?P<signature>[0-9a-f]+)$"
)
_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


class SignatureError(Exception):
    """code is the AWS error type (IncompleteSignature, InvalidSignature, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SignedIdentity:
    access_key_id: str
    region: str
    service: str
    session_token: str | None


@dataclass(frozen=True)
class IncomingRequest:
    method: str
    host: str
    raw_path: str
    raw_query: str
    headers: Mapping[str, str]
    body: bytes


SecretLookup = Callable[[str], Awaitable[str | None]]


class _ExactHeadersSigner(SigV4Auth):  # type: ignore[misc]
    """SigV4Auth limited to the headers the client listed in SignedHeaders."""

    def __init__(self, credentials: Credentials, service: str, region: str, signed: list[str]) -> None:
        super().__init__(credentials, service, region)
        self._signed = signed

    def headers_to_sign(self, request: AWSRequest) -> Any:
        from botocore.compat import HTTPHeaders

        header_map = HTTPHeaders()
        for name in self._signed:
            value = request.headers.get(name)
            if value is None:
                raise SignatureError("IncompleteSignature", f"Signed header '{name}' is missing from the request.")
            header_map[name] = value
        return header_map


def _parse_claims(request: IncomingRequest) -> tuple[dict[str, str], bool]:
    header = request.headers.get("Authorization")
    if header:
        match = _AUTH_RE.match(header.strip())
        if not match:
            raise SignatureError(
                "IncompleteSignature",
                "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters "
                "for AWS4-HMAC-SHA256.",
            )
        amz_date = request.headers.get("X-Amz-Date", "")
        return {
            "credential": match["credential"],
            "signed": match["signed"],
            "signature": match["signature"],
            "date": amz_date,
            "token": request.headers.get("X-Amz-Security-Token", ""),
        }, False
    query = dict(parse_qsl(request.raw_query, keep_blank_values=True))
    if "X-Amz-Signature" in query:
        if query.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
            raise SignatureError("IncompleteSignature", "X-Amz-Algorithm must be AWS4-HMAC-SHA256.")
        return {
            "credential": query.get("X-Amz-Credential", ""),
            "signed": query.get("X-Amz-SignedHeaders", ""),
            "signature": query["X-Amz-Signature"],
            "date": query.get("X-Amz-Date", ""),
            "token": query.get("X-Amz-Security-Token", ""),
            "expires": query.get("X-Amz-Expires", ""),
        }, True
    raise SignatureError("MissingAuthenticationToken", "Missing Authentication Token")


async def verify(request: IncomingRequest, lookup: SecretLookup, now: datetime | None = None) -> SignedIdentity:
    claims, presigned = _parse_claims(request)
    parts = claims["credential"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise SignatureError(
            "IncompleteSignature", f"Credential should be scoped to a valid region, not '{claims['credential']}'."
        )
    access_key, date, region, service, _ = parts
    try:
        signed_at = datetime.strptime(claims["date"], _DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise SignatureError("IncompleteSignature", "X-Amz-Date is missing or malformed.") from None
    if date != claims["date"][:8]:
        raise SignatureError("InvalidSignature", "Credential date does not match X-Amz-Date.")
    current = now or datetime.now(UTC)
    if presigned:
        try:
            expires = int(claims.get("expires") or "0")
        except ValueError:
            expires = 0
        if current > signed_at + timedelta(seconds=expires):
            raise SignatureError("InvalidSignature", "Signature expired: the pre-signed URL is no longer valid.")
    elif signed_at < current - MAX_SKEW:
        raise SignatureError(
            "InvalidSignature",
            f"Signature expired: {claims['date']} is now earlier than "
            f"{(current - MAX_SKEW).strftime(_DATE_FORMAT)} ({current.strftime(_DATE_FORMAT)} - 15 min.)",
        )
    elif signed_at > current + MAX_SKEW:
        raise SignatureError(
            "InvalidSignature",
            f"Signature not yet current: {claims['date']} is still later than "
            f"{(current + MAX_SKEW).strftime(_DATE_FORMAT)} ({current.strftime(_DATE_FORMAT)} + 15 min.)",
        )
    secret = await lookup(access_key)
    if secret is None:
        raise SignatureError("UnrecognizedClient", "The security token included in the request is invalid.")
    candidates = [_signature(request, claims, presigned, access_key, secret, region, service, unsigned=False)]
    if presigned:  # S3-style pre-signed URLs sign UNSIGNED-PAYLOAD instead of the body's hash
        candidates.append(_signature(request, claims, presigned, access_key, secret, region, service, unsigned=True))
    if not any([hmac.compare_digest(expected, claims["signature"]) for expected in candidates]):
        raise SignatureError(
            "InvalidSignature",
            "The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.",
        )
    return SignedIdentity(access_key, region, service, claims["token"] or None)


def _joined(headers: Mapping[str, str]) -> dict[str, str]:
    """Repeated headers sign as one, their values joined by ',' (SigV4's canonical form)."""
    joined: dict[str, str] = {}
    items = headers.items()
    for name, value in items:
        key = name.lower()
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    return joined


def _signature(
    request: IncomingRequest,
    claims: dict[str, str],
    presigned: bool,
    access_key: str,
    secret: str,
    region: str,
    service: str,
    *,
    unsigned: bool,
) -> str:
    query = request.raw_query
    if presigned:
        pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "X-Amz-Signature"]
        query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in pairs)
    url = f"http://{request.host}{request.raw_path}" + (f"?{query}" if query else "")
    aws_request = AWSRequest(method=request.method, url=url, headers=_joined(request.headers), data=request.body)
    aws_request.context["timestamp"] = claims["date"]
    signer = _ExactHeadersSigner(
        Credentials(access_key, secret, claims["token"] or None), service, region, claims["signed"].split(";")
    )
    if unsigned:
        aws_request.headers["X-Amz-Content-SHA256"] = "UNSIGNED-PAYLOAD"
    canonical = signer.canonical_request(aws_request)
    return str(signer.signature(signer.string_to_sign(aws_request, canonical), aws_request))
