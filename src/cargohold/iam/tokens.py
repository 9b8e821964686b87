"""Registry tokens: what `GetAuthorizationToken` and `cargohold login-password` hand out.

A token is `base64url(claims).base64url(HMAC-SHA256(key, claims))`: it names the principal and its
expiry, so any node verifies it with the shared key and no database round trip, and it contains no ':'
(the aws CLI splits `AWS:<token>` on ':'). Verification compares MACs in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections import OrderedDict
from dataclasses import dataclass

from cargohold.iam.principal import Principal

_CACHE_SIZE = 4096


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenInvalid(Exception):
    """Raised with a reason that is safe to show (it never echoes the token)."""


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: float


class TokenSigner:
    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("token key must be at least 32 bytes")
        self._key = key
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())

    def issue(self, principal: Principal, ttl_seconds: int, now: float | None = None) -> IssuedToken:
        issued = time.time() if now is None else now
        claims: dict[str, str | int] = {
            "v": 1,
            "sub": principal.arn,
            "acct": principal.account_id,
            "uid": principal.unique_id,
            "kind": principal.kind,
            "iat": int(issued),
            "exp": int(issued + ttl_seconds),
        }
        payload = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
        return IssuedToken(token=f"{payload}.{self._mac(payload)}", expires_at=float(claims["exp"]))

    def verify(self, token: str, now: float | None = None) -> Principal:
        current = time.time() if now is None else now
        cached = self._verified.get(token)
        if cached is not None:
            principal, expires = cached
            if current < expires:
                return principal
            self._verified.pop(token, None)
            raise TokenInvalid("the registry token has expired; run get-login-password again")
        payload, dot, mac = token.partition(".")
        if not dot or not payload or not mac:
            raise TokenInvalid("the registry token is malformed")
        if not hmac.compare_digest(self._mac(payload), mac):
            raise TokenInvalid("the registry token signature is invalid")
        try:
            claims = json.loads(_unb64(payload))
            principal = Principal(
                arn=str(claims["sub"]),
                account_id=str(claims["acct"]),
                unique_id=str(claims["uid"]),
                kind=str(claims.get("kind", "user")),
            )
            expires = float(claims["exp"])
        except (ValueError, KeyError, TypeError):
            raise TokenInvalid("the registry token is malformed") from None
        if current >= expires:
            raise TokenInvalid("the registry token has expired; run get-login-password again")
        self._verified[token] = (principal, expires)
        if len(self._verified) > _CACHE_SIZE:
            self._verified.popitem(last=False)
        return principal
