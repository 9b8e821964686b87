"""Secrets at rest (secret access keys, session secrets): Fernet (AES-128-CBC + HMAC-SHA256).

The key comes from CARGOHOLD_SECRET_KEY (share it between nodes), else from <data dir>/secret.key,
created on first use with mode 0600. Losing the key makes stored secrets unreadable, never readable
by someone else.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from cargohold.config import Settings


class SecretsBox:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def for_settings(cls, settings: Settings) -> SecretsBox:
        if settings.secret_key:
            return cls(settings.secret_key.encode())
        path = settings.resolved_data_dir / "secret.key"
        return cls(_load_or_create(path))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise ValueError(
                "a stored secret cannot be decrypted: is CARGOHOLD_SECRET_KEY the one it was written with?"
            ) from None


def _load_or_create(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    key = Fernet.generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
        handle.flush()
        os.fsync(handle.fileno())
    return key
