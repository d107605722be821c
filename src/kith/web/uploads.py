"""Receiving an upload: straight from the request into the file that is
imported, written once.

The API sends the file as the body; the Import page's form sends it as
``multipart/form-data``, read here as a stream (Starlette's form parser would
first spool it to a temporary file, which the import would then copy). The
form's CSRF token comes before its file, as browsers send fields in the
page's order; a file part before the token is refused.
"""

from __future__ import annotations

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from kith.errors import KithError
from kith.web import security
from kith.web.jobs import Jobs, Upload

#: The longest plain field in the upload form (the CSRF token is 43 bytes).
MAX_FIELD_BYTES = 1024
#: Header lines a part may have (a browser sends two or three).
MAX_PART_HEADERS = 8


class BadForm(KithError):
    """An upload form that is not one kith's page sends (400)."""


async def receive_body(request: Request, jobs: Jobs, filename: str) -> Upload:
    """The request's body, saved as ``filename`` for an import."""
    upload = jobs.receive(filename)
    try:
        async for chunk in request.stream():
            upload.write(chunk)
    except BaseException:
        upload.abandon()
        raise
    return upload


class _FormReader:
    """The callbacks of python-multipart's parser, for the Import page's form."""

    def __init__(self, request: Request, jobs: Jobs) -> None:
        self.request = request
        self.jobs = jobs
        self.upload: Upload | None = None
        self.token = request.headers.get(security.CSRF_HEADER, "")
        self.fields: dict[str, bytes] = {}
        self._headers: list[tuple[bytes, bytes]] = []
        self._name = b""
        self._value = b""
        self._field: str | None = None
        self._data = bytearray()
        self._in_file = False

    def on_part_begin(self) -> None:
        self._headers = []
        self._field = None
        self._data = bytearray()
        self._in_file = False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        if len(self._headers) >= MAX_PART_HEADERS:
            raise BadForm("a form part with too many headers")
        self._headers.append((self._name.lower(), self._value))
        self._name = self._value = b""

    def on_headers_finished(self) -> None:
        disposition = dict(self._headers).get(b"content-disposition", b"")
        _, options = parse_options_header(disposition)
        field = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            self._field = field
            return
        if self.upload is not None:
            raise BadForm("one file at a time", hint="send each export file on its own")
        # The token came first (a field, or the htmx header): check it before
        # a byte of the file is kept.
        given = self.token or self.fields.get(security.CSRF_FIELD, b"").decode("ascii", "replace")
        security.check_csrf_value(self.request, given)
        self.upload = self.jobs.receive(options[b"filename"].decode("utf-8", "replace"))
        self._in_file = True

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            assert self.upload is not None
            self.upload.write(data[start:end])
            return
        self._data += data[start:end]
        if len(self._data) > MAX_FIELD_BYTES:
            raise BadForm(f"the form field {self._field!r} is too long")

    def on_part_end(self) -> None:
        if self._field is not None:
            self.fields[self._field] = bytes(self._data)
        self._in_file = False

    def on_end(self) -> None:
        pass


async def receive_form(request: Request, jobs: Jobs) -> Upload:
    """The file of the Import page's form, saved for an import."""
    _, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise BadForm("not a multipart form (no boundary)")
    reader = _FormReader(request, jobs)
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": reader.on_part_begin,
            "on_part_data": reader.on_part_data,
            "on_part_end": reader.on_part_end,
            "on_header_field": reader.on_header_field,
            "on_header_value": reader.on_header_value,
            "on_header_end": reader.on_header_end,
            "on_headers_finished": reader.on_headers_finished,
            "on_end": reader.on_end,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except BaseException as exc:
        if reader.upload is not None:
            reader.upload.abandon()
        if isinstance(exc, FormParserError):
            raise BadForm("the form could not be read") from exc
        raise
    if reader.upload is None:
        given = reader.token or reader.fields.get(security.CSRF_FIELD, b"").decode(
            "ascii", "replace"
        )
        security.check_csrf_value(request, given)
        raise BadForm("no file was sent", hint="choose an export file to import")
    return reader.upload
