"""Expiring download URLs that cargohold itself serves (GetDownloadUrlForLayer on the fs driver),
the way ECR hands out pre-signed S3 URLs. HMAC-SHA256 over the path and expiry, compared in
constant time."""

from __future__ import annotations

import hashlib
import hmac
import time


class UrlSigner:
    def __init__(self, key: bytes) -> None:
        self._key = hashlib.sha256(b"download-url:" + key).digest()

    def _mac(self, path: str, expires: int) -> str:
        return hmac.new(self._key, f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def sign(self, path: str, ttl_seconds: int, now: float | None = None) -> str:
        expires = int((time.time() if now is None else now) + ttl_seconds)
        return f"{path}?X-Cargohold-Expires={expires}&X-Cargohold-Signature={self._mac(path, expires)}"

    def valid(self, path: str, expires: str, signature: str, now: float | None = None) -> bool:
        try:
            expiry = int(expires)
        except ValueError:
            return False
        if (time.time() if now is None else now) > expiry:
            return False
        return hmac.compare_digest(self._mac(path, expiry), signature)
