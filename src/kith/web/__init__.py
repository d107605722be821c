"""The local web app: every page the CLI has, and a JSON API under ``/api/``.

``create_app`` (in ``kith.web.app``) builds a FastAPI application for one
ledger; ``kith serve`` runs it with uvicorn. One router per feature lives in
``kith.web.routes``; errors become HTTP statuses in one place
(``kith.web.errors``); the login and CSRF checks in ``kith.web.security``.
"""
