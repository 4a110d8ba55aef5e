"""A byte-level guard for handing a CSV file to PostgreSQL's COPY instead of Python's csv module.

The two parsers agree on well-formed quoting only. Python's reader (excel dialect, not strict)
keeps a quote in the middle of an unquoted field literally and glues text after a closing quote;
PostgreSQL opens and closes quoted sections anywhere. PostgreSQL also stops reading at a line
holding only `\\.`. `CsvGuard` passes a file only when every quote opens a field (after a comma,
a line end or the start) and closes one (before a comma or a line end), and no `\\.` occurs:
then both parsers read the same records and cells. Files without quotes cost one `in` per chunk.
"""

from __future__ import annotations

import codecs
import re

# Unquoted runs, or whole quoted fields that start and end at field boundaries. The closing
# quote must be followed by a byte, so a field cut by the chunk's end is carried over.
_GOOD = re.compile(rb'(?:[^"]++|(?<![^,\r\n])"(?:[^"]++|"")*+"(?=[,\r\n]))*+')
_QUOTED = re.compile(rb'"(?:[^"]++|"")*+"')
_LAST_QUOTED = re.compile(rb'"(?:[^"]++|"")*+"\Z')
# No real cell is this long (texts are at most 30 characters): give up instead of buffering.
MAX_CARRY = 1024 * 1024


class NotCanonical(Exception):
    """The file's quoting (or a `\\.` line) could be read differently by the two parsers."""


class CsvGuard:
    def __init__(self) -> None:
        self._buf = b"\n"  # the byte before the unchecked rest; a line end at the start
        self._first = True

    def feed(self, chunk: bytes) -> None:
        if self._first:
            self._first = False
            if chunk.startswith(codecs.BOM_UTF8):
                chunk = chunk[len(codecs.BOM_UTF8) :]
        buf = self._buf + chunk
        if b"\\." in buf:
            raise NotCanonical("a backslash-dot sequence")
        if b'"' not in buf:
            self._buf = buf[-1:]
            return
        end = _GOOD.match(buf, 1).end()
        if end == len(buf):
            self._buf = buf[-1:]
            return
        # buf[end] is a quote the pattern could not take: a bad opening, a bad closing, or a
        # field the chunk cut off.
        if buf[end - 1 : end] not in (b",", b"\r", b"\n"):
            raise NotCanonical("a quote inside an unquoted field")
        closed = _QUOTED.match(buf, end)
        if closed is not None and closed.end() < len(buf):
            raise NotCanonical("text after a closing quote")
        if len(buf) - end > MAX_CARRY:
            raise NotCanonical("an overlong quoted field")
        self._buf = buf[end - 1 :]

    def close(self) -> None:
        rest = self._buf
        if len(rest) > 1 and _LAST_QUOTED.match(rest, 1) is None:
            raise NotCanonical("an unterminated quoted field")
