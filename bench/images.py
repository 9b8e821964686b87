"""OCI image layouts of raw random layers for the benchmarks (no compression: we measure the registry)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

LAYER = "application/vnd.oci.image.layer.v1.tar"
CONFIG = "application/vnd.oci.image.config.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def _put(root: Path, data: bytes) -> tuple[str, int]:
    digest = hashlib.sha256(data).hexdigest()
    path = root / "blobs" / "sha256" / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return "sha256:" + digest, len(data)


def make_layout(root: Path, tag: str, layer_sizes: list[int]) -> Path:
    if (root / "index.json").exists():
        return root
    layers = []
    for size in layer_sizes:
        digest, length = _put(root, os.urandom(size))
        layers.append({"mediaType": LAYER, "digest": digest, "size": length})
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [layer["digest"] for layer in layers]},
        }
    ).encode()
    config_digest, config_size = _put(root, config)
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": MANIFEST,
            "config": {"mediaType": CONFIG, "digest": config_digest, "size": config_size},
            "layers": layers,
        }
    ).encode()
    digest, size = _put(root, manifest)
    (root / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    (root / "index.json").write_text(
        json.dumps(
            {
                "schemaVersion": 2,
                "manifests": [
                    {
                        "mediaType": MANIFEST,
                        "digest": digest,
                        "size": size,
                        "annotations": {"org.opencontainers.image.ref.name": tag},
                    }
                ],
            }
        )
    )
    return root
