"""Parse and validate a manifest's bytes into the facts the registry records.

Validation is structural (what the spec requires of each media type); whether the referenced blobs
and child manifests exist is the registry's question, answered against its database.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from cargohold.manifests import media_types as mt
from cargohold.registry.errors import ManifestInvalid

_DIGEST_RE = re.compile(r"^sha256:[a-f0-9]{64}$")
_MEDIA_TYPE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$")


@dataclass(frozen=True)
class Descriptor:
    media_type: str
    digest: str
    size: int
    artifact_type: str | None = None
    annotations: dict[str, str] | None = None
    platform: dict[str, Any] | None = None
    has_urls: bool = False


@dataclass
class ParsedManifest:
    media_type: str
    config: Descriptor | None = None
    layers: list[Descriptor] = field(default_factory=list)
    children: list[Descriptor] = field(default_factory=list)
    subject: Descriptor | None = None
    artifact_type: str | None = None
    annotations: dict[str, str] | None = None

    @property
    def is_index(self) -> bool:
        return self.media_type in mt.INDEXES

    @property
    def blob_digests(self) -> list[str]:
        """Blobs that must exist in the repository: config and layers, except foreign (urls) layers."""
        digests = [self.config.digest] if self.config else []
        digests += [layer.digest for layer in self.layers if not layer.has_urls]
        return list(dict.fromkeys(digests))

    @property
    def effective_artifact_type(self) -> str | None:
        """artifactType as the referrers API reports it: explicit, else the config's media type."""
        if self.artifact_type:
            return self.artifact_type
        if self.config and not self.is_index:
            return self.config.media_type
        return None


def _fail(message: str, detail: Any = None) -> ManifestInvalid:
    return ManifestInvalid(f"manifest invalid: {message}", detail)


def _descriptor(raw: Any, where: str) -> Descriptor:
    if not isinstance(raw, dict):
        raise _fail(f"{where} must be an object")
    media_type = raw.get("mediaType")
    digest = raw.get("digest")
    size = raw.get("size")
    if not isinstance(media_type, str) or not _MEDIA_TYPE_RE.match(media_type):
        raise _fail(f"{where}.mediaType must be a media type")
    if not isinstance(digest, str) or not _DIGEST_RE.match(digest):
        raise _fail(f"{where}.digest must be a sha256 digest", {"digest": digest})
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise _fail(f"{where}.size must be a non-negative integer")
    annotations = raw.get("annotations")
    if annotations is not None and not (
        isinstance(annotations, dict) and all(isinstance(v, str) for v in annotations.values())
    ):
        raise _fail(f"{where}.annotations must map strings to strings")
    artifact_type = raw.get("artifactType")
    if artifact_type is not None and not isinstance(artifact_type, str):
        raise _fail(f"{where}.artifactType must be a string")
    platform = raw.get("platform")
    if platform is not None and not isinstance(platform, dict):
        raise _fail(f"{where}.platform must be an object")
    urls = raw.get("urls")
    return Descriptor(
        media_type=media_type,
        digest=digest,
        size=size,
        artifact_type=artifact_type,
        annotations=annotations,
        platform=platform,
        has_urls=bool(urls),
    )


def parse_manifest(body: bytes, content_type: str | None) -> ParsedManifest:
    """Validate `body` as the media type the client declared (or the one the body names)."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _fail(f"body is not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise _fail("a manifest is a JSON object")
    declared = (content_type or "").split(";")[0].strip().lower()
    body_type = document.get("mediaType")
    if body_type is not None and not isinstance(body_type, str):
        raise _fail("mediaType must be a string")
    if declared in ("", "application/json", "application/octet-stream"):
        declared = body_type or ""
    if not declared:
        raise _fail("set Content-Type (or mediaType) to the manifest's media type")
    if declared in (mt.DOCKER_SCHEMA1, mt.DOCKER_SCHEMA1_SIGNED):
        raise _fail("Docker schema 1 manifests are deprecated and not accepted; push schema 2 or OCI")
    if declared not in mt.SUPPORTED:
        raise _fail(f"unsupported manifest media type {declared!r}")
    if body_type is not None and body_type != declared:
        raise _fail(f"mediaType {body_type!r} does not match Content-Type {declared!r}")
    if document.get("schemaVersion") != 2:
        raise _fail("schemaVersion must be 2")
    if declared in (mt.DOCKER_MANIFEST, mt.DOCKER_MANIFEST_LIST) and body_type is None:
        raise _fail("Docker manifests must carry mediaType")

    annotations = document.get("annotations")
    if annotations is not None and not isinstance(annotations, dict):
        raise _fail("annotations must be an object")
    artifact_type = document.get("artifactType")
    if artifact_type is not None and (not isinstance(artifact_type, str) or not _MEDIA_TYPE_RE.match(artifact_type)):
        raise _fail("artifactType must be a media type")
    subject = _descriptor(document["subject"], "subject") if document.get("subject") is not None else None
    if subject is not None and declared not in mt.OCI_TYPES:
        raise _fail("only OCI manifests and indexes may have a subject")

    parsed = ParsedManifest(media_type=declared, subject=subject, artifact_type=artifact_type, annotations=annotations)
    if declared in mt.IMAGE_MANIFESTS:
        if "config" not in document:
            raise _fail("config is required")
        parsed.config = _descriptor(document["config"], "config")
        layers = document.get("layers")
        if not isinstance(layers, list):
            raise _fail("layers must be an array")
        parsed.layers = [_descriptor(layer, f"layers[{i}]") for i, layer in enumerate(layers)]
    else:
        children = document.get("manifests")
        if not isinstance(children, list):
            raise _fail("manifests must be an array")
        parsed.children = [_descriptor(child, f"manifests[{i}]") for i, child in enumerate(children)]
    return parsed
