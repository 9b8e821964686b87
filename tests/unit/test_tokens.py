from __future__ import annotations

import pytest

from cargohold.iam.principal import Principal
from cargohold.iam.tokens import TokenInvalid, TokenSigner

ADMIN = Principal("arn:aws:iam::000000000000:user/admin", "000000000000", "AIDAEXAMPLE")


def test_round_trip_and_no_colon() -> None:
    signer = TokenSigner(b"k" * 32)
    issued = signer.issue(ADMIN, 3600, now=1000)
    assert ":" not in issued.token
    assert issued.expires_at == 4600
    assert signer.verify(issued.token, now=2000).arn == ADMIN.arn


def test_expired() -> None:
    signer = TokenSigner(b"k" * 32)
    token = signer.issue(ADMIN, 60, now=1000).token
    with pytest.raises(TokenInvalid, match="expired"):
        signer.verify(token, now=1061)
    signer.verify(token, now=1030)  # cached as valid...
    with pytest.raises(TokenInvalid, match="expired"):
        signer.verify(token, now=1100)  # ...but the cache honours expiry too


def test_tampered_and_foreign() -> None:
    token = TokenSigner(b"k" * 32).issue(ADMIN, 60).token
    payload, mac = token.split(".")
    with pytest.raises(TokenInvalid):
        TokenSigner(b"k" * 32).verify(payload + "x." + mac)
    with pytest.raises(TokenInvalid):
        TokenSigner(b"other-key-other-key-other-key-xx").verify(token)
    for junk in ("", "abc", ".", "a.b.c"):
        with pytest.raises(TokenInvalid):
            TokenSigner(b"k" * 32).verify(junk)
