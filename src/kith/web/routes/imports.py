"""Import: upload an export file and watch it go into the ledger."""

from __future__ import annotations

import tempfile
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from kith.errors import InputError
from kith.web.jobs import Jobs
from kith.web.render import render

router = APIRouter(tags=["import"])


def _jobs(request: Request) -> Jobs:
    jobs: Jobs = request.app.state.jobs
    return jobs


def _start(request: Request, file: UploadFile) -> str:
    if not file.filename:
        raise InputError("no file was sent", hint="choose an export file to import")
    return _jobs(request).start(file.filename, file.file).id


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
    application/octet-stream' '.../api/imports?filename=FILE'`)."""
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as spool:
        async for chunk in request.stream():
            spool.write(chunk)
        spool.seek(0)
        job = await run_in_threadpool(_jobs(request).start, filename, spool)
    return job.as_dict()


@router.get("/api/imports/{job_id}")
def import_api(request: Request, job_id: str) -> dict[str, Any]:
    """An import's progress: records read, fraction done, and each file's summary."""
    return _jobs(request).get(job_id).as_dict()


@router.get("/import", include_in_schema=False)
def import_page(request: Request) -> Response:
    return render(request, "import.html", {"jobs": _jobs(request).recent()})


@router.post("/import", include_in_schema=False)
def import_form(request: Request, file: UploadFile) -> Response:
    return RedirectResponse(f"/import/{_start(request, file)}", status_code=303)


@router.get("/import/{job_id}", include_in_schema=False)
def import_job_page(request: Request, job_id: str) -> Response:
    job = _jobs(request).get(job_id).as_dict()
    fragment = bool(request.headers.get("hx-request"))
    return render(request, "import_job.html" if fragment else "import_watch.html", {"job": job})
