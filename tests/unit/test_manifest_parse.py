from __future__ import annotations

import json

import pytest

from cargohold.manifests import media_types as mt
from cargohold.manifests.parse import parse_manifest
from cargohold.registry.errors import ManifestInvalid

D1 = "sha256:" + "a" * 64
D2 = "sha256:" + "b" * 64


def image(**extra: object) -> bytes:
    doc = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": D1, "size": 1},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": D2, "size": 2}],
    }
    doc.update(extra)
    return json.dumps(doc).encode()


def test_image_manifest() -> None:
    parsed = parse_manifest(image(), mt.OCI_MANIFEST)
    assert parsed.blob_digests == [D1, D2]
    assert parsed.effective_artifact_type == "application/vnd.oci.image.config.v1+json"
    assert not parsed.is_index


def test_artifact_type_and_subject() -> None:
    parsed = parse_manifest(
        image(artifactType="application/x.sig", subject={"mediaType": mt.OCI_MANIFEST, "digest": D1, "size": 3}),
        None,
    )
    assert parsed.effective_artifact_type == "application/x.sig"
    assert parsed.subject is not None and parsed.subject.digest == D1


def test_foreign_layers_not_required() -> None:
    doc = json.loads(image())
    doc["layers"][0]["urls"] = ["https://example.invalid/layer"]
    assert parse_manifest(json.dumps(doc).encode(), mt.OCI_MANIFEST).blob_digests == [D1]


@pytest.mark.parametrize(
    "body,content_type",
    [
        (b"nope", mt.OCI_MANIFEST),
        (image(), mt.OCI_INDEX),
        (image(schemaVersion=1), mt.OCI_MANIFEST),
        (image(subject={"mediaType": "x/y", "digest": "bad", "size": 1}), mt.OCI_MANIFEST),
        (image(layers="x"), mt.OCI_MANIFEST),
        (json.dumps({"schemaVersion": 2, "mediaType": mt.DOCKER_MANIFEST_LIST, "manifests": [{}]}).encode(), None),
        (json.dumps({"schemaVersion": 2, "config": {}, "layers": []}).encode(), mt.DOCKER_MANIFEST),
        (image(), "application/vnd.unknown+json"),
        (image(mediaType=None), None),
    ],
)
def test_invalid(body: bytes, content_type: str | None) -> None:
    with pytest.raises(ManifestInvalid):
        parse_manifest(body, content_type)
