"""Issue 19, point 8: nothing with personal data outlives its request or job unencrypted. A
failed people import leaves no file behind; an import waiting for its confirmation is kept
encrypted in the cache for a while only; a background import's upload is encrypted at rest and
deleted when the job ends."""

import tempfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.tmp_storage import PREFIX
from insurance.choices import ImportJobStatus
from insurance.models import ImportJob
from insurance.services.imports import import_job_process
from tests.insurance.test_import_export import HEADERS, _rows, gbk_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def temp_folder(tmp_path, monkeypatch):
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _import(client, rows):
    upload = SimpleUploadedFile("people.csv", gbk_csv(HEADERS, rows))
    return client.post(
        reverse("admin:insurance_person_import"),
        {"format": 0, "resource": 0, "import_file": upload},
    )


def test_a_failed_import_leaves_no_upload_behind(client, role_user, county_a, temp_folder):
    client.force_login(role_user("operator"))
    bad = [*_rows(), ["A9", "110101199003074514", "李四", "139", "310", "11", "999999", ""]]
    response = _import(client, bad)
    assert response.status_code == 200 and "confirm_form" not in response.context_data
    assert _files(temp_folder) == []  # nothing in the system temp folder


def test_an_import_awaiting_confirmation_is_kept_encrypted(
    client, role_user, county_a, temp_folder
):
    client.force_login(role_user("operator"))
    rows = _rows()
    response = _import(client, rows)
    form = response.context_data["confirm_form"]
    kept = form.initial["import_file_name"]
    assert _files(temp_folder) == []
    stored = cache.get(PREFIX + kept)
    assert stored and stored.startswith("enc:")
    assert rows[0][1] not in stored and "张三" not in stored
    confirmed = client.post(
        reverse("admin:insurance_person_process_import"),
        {**form.initial, "resource": 0},
    )
    assert confirmed.status_code == 302
    assert cache.get(PREFIX + kept) is None  # gone once used


def test_a_background_import_is_encrypted_at_rest_and_deleted_after(
    client, role_user, county_a, settings, tmp_path
):
    settings.MEDSUPP_IMPORT_BACKGROUND_MB = 0
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(role_user("operator"))
    rows = _rows()
    upload = SimpleUploadedFile("people.csv", gbk_csv(HEADERS, rows))
    client.post(
        reverse("admin:insurance_person_import"),
        {"format": 0, "resource": 0, "import_file": upload},
    )
    job = ImportJob.objects.get()
    on_disk = Path(job.file.path).read_bytes()
    assert rows[0][1].encode() not in on_disk and "张三".encode("gbk") not in on_disk
    assert import_job_process(job_id=job.pk) == ImportJobStatus.DONE
    job.refresh_from_db()
    assert not job.file and _files(tmp_path / "media") == []
