"""oras (the PyPI client) pushing and pulling OCI artifacts and referrers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import oras.client
import oras.oci
import pytest

from tests.support.server import RunningServer


@pytest.fixture
def oras_client(server: RunningServer) -> oras.client.OrasClient:
    client = oras.client.OrasClient(hostname=server.host, insecure=True, auth_backend="basic")
    # OrasClient.login() goes through a Docker engine; set the same Basic credentials directly.
    client.auth.set_basic_auth("AWS", server.token())
    return client


def test_push_and_pull_artifact(
    server: RunningServer,
    repo: str,
    oras_client: oras.client.OrasClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("hello.txt").write_text("hello from cargohold\n")
    Path("data.bin").write_bytes(os.urandom(200_000))
    response = oras_client.push(target=f"{server.host}/{repo}:artifact", files=["hello.txt", "data.bin"])
    assert response.status_code == 201
    out = tmp_path / "out"
    files = oras_client.pull(target=f"{server.host}/{repo}:artifact", outdir=str(out))
    assert sorted(Path(f).name for f in files) == ["data.bin", "hello.txt"]
    assert (out / "hello.txt").read_text() == "hello from cargohold\n"
    assert (out / "data.bin").read_bytes() == Path("data.bin").read_bytes()
    assert oras_client.get_tags(f"{server.host}/{repo}") == ["artifact"]


def test_push_referrer_and_list_it(
    server: RunningServer,
    repo: str,
    oras_client: oras.client.OrasClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("app.txt").write_text("the application\n")
    oras_client.push(target=f"{server.host}/{repo}:app", files=["app.txt"])
    subject_manifest = oras_client.get_manifest(f"{server.host}/{repo}:app")
    subject = oras.oci.Subject.from_manifest(subject_manifest)

    Path("sbom.json").write_text(json.dumps({"spdxVersion": "SPDX-2.3"}))
    Path("config.json").write_text("{}")
    response = oras_client.push(
        target=f"{server.host}/{repo}:sbom",
        files=["sbom.json"],
        subject=subject,
        manifest_config="config.json:application/vnd.example.sbom.config",
    )
    assert response.status_code == 201
    assert response.headers["OCI-Subject"] == subject.digest

    with server.client() as http:
        listing = http.get(f"/v2/{repo}/referrers/{subject.digest}").json()
        assert [d["artifactType"] for d in listing["manifests"]] == ["application/vnd.example.sbom.config"]
        filtered = http.get(
            f"/v2/{repo}/referrers/{subject.digest}", params={"artifactType": "application/none"}
        ).json()
        assert filtered["manifests"] == []
    files = oras_client.pull(target=f"{server.host}/{repo}:sbom", outdir=str(tmp_path / "o"))
    assert Path(files[0]).read_text() == json.dumps({"spdxVersion": "SPDX-2.3"})
