"""Import: upload an export file and watch it go into the ledger."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from kith.web import security, uploads
from kith.web.jobs import Jobs
from kith.web.render import render

router = APIRouter(tags=["import"])


def _jobs(request: Request) -> Jobs:
    jobs: Jobs = request.app.state.jobs
    return jobs


@router.post(
    "/api/imports",
    status_code=202,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def start_import_api(
    request: Request,
    filename: Annotated[
        str, Query(description="The file's name (formats are known partly by it).")
    ],
) -> dict[str, Any]:
    """Import one export file (any format `kith import` reads) in the background:
    the file is the request's body (`curl --data-binary @FILE -H 'Content-Type:
    application/octet-stream' '.../api/imports?filename=FILE'`). A name that is
    not a plain file name is refused (400), so is a body over the server's
    limit (413), and while the most imports at once run (429)."""
    upload = await uploads.receive_body(request, _jobs(request), filename)
    job = await run_in_threadpool(_jobs(request).start, upload)
    return job.as_dict()


@router.get("/api/imports/{job_id}")
def import_api(request: Request, job_id: str) -> dict[str, Any]:
    """An import's progress: records read, fraction done, and each file's summary."""
    return _jobs(request).get(job_id).as_dict()


@router.get("/import", include_in_schema=False)
def import_page(request: Request) -> Response:
    return render(request, "import.html", {"jobs": _jobs(request).recent()})


@router.post("/import", include_in_schema=False)
@security.streams_its_form
async def import_form(request: Request) -> Response:
    upload = await uploads.receive_form(request, _jobs(request))
    job = await run_in_threadpool(_jobs(request).start, upload)
    return RedirectResponse(f"/import/{job.id}", status_code=303)


@router.get("/import/{job_id}", include_in_schema=False)
def import_job_page(request: Request, job_id: str) -> Response:
    job = _jobs(request).get(job_id).as_dict()
    fragment = bool(request.headers.get("hx-request"))
    return render(request, "import_job.html" if fragment else "import_watch.html", {"job": job})
