"""The committed browser bundle is what web/ builds from its lockfile.

``pip install -e .`` needs no Node: the bundle in src/kith/web/static/ is
committed. This test keeps it honest: it builds web/ into a temporary folder
and compares every file. It needs ``web/node_modules`` (``scripts/setup``
runs ``npm ci``); without it the test is skipped, except in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
STATIC = ROOT / "src" / "kith" / "web" / "static"


def test_the_committed_bundle_is_the_build_of_web(tmp_path):
    node = shutil.which("node")
    if node is None or not (WEB / "node_modules" / "esbuild").is_dir():
        message = "node or web/node_modules is missing (scripts/setup runs npm ci in web/)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    subprocess.run([node, str(WEB / "build.mjs"), str(tmp_path)], check=True, cwd=WEB)
    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert built, "the build wrote nothing"
    for rel in built:
        assert (STATIC / rel).read_bytes() == (tmp_path / rel).read_bytes(), (
            f"{STATIC / rel} differs from the build: run `npm run build` in web/ and commit"
        )
