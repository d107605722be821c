"""The report as HTML (its charts inline, nothing fetched when opened), as PDF
(WeasyPrint), and written to a folder all at once.

``write`` builds every file in a new temporary folder beside the target and
then moves them in: a run that fails (a folder that cannot be written, a
missing PDF library) leaves nothing half-written behind.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kith.errors import ConfigError, KithError
from kith.report import plots

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
#: The files a report folder holds.
HTML_NAME = "report.html"
PDF_NAME = "report.pdf"


def _env() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def body(report: dict[str, Any], *, links: bool) -> str:
    """The report's sections as an HTML fragment; ``links``: each record links
    to its person's page in the web app (``/people/ID``)."""
    charts = {s["key"]: plots.svg(s["chart"]) for s in report["sections"]}
    as_of = datetime.fromtimestamp(report["as_of"], UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(
        _env()
        .get_template("body.html")
        .render(report=report, charts=charts, links=links, as_of=as_of)
    )


def html(report: dict[str, Any]) -> str:
    """The self-contained page: inline styles and SVG charts, no links out."""
    return str(
        _env().get_template("report.html").render(report=report, body=body(report, links=False))
    )


def pdf(page: str) -> bytes:
    """The page as PDF (WeasyPrint, the ``pdf`` extra)."""
    try:
        from weasyprint import HTML
    except ImportError as exc:  # also OSError when the Pango library is missing
        raise ConfigError(
            "--pdf needs WeasyPrint, which is not installed",
            hint="pip install 'kith[pdf]' (and the Pango library: apt-get install libpango-1.0-0)",
        ) from exc
    except OSError as exc:
        raise ConfigError(
            f"--pdf needs the Pango library: {exc}", hint="apt-get install libpango-1.0-0"
        ) from exc
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    data: bytes = HTML(string=page).write_pdf()
    return data


def write(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write ``files`` (name → bytes) into ``folder``, all or nothing: they
    are made in a temporary folder beside it, then moved in."""
    folder = folder.expanduser().absolute()
    if folder.exists() and not folder.is_dir():
        raise KithError("cannot write the report: it is a file, not a folder", where=str(folder))
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        mask = os.umask(0)
        os.umask(mask)
        work.chmod(0o777 & ~mask)  # a folder like any other, not mkdtemp's private one
    except OSError as exc:
        raise KithError(
            f"cannot write the report: {exc.strerror or exc}",
            where=str(folder),
            hint="choose a folder you can write to with --out DIR",
        ) from exc
    try:
        for name, data in files.items():
            (work / name).write_bytes(data)
        if folder.exists():
            for name in files:
                os.replace(work / name, folder / name)
            work.rmdir()
        else:
            work.rename(folder)
    except OSError as exc:
        raise KithError(
            f"cannot write the report: {exc.strerror or exc}", where=str(folder)
        ) from exc
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return [folder / name for name in files]
