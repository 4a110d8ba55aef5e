"""The upload door under load: one Idempotency-Key for two files, two uploads racing, bodies
sent chunked, and the size limit checked as the body arrives (environ-level and through a real
gunicorn)."""

import contextlib
import http.client
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from audit.services import api_key_create
from claims.models import SettlementBatch, SettlementRecord
from claims.settlements.services import batches
from contracts.services.insurers import insurer_user_link
from tests.claims.files import settlement_row, write_csv, write_jsonl

URL = "/api/v1/settlement-batches/"


@pytest.fixture
def key(role_user, covered_city):
    user = role_user("insurer", username="insurer_clerk")
    insurer_user_link(user=user, insurer=covered_city["contract"].lead_insurer, actor=None)
    _key, plain = api_key_create(user=user, name="t", scopes=["settlements:write"])
    return plain


def _client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def _rows(first=1, n=3):
    return [settlement_row(i, psn_no=f"P{(i % 3) + 1:04d}") for i in range(first, first + n)]


def _stored_files(media) -> list[Path]:
    return [p for p in (media / "media").rglob("*") if p.is_file() and "settlements" in p.parts]


def _post_file(client, contract, path, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    with path.open("rb") as fh:
        return client.post(
            URL, {"contract": contract.pk, "file": fh}, format="multipart", **headers
        )


class CountingStream(io.BytesIO):
    """A request body that counts what the server read of it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.read_bytes += len(line)
        return line


@pytest.mark.django_db
def test_a_key_reused_for_another_file_answers_409_naming_the_first_batch(
    media, covered_city, key, django_capture_on_commit_callbacks
):
    client, contract = _client(key), covered_city["contract"]
    first = write_csv(media / "a.csv", _rows())
    with django_capture_on_commit_callbacks(execute=True):
        accepted = _post_file(client, contract, first, key="week-10")
    assert accepted.status_code == 202, accepted.content
    again = _post_file(client, contract, first, key="week-10")
    assert again.status_code == 200 and again.json()["duplicate"] is True
    other = write_csv(media / "b.csv", _rows(first=10))
    refused = _post_file(client, contract, other, key="week-10")
    assert refused.status_code == 409
    assert refused.json()["batch"] == accepted.json()["id"]
    assert f"#{accepted.json()['id']}" in refused.json()["detail"]
    assert SettlementBatch.objects.count() == 1 and len(_stored_files(media)) == 1


@pytest.mark.django_db(transaction=True)  # two sessions racing, each committing on its own
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers at once: PostgreSQL")
def test_two_uploads_with_one_key_at_the_same_moment(media, covered_city, key, monkeypatch):
    contract = covered_city["contract"]
    files = [write_csv(media / f"{n}.csv", _rows(first=10 * n)) for n in (1, 2)]
    both_looked = threading.Barrier(2, timeout=10)
    looked_up = batches.batch_received_before
    first_look = threading.local()

    def race(*args):
        found = looked_up(*args)
        if not getattr(first_look, "done", False):  # both find nothing before either saves
            first_look.done = True
            both_looked.wait()
        return found

    monkeypatch.setattr(batches, "batch_received_before", race)
    monkeypatch.setattr(batches, "batch_queue", lambda batch_id: None)  # only the receiving races
    answers = {}

    def upload(path):
        try:
            answers[path.name] = _post_file(_client(key), contract, path, key="same-key")
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    codes = sorted(answer.status_code for answer in answers.values())
    assert codes == [202, 409], {n: a.content for n, a in answers.items()}
    batch = SettlementBatch.objects.get()
    refused = next(a for a in answers.values() if a.status_code == 409)
    assert refused.json()["batch"] == batch.pk
    assert [p.name for p in _stored_files(media)] == [Path(batch.file.name).name]  # no orphan


@pytest.mark.django_db
def test_a_chunked_json_lines_body_is_read_to_its_end(
    media, covered_city, key, django_capture_on_commit_callbacks
):
    body = write_jsonl(media / "a.jsonl", _rows()).read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(key).generic(
            "POST", f"{URL}?contract={covered_city['contract'].pk}", b"",
            content_type="application/x-ndjson", HTTP_TRANSFER_ENCODING="chunked",
            **{"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True},
        )  # fmt: skip
    assert response.status_code == 202, response.content
    assert SettlementBatch.objects.get().status == "applied"
    assert SettlementRecord.objects.count() == 3


@pytest.mark.django_db
def test_a_chunked_body_a_server_cannot_end_answers_411(media, covered_city, key):
    response = _client(key).generic(
        "POST", f"{URL}?contract={covered_city['contract'].pk}", b"",
        content_type="application/x-ndjson", HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(b'{"setl_id": "S1"}\n')},
    )  # fmt: skip
    assert response.status_code == 411
    assert SettlementBatch.objects.count() == 0


def _big_jsonl(megabytes: int) -> bytes:
    row = (json.dumps(_rows(n=1)[0]) + "\n").encode()
    return row * (megabytes * 1024 * 1024 // len(row) + 1)


@pytest.mark.django_db
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_json_lines_body_over_the_limit_is_refused_as_it_arrives(
    media, covered_city, key, settings, declared
):
    settings.MEDSUPP_MAX_UPLOAD_MB = 1
    stream = CountingStream(_big_jsonl(6))
    extra = {"wsgi.input": stream}
    if declared:
        extra["CONTENT_LENGTH"] = str(len(stream.getvalue()))
    else:
        extra.update({"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"})
    response = _client(key).generic(
        "POST", f"{URL}?contract={covered_city['contract'].pk}", b"",
        content_type="application/x-ndjson", **extra,
    )  # fmt: skip
    assert response.status_code == 413 and "1 MB" in response.json()["detail"]
    # Declared too large: not a byte read; chunked: read up to the limit and one piece more.
    assert stream.read_bytes == 0 if declared else stream.read_bytes <= 2 * 1024 * 1024
    assert SettlementBatch.objects.count() == 0 and _stored_files(media) == []


def _multipart(contract_id: int, payload: bytes) -> tuple[bytes, str]:
    boundary = "----medsupp-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="contract"\r\n\r\n{contract_id}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    return head + payload + f"\r\n--{boundary}--\r\n".encode(), boundary


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file_mb", "most_read_mb"),
    [(8, 0), (1.5, 1.5)],
    ids=["declared far over: nothing read", "within the form's slack: cut at the limit"],
)
def test_a_multipart_upload_over_the_limit_stops_as_it_arrives(
    media, covered_city, key, settings, tmp_path, file_mb, most_read_mb
):
    settings.MEDSUPP_MAX_UPLOAD_MB = 1
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    body, boundary = _multipart(covered_city["contract"].pk, b"x" * int(file_mb * 1024 * 1024))
    stream = CountingStream(body)
    response = _client(key).generic(
        "POST", URL, b"", content_type=f"multipart/form-data; boundary={boundary}",
        CONTENT_LENGTH=str(len(body)), **{"wsgi.input": stream},
    )  # fmt: skip
    assert response.status_code == 413, response.content
    assert stream.read_bytes < len(body) and stream.read_bytes <= most_read_mb * 1024 * 1024
    assert SettlementBatch.objects.count() == 0 and _stored_files(media) == []
    assert [p for p in tmp_path.iterdir() if p.is_file()] == []  # no temporary upload left


@pytest.mark.django_db
def test_the_admin_upload_over_the_limit_is_refused_with_a_message(
    media, covered_city, role_user, verified_client, settings
):
    settings.MEDSUPP_MAX_UPLOAD_MB = 1
    client = verified_client(role_user("operator"))
    big = media / "big.csv"
    big.write_bytes(b"x" * (3 * 1024 * 1024))
    with big.open("rb") as fh:
        response = client.post(
            "/admin/claims/settlementbatch/add/",
            {"contract": covered_city["contract"].pk, "upload": fh},
            follow=True,
        )
    assert "文件超过上限 1 MB" in response.content.decode()
    assert SettlementBatch.objects.count() == 0


# --- through a real server ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(media):
    """gunicorn serving this test database (committed data) with a 1 MB upload limit."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": (
            "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict)
        ),
        "MEDSUPP_MEDIA_ROOT": str(media / "media"),
        "MEDSUPP_MAX_UPLOAD_MB": "1",
        "REDIS_URL": "",
    }
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen(  # noqa: S603
        [str(bin_dir / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--timeout", "60"],
        env=env, cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(server.stderr.read().decode()[-2000:]) from None
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(10)


def _chunked_post(port: int, path: str, key: str, pieces) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Authorization": f"Api-Key {key}", "Content-Type": "application/x-ndjson"}
        # the server may answer and stop reading mid-upload: its answer is then waiting
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.request("POST", path, body=pieces, headers=headers, encode_chunked=True)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)  # the server's own session reads committed data
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the server needs a shared database")
def test_a_chunked_upload_through_gunicorn(gunicorn, media, covered_city, key):
    body = write_jsonl(media / "a.jsonl", _rows()).read_bytes()
    path = f"{URL}?contract={covered_city['contract'].pk}"
    pieces = (body[i : i + 100] for i in range(0, len(body), 100))
    status, content = _chunked_post(gunicorn, path, key, pieces)
    assert status == 202, content
    assert SettlementBatch.objects.get().status == "applied"
    assert SettlementRecord.objects.count() == 3

    big = _big_jsonl(3)
    status, content = _chunked_post(
        gunicorn, path, key, (big[i : i + 65536] for i in range(0, len(big), 65536))
    )
    assert status == 413, content
    assert SettlementBatch.objects.count() == 1 and len(_stored_files(media)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("bad_key", ["k" * 129, "week-10\u00e9"], ids=["too-long", "not-ascii"])
def test_a_bad_idempotency_key_is_a_located_400_and_nothing_is_kept(
    media, covered_city, key, bad_key
):
    """Review of issue 19, point 9: an over-long key answered 500 (the column holds 128)."""
    client, contract = _client(key), covered_city["contract"]
    path = write_csv(media / "a.csv", _rows())
    response = _post_file(client, contract, path, key=bad_key)
    assert response.status_code == 400, response.content
    (error,) = response.json()["errors"]
    assert error["field"] == "Idempotency-Key" and "128" in error["detail"]
    assert not SettlementBatch.objects.exists() and not _stored_files(media)
    assert _post_file(client, contract, path, key="k" * 128).status_code == 202
