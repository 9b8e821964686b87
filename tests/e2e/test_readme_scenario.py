"""The README's first-session scenario, run verbatim with the aws CLI and skopeo."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.images import make_image
from tests.support.server import RunningServer

README = Path(__file__).resolve().parents[2] / "README.md"


def scenario_lines() -> list[str]:
    text = README.read_text()
    block = re.search(r"<!-- scenario:start -->\s*```sh\n(.*?)```\s*<!-- scenario:end -->", text, re.S)
    assert block, "README lost its scenario block"
    return [line for line in block[1].splitlines() if line.strip()]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_readme_scenario(server_factory, backend: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server: RunningServer = server_factory(backend)
    make_image(tmp_path / "my-image", "latest", (5000, 7000))
    env = server.env()
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env["REGISTRY_AUTH_FILE"] = str(tmp_path / "auth.json")
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    env["AWS_CONFIG_FILE"] = str(tmp_path / "aws-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "aws-credentials")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        env.pop(name, None)
    lines = scenario_lines()
    script = "\n".join(line.replace("localhost:5000", server.host) for line in lines[:-1])
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"imageTag": "latest"' in done.stdout  # list-images
    assert '"imageSizeInBytes"' in done.stdout  # describe-images
    last = subprocess.run(
        ["bash", "-c", lines[-1].replace("localhost:5000", server.host)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert last.returncode != 0
    assert "manifest unknown" in last.stderr.lower()
