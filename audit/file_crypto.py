"""Files with personal data encrypted at rest, streamed: settlement batch files.

A sealed file is `MEDSUPP-SEALED-1 <key version>\\n`, then chunks of at most 1 MiB of the plain
file, each `length (4 bytes) | nonce (12) | AES-256-GCM ciphertext and tag`, with the key version,
the chunk's number and whether it is the last as associated data: a chunk changed, moved, left
out or cut off at the end fails to open. Keys are the personal-data keys (`audit.crypto`,
`MEDSUPP_DATA_KEYS`): the first seals, every listed key opens. Streaming keeps memory flat for
files of hundreds of megabytes.

`plain_copy(field_file)` opens one for a job as a private temporary file deleted when the job's
`with` block ends, whatever happens in it.
"""

from __future__ import annotations

import contextlib
import os
import struct
import tempfile
from collections.abc import Iterator
from pathlib import Path

from audit.crypto import NONCE_BYTES, DecryptionError, _keys

MAGIC = b"MEDSUPP-SEALED-1 "
CHUNK = 1024 * 1024
TEMP_PREFIX = "medsupp-plain-"  # what `sweep_plain_temp_files` looks for after a crash
_LENGTH = struct.Struct(">I")


def _aad(version: str, index: int, last: bool) -> bytes:
    return f"{version}:{index}:{int(last)}".encode()


def seal_stream(source, target) -> None:
    """Encrypt `source` (a binary file, read from where it stands) into `target`."""
    version, keys = _keys()
    aes = keys[version]
    target.write(MAGIC + version.encode() + b"\n")
    index = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK) if chunk else b""
        last = not following
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + aes.encrypt(nonce, chunk, _aad(version, index, last))
        target.write(_LENGTH.pack(len(sealed)) + sealed)
        if last:
            return
        chunk, index = following, index + 1


def is_sealed(head: bytes) -> bool:
    return head.startswith(MAGIC)


def open_stream(source, target) -> None:
    """Decrypt a sealed `source` into `target`; DecryptionError when anything does not verify."""
    header = source.readline()
    if not is_sealed(header):
        raise DecryptionError("not a sealed file")
    version = header[len(MAGIC) :].strip().decode()
    aes = _keys()[1].get(version)
    if aes is None:
        raise DecryptionError(f"no key of version {version}")
    index = 0
    length = source.read(_LENGTH.size)
    while True:
        if len(length) != _LENGTH.size:
            raise DecryptionError("the sealed file is cut short")
        size = _LENGTH.unpack(length)[0]
        sealed = source.read(size)
        if len(sealed) != size:
            raise DecryptionError("the sealed file is cut short")
        length = source.read(_LENGTH.size)
        last = not length
        nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        try:
            target.write(aes.decrypt(nonce, body, _aad(version, index, last)))
        except Exception as exc:  # InvalidTag: a changed, moved or missing chunk
            raise DecryptionError(f"chunk {index} does not verify") from exc
        if last:
            return
        index += 1


@contextlib.contextmanager
def plain_copy(field_file, *, suffix: str = "") -> Iterator[Path]:
    """The plain bytes of a stored file as a private temporary file (0600), removed on exit.
    A file stored before sealing began is copied as it is."""
    descriptor, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as target, field_file.open("rb") as source:
            head = source.read(len(MAGIC))
            source.seek(0)
            if is_sealed(head):
                open_stream(source, target)
            else:
                for block in iter(lambda: source.read(CHUNK), b""):
                    target.write(block)
        yield path
    finally:
        path.unlink(missing_ok=True)
