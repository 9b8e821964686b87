"""skopeo, a real client, pushing and pulling through the /v2 face."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.images import make_image, make_multiarch
from tests.support.server import RunningServer


def skopeo(server: RunningServer, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    creds = f"AWS:{server.token()}"
    command = ["skopeo", *args]
    # Every registry-facing subcommand takes --creds / --src-creds / --dest-creds; add the right one.
    sub = args[0]
    if sub == "copy":
        command += ["--src-creds", creds, "--dest-creds", creds, "--src-tls-verify=false", "--dest-tls-verify=false"]
    else:
        command += ["--creds", creds, "--tls-verify=false"]
    return subprocess.run(command, capture_output=True, text=True, check=check, timeout=600)


def test_copy_multilayer_image_in_and_out(server: RunningServer, repo: str, tmp_path: Path) -> None:
    source = make_image(tmp_path / "src", "v1", (300_000, 100_000, 50_000, 2_000))
    skopeo(server, "copy", source.ref("v1"), f"docker://{server.host}/{repo}:v1")
    skopeo(server, "copy", f"docker://{server.host}/{repo}:v1", f"oci:{tmp_path / 'out'}:v1")

    out_index = json.loads((tmp_path / "out" / "index.json").read_text())
    assert out_index["manifests"][0]["digest"] == source.manifests["v1"]
    for blob in (tmp_path / "src" / "blobs" / "sha256").iterdir():
        pulled = tmp_path / "out" / "blobs" / "sha256" / blob.name
        assert pulled.read_bytes() == blob.read_bytes()

    inspect = json.loads(skopeo(server, "inspect", f"docker://{server.host}/{repo}:v1").stdout)
    assert inspect["Digest"] == source.manifests["v1"]
    assert len(inspect["Layers"]) == 4


def test_copy_multiarch_index(server: RunningServer, repo: str, tmp_path: Path) -> None:
    source = make_multiarch(tmp_path / "src", "multi")
    skopeo(server, "copy", "--all", source.ref("multi"), f"docker://{server.host}/{repo}:multi")
    raw = skopeo(server, "inspect", "--raw", f"docker://{server.host}/{repo}:multi").stdout
    index = json.loads(raw)
    assert index["mediaType"] == "application/vnd.oci.image.index.v1+json"
    assert len(index["manifests"]) == 2
    skopeo(server, "copy", "--all", f"docker://{server.host}/{repo}:multi", f"oci:{tmp_path / 'out'}:multi")
    out_index = json.loads((tmp_path / "out" / "index.json").read_text())
    assert out_index["manifests"][0]["digest"] == source.manifests["multi"]


def test_list_tags_and_delete(server: RunningServer, repo: str, tmp_path: Path) -> None:
    source = make_image(tmp_path / "src", "v1", (1000,))
    for tag in ("a", "b", "c"):
        skopeo(server, "copy", source.ref("v1"), f"docker://{server.host}/{repo}:{tag}")
    tags = json.loads(skopeo(server, "list-tags", f"docker://{server.host}/{repo}").stdout)["Tags"]
    assert tags == ["a", "b", "c"]
    skopeo(server, "delete", f"docker://{server.host}/{repo}:b")
    # skopeo deletes by digest: the manifest goes, and with it every tag that named it.
    tags = json.loads(skopeo(server, "list-tags", f"docker://{server.host}/{repo}").stdout)["Tags"]
    assert tags == []
    failed = skopeo(server, "inspect", f"docker://{server.host}/{repo}:a", check=False)
    assert failed.returncode != 0
    assert "manifest unknown" in failed.stderr.lower()


def test_push_to_missing_repository_is_name_unknown(server: RunningServer, tmp_path: Path) -> None:
    source = make_image(tmp_path / "src", "v1", (1000,))
    failed = skopeo(server, "copy", source.ref("v1"), f"docker://{server.host}/no/such-repo:v1", check=False)
    assert failed.returncode != 0
    assert "does not exist in the registry with id '000000000000'" in failed.stderr


def test_login_with_password_stdin(server: RunningServer, tmp_path: Path) -> None:
    authfile = tmp_path / "auth.json"
    password = server.cli("login-password").stdout
    login = subprocess.run(
        [
            "skopeo",
            "login",
            "--authfile",
            str(authfile),
            "--tls-verify=false",
            "--username",
            "AWS",
            "--password-stdin",
            server.host,
        ],
        input=password,
        capture_output=True,
        text=True,
    )
    assert login.returncode == 0, login.stderr
    assert "Login Succeeded" in login.stdout
    bad = subprocess.run(
        [
            "skopeo",
            "login",
            "--authfile",
            str(authfile),
            "--tls-verify=false",
            "--username",
            "AWS",
            "--password-stdin",
            server.host,
        ],
        input="not-a-token",
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0
