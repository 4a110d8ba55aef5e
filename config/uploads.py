"""Uploads stop at MEDSUPP_MAX_UPLOAD_MB as the body arrives, not once it is all on disk.

`UploadLimitHandler` comes first among Django's upload handlers (settings.FILE_UPLOAD_HANDLERS):
a multipart body whose declared length is over the limit is not read at all, and one without a
declared length (chunked) is cut off as soon as its files pass the limit; nothing further is read
or written. The request is marked (`upload_too_large`) so that the view answers with the limit
(413 for the API) instead of a missing file.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# Room for the form's other fields and the multipart boundaries around the file.
FORM_SLACK = 1024 * 1024


def max_upload_bytes() -> int:
    return int(settings.MEDSUPP_MAX_UPLOAD_MB) * 1024 * 1024


def upload_too_large(request) -> bool:
    """Whether the body of `request` (Django's, or DRF's around it) was cut off at the limit."""
    return getattr(getattr(request, "_request", request), "upload_too_large", False)


class UploadLimitHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        self.declared_too_large = content_length > max_upload_bytes() + FORM_SLACK

    def _stop(self):
        self.request.upload_too_large = True
        raise StopUpload(connection_reset=True)  # read no more of the body

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.declared_too_large:
            self._stop()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_upload_bytes():
            self._stop()
        return raw_data

    def file_complete(self, file_size):
        return None


class ChunkedUploadMiddleware:
    """A multipart upload sent chunked (`Transfer-Encoding: chunked`, no Content-Length) is read
    to its end, as one with a length is. Django reads a body without a Content-Length as empty;
    when the server ends the chunked input itself (gunicorn: `wsgi.input_terminated`), the body
    is that input, and its declared length is the most an upload may be, so that the upload
    handlers above still stop it at the limit as it arrives (413). First among the middleware:
    the CSRF check reads the form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        if (
            not meta.get("CONTENT_LENGTH")
            and meta.get("wsgi.input_terminated")
            and "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
            and request.content_type == "multipart/form-data"
        ):
            meta["CONTENT_LENGTH"] = str(max_upload_bytes() + FORM_SLACK)
            request._stream = meta["wsgi.input"]
        return self.get_response(request)
