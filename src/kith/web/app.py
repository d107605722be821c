"""The app factory: one FastAPI application for one ledger."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from kith.errors import ConfigError
from kith.web import errors
from kith.web.config import WebConfig
from kith.web.jobs import Jobs
from kith.web.ledger import Ledger
from kith.web.render import render_text
from kith.web.routes import (
    auth,
    circles,
    connect,
    health,
    home,
    imports,
    introductions,
    matching,
    network,
    people,
    person,
    report,
    today,
)
from kith.web.security import LoginLimiter, Sessions, Shield, guard

STATIC = Path(__file__).parent / "static"
#: How ``kith serve --workers N`` hands its settings to each worker process.
CONFIG_ENV = "KITH_WEB_CONFIG"

DESCRIPTION = """\
Everything the kith command line does, as JSON. The pages at `/`, `/today`,
`/people`, `/people/{id}`, `/network` and `/import` read the same functions.

Errors always have one shape: `{"error": {"status", "message", "where", "hint"}}`.
Requests that change the ledger send a JSON body (or the page's CSRF token),
and no Origin of another site. Off this machine's loopback address, behind a
proxy, or once a password is set, every route asks for a login first.
"""


def create_app(config: WebConfig) -> FastAPI:
    """The web app for ``config``'s ledger.

    Refuses (``ConfigError``) to ask for a login without a password.
    """
    if config.login_required and not config.password_hash:
        raise ConfigError(
            f"kith serve {'behind a proxy' if config.behind_proxy else 'on ' + config.host} "
            "needs a login: anyone who can reach it could read your ledger",
            hint="set a password first (kith serve --set-password), or serve on 127.0.0.1",
        )
    ledger = Ledger(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        ledger.close()

    app = FastAPI(
        title="kith",
        description=DESCRIPTION,
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.ledger = ledger
    app.state.jobs = Jobs(ledger, config.state_folder)
    app.state.sessions = Sessions(config.state_folder)
    app.state.logins = LoginLimiter()
    errors.install(app)
    app.add_middleware(Shield, config=config)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(health.router)
    app.include_router(auth.router)
    for feature in (
        home,
        today,
        people,
        person,
        network,
        introductions,
        circles,
        connect,
        report,
        matching,
        imports,
    ):
        app.include_router(feature.router, dependencies=[Depends(guard)])

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Depends(guard)])
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=[Depends(guard)])
    def docs(request: Request) -> HTMLResponse:
        # Swagger UI from the app's own static files (nothing from a CDN),
        # started by a script file: the page's CSP allows no inline script.
        return HTMLResponse(render_text("docs.html", {}))

    return app


def from_environment() -> FastAPI:
    """The app for a worker process started by ``kith serve --workers N``."""
    return create_app(WebConfig.from_json(os.environ[CONFIG_ENV]))
