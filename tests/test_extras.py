"""The optional extras: kith runs without them and says which one to install."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from kith.cli import serve
from kith.sync import credentials


def test_without_the_keyring_package_the_error_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # keyring comes with the extra kith[imap]; a None in sys.modules makes its import fail.
    monkeypatch.setitem(sys.modules, "keyring", None)
    with pytest.raises(credentials.CredentialsError) as found:
        credentials.find_password("ana", "imap.example.org", env={})
    assert "the python keyring package is not installed" in str(found.value)
    assert found.value.hint is not None
    assert "pip install 'kith[imap]'" in found.value.hint
    assert "KITH_IMAP_PASSWORD" in found.value.hint
    with pytest.raises(credentials.CredentialsError, match="keyring package is not installed"):
        credentials.keyring_backend()
    assert credentials.find_password("ana", "h", env={"KITH_IMAP_PASSWORD": "pw"}) == "pw"


def test_serve_says_how_to_be_faster_only_without_the_fast_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert serve.missing_fast_modules() == []  # dev installs kith[fast]
    assert serve.fast_notice() is None
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "uvloop" else real(name, *a)
    )
    assert serve.missing_fast_modules() == ["uvloop"]
    notice = serve.fast_notice()
    assert notice is not None and "uvloop not installed" in notice
    assert "pip install 'kith[fast]'" in notice
