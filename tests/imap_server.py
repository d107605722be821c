"""A real IMAP server for the tests: Dovecot on loopback, and a proxy that cuts connections.

Debian's ``dovecot-imapd`` provides the binaries (``scripts/setup --system``
installs it). The server runs in the foreground (``dovecot -F``) with a config
of its own in a temporary folder: it listens on 127.0.0.1 on a free port,
allows plaintext logins (loopback only), reads users from a passwd-file and
keeps mail as Maildir in the same folder; a self-signed certificate made with
``openssl`` serves STARTTLS on that port and TLS on a second one. Nothing
system-wide is read or touched (``-c`` names the config; ``base_dir`` and
``state_dir`` are private).

As root, Dovecot's master runs as root and drops privileges the usual way: its
own processes run as the package's ``dovecot`` user, logins as ``dovenull``,
and the mail belongs to ``nobody``. As another user, everything runs as that user.
"""

from __future__ import annotations

import contextlib
import getpass
import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from kith.ingest.imap import mailbox_arg
from tests.pg import free_port


def find_dovecot() -> Path | None:
    found = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    return Path(found) if found else None


class DovecotServer:
    """``start()``, ``add_user()``, ``connect()``; ``stop()`` ends it and removes its folder."""

    def __init__(self, binary: Path) -> None:
        self.binary = binary
        # Short and outside pytest's deep tmp paths: unix sockets live under it.
        self.root = Path(tempfile.mkdtemp(prefix="kith-dovecot-"))
        self.port = free_port()  # IMAP, with STARTTLS
        self.tls_port = free_port()  # IMAP over TLS
        self.as_root = os.geteuid() == 0
        self.users: dict[str, str] = {}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def log(self) -> Path:
        return self.root / "dovecot.log"

    @property
    def cert(self) -> Path:
        """The server's self-signed certificate (for 127.0.0.1), to trust in SSL_CERT_FILE."""
        return self.root / "tls.crt"

    def _make_certificate(self) -> None:
        names = "subjectAltName=IP:127.0.0.1,DNS:localhost"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]  # noqa: RUF005
            + ["-subj", "/CN=127.0.0.1", "-addext", names]
            + ["-keyout", str(self.root / "tls.key"), "-out", str(self.cert)],
            check=True,
            capture_output=True,
        )

    def _config_text(self) -> str:
        root = self.root
        if self.as_root:
            internal, login, mail_user, mail_group = "dovecot", "dovenull", "nobody", "nogroup"
            extra = ""
        else:
            internal = login = mail_user = getpass.getuser()
            mail_group = grp.getgrgid(os.getegid()).gr_name
            # Without root there is no chroot and no switching users or groups.
            extra = f"default_internal_group = {mail_group}\n" + "".join(
                f"service {name} {{\n  chroot =\n}}\n"
                for name in ("imap-login", "anvil", "auth", "auth-worker", "log", "stats")
            )
        return f"""\
instance_name = kith-test-{self.port}
base_dir = {root}/run
state_dir = {root}/state
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{self.cert}
ssl_key = <{root}/tls.key
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
log_path = {self.log}
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{root}/mail/%u
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
  }}
}}
# No growing delays after the wrong-password tests.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
{extra}"""

    def _write_passwd(self) -> None:
        path = self.root / "passwd"
        path.write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in self.users.items()))
        path.chmod(0o640)
        if self.as_root:
            shutil.chown(path, "root", "dovecot")

    def add_user(self, user: str, password: str) -> None:
        """Add a user (Dovecot re-reads the passwd-file when it changes)."""
        self.users[user] = password
        self._write_passwd()

    def start(self) -> None:
        self.root.chmod(0o755)
        mail = self.root / "mail"
        mail.mkdir()
        if self.as_root:
            nobody = pwd.getpwnam("nobody")
            os.chown(mail, nobody.pw_uid, nobody.pw_gid)
        self._write_passwd()
        self._make_certificate()
        self.config.write_text(self._config_text())
        self.process = subprocess.Popen(
            [str(self.binary), "-F", "-c", str(self.config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=(self.root / "stderr").open("wb"),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"Dovecot did not start:\n{self.diagnostics()}")

    def diagnostics(self) -> str:
        parts = []
        for path in (self.root / "stderr", self.log):
            if path.exists():
                parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        try:
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def connect(self, user: str, port: int | None = None) -> imaplib.IMAP4:
        """A logged-in imaplib connection, for filling and inspecting mailboxes."""
        conn = imaplib.IMAP4("127.0.0.1", port or self.port, timeout=30)
        secret = f"\0{user}\0{self.users[user]}".encode()
        conn.authenticate("PLAIN", lambda _challenge: secret)
        return conn


def append_all(
    conn: imaplib.IMAP4, mailbox: str, messages: Iterable[tuple[bytes, int | None]]
) -> None:
    """APPEND ``(message, internal date)`` pairs to ``mailbox`` in order."""
    box = mailbox_arg(mailbox)
    for raw, when in messages:
        date = imaplib.Time2Internaldate(when) if when is not None else None
        typ, data = conn.append(box, "", date, raw)
        assert typ == "OK", data


class CuttingProxy:
    """Forwards loopback connections to ``target_port``, cutting some of them short.

    ``limits`` gives, per connection in order of arrival, how many bytes the
    server may send before both sides are closed (0: closed at once);
    connections past the list go through untouched. Used to drop an IMAP
    connection in the middle of a FETCH.
    """

    def __init__(self, target_port: int, limits: Iterable[int] = ()) -> None:
        self.target_port = target_port
        self.limits = list(limits)
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> CuttingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        self._listener.close()
        with self._lock:
            for s in self._sockets:
                _close(s)

    def _accept(self) -> None:
        # A blocked accept() is not woken by close(): poll, so that __exit__ is quick.
        self._listener.settimeout(0.05)
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            with self._lock:
                self.connections += 1
                limit = self.limits.pop(0) if self.limits else None
            if limit == 0:
                _close(client)
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
            with self._lock:
                self._sockets += [client, upstream]
            budget = [limit]
            for src, dst, counted in ((client, upstream, False), (upstream, client, True)):
                threading.Thread(
                    target=self._pump, args=(src, dst, budget if counted else None), daemon=True
                ).start()

    def _pump(
        self, src: socket.socket, dst: socket.socket, budget: list[int | None] | None
    ) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if budget is not None and budget[0] is not None:
                    if len(data) >= budget[0]:
                        dst.sendall(data[: budget[0]])
                        break  # cut: close both ends below
                    budget[0] -= len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            _close(src)
            _close(dst)


def _close(s: socket.socket) -> None:
    with contextlib.suppress(OSError):
        s.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        s.close()
