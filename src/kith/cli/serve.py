"""The command line: kith serve, the local web app."""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from kith.cli.base import State, cli, pass_state
from kith.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_PORT = 8750
#: uvicorn's C HTTP parser and event loop, picked up when installed (extra ``kith[fast]``).
FAST_MODULES = ("httptools", "uvloop")


def missing_fast_modules() -> list[str]:
    """The modules of the extra ``kith[fast]`` that are not installed."""
    from importlib.util import find_spec

    return [name for name in FAST_MODULES if find_spec(name) is None]


def fast_notice() -> str | None:
    """A line saying how to serve faster, when ``kith[fast]`` is not installed."""
    missing = missing_fast_modules()
    if not missing:
        return None
    return (
        f"({' and '.join(missing)} not installed: serving with Python's own HTTP parser "
        "and event loop; pip install 'kith[fast]' for more requests per second)"
    )


def run_server(
    config: Any,
    port: int,
    *,
    open_browser: bool = False,
    certfile: Path | None = None,
    keyfile: Path | None = None,
    workers: int = 1,
) -> None:
    """Serve ``config``'s ledger until Ctrl-C; with ``open_browser``, open it once up.

    With ``workers`` > 1, that many processes share the port (each its own
    app, made by ``kith.web.app.from_environment``).
    """
    import os

    import uvicorn

    from kith.web.app import CONFIG_ENV, create_app

    app = create_app(config)  # checks the settings before anything listens
    notice = fast_notice()
    if notice:
        click.echo(notice)
    scheme = "https" if certfile else "http"
    shown_host = f"[{config.host}]" if ":" in config.host else config.host
    url = f"{scheme}://{shown_host}:{port}/"
    listen: dict[str, Any] = {
        "host": config.host,
        "port": port,
        "log_level": "warning",
        "ssl_certfile": str(certfile) if certfile else None,
        "ssl_keyfile": str(keyfile) if keyfile else None,
        "proxy_headers": False,
    }
    if workers > 1:
        os.environ[CONFIG_ENV] = config.to_json()
        click.echo(f"kith is serving {url} with {workers} processes (Ctrl-C to stop)")
        uvicorn.run("kith.web.app:from_environment", factory=True, workers=workers, **listen)
        return
    server = uvicorn.Server(uvicorn.Config(app, **listen))

    def announce() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if not server.started:
            return
        click.echo(f"kith is serving {url} (Ctrl-C to stop; the API is documented at {url}docs)")
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    threading.Thread(target=announce, name="kith-announce", daemon=True).start()
    server.run()
    if not server.started:
        raise ConfigError(
            f"could not listen on {config.host}:{port}",
            hint="is another server using that port? try --port",
        )


@cli.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback needs a login (--set-password) "
    "and HTTPS (--certfile/--keyfile, or --behind-proxy).",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on.",
)
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Plan the Today page for this day, YYYY-MM-DD (UTC), instead of the clock's.",
)
@click.option(
    "--certfile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="HTTPS: the server's certificate (PEM).",
)
@click.option(
    "--keyfile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="HTTPS: the certificate's private key (PEM).",
)
@click.option(
    "--behind-proxy",
    is_flag=True,
    help="HTTPS ends at a reverse proxy in front of kith (cookies are still marked Secure).",
)
@click.option(
    "--set-password",
    is_flag=True,
    help="Ask for the login's password, store its argon2 hash, and exit.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes: one per core serves more people at once.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the app in a browser.")
@pass_state
def serve_cmd(
    state: State,
    host: str,
    port: int,
    on: datetime | None,
    certfile: Path | None,
    keyfile: Path | None,
    behind_proxy: bool,
    set_password: bool,
    workers: int,
    open_browser: bool,
) -> None:
    """Serve the ledger as a web app: Today, People, Person, Network, Import,
    and a JSON API (documented at /docs).

    \b
    By default only this machine can reach it (127.0.0.1), with no login.
    To reach it from elsewhere:
      kith serve --set-password                    once: the login's password
      kith serve --host 0.0.0.0 --certfile C --keyfile K
      kith serve --host 0.0.0.0 --behind-proxy     HTTPS at a proxy (Caddy, nginx)
    The pages: /, /today, /people, /people/ID, /network, /import; the API
    under /api/. On the sample world (kith demo prints the line):
      kith --db ~/.local/share/kith/demo/kith.db serve --date 2026-11-20
    """
    from kith.web import security
    from kith.web.config import WebConfig, is_loopback

    if set_password:
        first = click.prompt("New password", hide_input=True)
        if len(first) < 8:
            raise ConfigError("a password needs at least 8 characters")
        if click.prompt("Again", hide_input=True) != first:
            raise ConfigError("the two passwords differ; nothing was changed")
        path = security.save_password_hash(security.hash_password(first))
        click.echo(f"Saved the password's hash in {path}.")
        return
    if bool(certfile) != bool(keyfile):
        raise ConfigError("--certfile and --keyfile go together")
    tls = certfile is not None
    if not is_loopback(host) and not (tls or behind_proxy):
        raise ConfigError(
            f"kith serve on {host} would send your password and ledger unencrypted",
            hint="give --certfile and --keyfile, or --behind-proxy when a proxy does HTTPS",
        )
    config = WebConfig(
        database_url=state.settings.database_url,
        store_bodies=state.settings.store_bodies,
        host=host,
        password_hash=None if is_loopback(host) else security.load_password_hash(),
        secure_cookies=tls or behind_proxy,
        day=on.date() if on else None,
    )
    run_server(
        config,
        port,
        open_browser=open_browser,
        certfile=certfile,
        keyfile=keyfile,
        workers=workers,
    )


def offer_demo_app(database_url: str, day: date | None) -> None:
    """The end of ``kith demo`` at a terminal: open the web app on the sample world?"""
    from kith.web.config import WebConfig

    if not click.confirm("\nOpen the web app on the sample world?", default=True):
        return
    run_server(WebConfig(database_url=database_url, day=day), DEFAULT_PORT, open_browser=True)
