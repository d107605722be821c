"""Where a sync's password comes from: the environment or the OS keyring, never a file.

``KITH_IMAP_PASSWORD`` wins when set (a CI job, a one-off run); otherwise the
OS keyring (python ``keyring``: Secret Service, KWallet, macOS Keychain,
Windows Credential Locker) under service ``kith-imap`` and user name
``user@host``; the ``keyring`` package comes with the extra ``kith[imap]``.
kith never writes a password anywhere itself: not in the config,
not in logs, not in the ledger.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from kith.errors import ConfigError

log = logging.getLogger(__name__)

SERVICE = "kith-imap"
ENV_VAR = "KITH_IMAP_PASSWORD"


class CredentialsError(ConfigError):
    """No password could be found or saved."""


def keyring_name(user: str, host: str) -> str:
    """The keyring user name an account's password is saved under."""
    return f"{user}@{host}"


def find_password(user: str, host: str, env: Mapping[str, str] | None = None) -> str:
    """The password for ``user`` at ``host``: ``$KITH_IMAP_PASSWORD``, else the keyring."""
    env = os.environ if env is None else env
    if env.get(ENV_VAR):
        return env[ENV_VAR]
    name = keyring_name(user, host)
    problem = ""
    try:
        import keyring
        from keyring.errors import KeyringError, NoKeyringError

        try:
            password = keyring.get_password(SERVICE, name)
        except NoKeyringError:
            problem = " (no keyring is available on this system)"
            password = None
        except KeyringError as exc:
            problem = f" (the keyring could not be read: {exc})"
            log.debug("keyring lookup for %s failed: %s", name, exc)
            password = None
    except ImportError:
        raise CredentialsError(
            f"no password for {name}: {ENV_VAR} is not set and {_NO_PACKAGE}", hint=_INSTALL
        ) from None
    if password:
        return password
    raise CredentialsError(
        f"no password for {name}: {ENV_VAR} is not set and the keyring has none{problem}",
        hint=f"save it once with: kith sync imap --host {host} --user {user} --store-password\n"
        f"  or set {ENV_VAR} in the environment of this command",
    )


def keyring_backend() -> str:
    """The name of the OS keyring passwords are saved in; raises when there is none."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        raise CredentialsError(_NO_PACKAGE, hint=_INSTALL) from None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise CredentialsError(
            "no keyring is available on this system to save the password in", hint=_NO_KEYRING
        )
    return str(getattr(backend, "name", type(backend).__name__))


def store_password(user: str, host: str, password: str) -> str:
    """Save the password in the OS keyring; returns the keyring's name."""
    backend = keyring_backend()
    import keyring
    from keyring.errors import KeyringError

    if not password:
        raise CredentialsError("an empty password is not saved")
    try:
        keyring.set_password(SERVICE, keyring_name(user, host), password)
    except KeyringError as exc:
        raise CredentialsError(
            f"the keyring refused the password: {exc}", hint=_NO_KEYRING
        ) from None
    return backend


#: ``keyring`` is an extra (``kith[imap]``): the core does not need it.
_NO_PACKAGE = "the python keyring package is not installed"
_INSTALL = f"pip install 'kith[imap]' to keep the password in the OS keyring, or set {ENV_VAR}"
_NO_KEYRING = (
    "start a keyring service (GNOME Keyring, KeePassXC's Secret Service, KWallet) "
    f"or give the password in {ENV_VAR} instead"
)
