from __future__ import annotations

import pytest

from cargohold.registry.digests import parse_digest
from cargohold.registry.errors import DigestInvalid, NameInvalid, TagInvalid
from cargohold.registry.names import validate_repository_name, validate_tag


@pytest.mark.parametrize("name", ["ab", "team/service", "a.b_c__d---e/f0", "x" * 256])
def test_valid_names(name: str) -> None:
    assert validate_repository_name(name) == name


@pytest.mark.parametrize("name", ["a", "A/b", "../x", "a/../b", "a//b", "a/", "-a", "a_", "x" * 257, "a b", "a..b"])
def test_invalid_names(name: str) -> None:
    with pytest.raises(NameInvalid):
        validate_repository_name(name)


@pytest.mark.parametrize("tag", ["latest", "v1.2.3", "_x", "A" * 128])
def test_valid_tags(tag: str) -> None:
    assert validate_tag(tag) == tag


@pytest.mark.parametrize("tag", ["", ".x", "-x", "a/b", "A" * 129, "a:b"])
def test_invalid_tags(tag: str) -> None:
    with pytest.raises(TagInvalid):
        validate_tag(tag)


@pytest.mark.parametrize("value", ["sha256:abc", "md5:" + "a" * 32, "sha256:" + "A" * 64, "nonsense", ""])
def test_invalid_digests(value: str) -> None:
    with pytest.raises(DigestInvalid):
        parse_digest(value)
