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


def test_an_upload_spooled_to_disk_goes_to_the_job_not_the_request(
    client, role_user, county_a, settings, tmp_path, temp_folder
):
    """Review of issue 19, point 4: with a high background threshold a big import ran in the
    request beside Django's plain temporary file (a killed worker left it there)."""
    settings.MEDSUPP_IMPORT_BACKGROUND_MB = 50
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # this upload is spooled to the temp folder
    settings.FILE_UPLOAD_TEMP_DIR = str(temp_folder)
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(role_user("operator"))
    upload = SimpleUploadedFile("people.csv", gbk_csv(HEADERS, _rows()))
    response = client.post(
        reverse("admin:insurance_person_import"),
        {"format": 0, "resource": 0, "import_file": upload},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{job.pk}/change/")
    assert _files(temp_folder) == []
    assert Path(job.file.path).read_bytes().startswith(b"enc:")


def _running_job(tmp_path, settings, minutes_silent: int) -> ImportJob:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from audit.crypto import encrypt_bytes

    settings.MEDIA_ROOT = tmp_path / "media"
    job = ImportJob(target="person", original_name="p.csv", file_format="csv")
    job.file.save("p.csv.enc", ContentFile(encrypt_bytes(b"psn_no\n").encode()), save=False)
    job.status = ImportJobStatus.RUNNING
    job.progress_at = timezone.now() - timezone.timedelta(minutes=minutes_silent)
    job.save()
    return job


def test_a_running_job_silent_too_long_is_failed_and_its_upload_deleted(tmp_path, settings):
    from insurance.services.imports import import_jobs_expire

    settings.MEDSUPP_IMPORT_JOB_STALE_MINUTES = 60
    dead = _running_job(tmp_path, settings, minutes_silent=61)
    alive = _running_job(tmp_path, settings, minutes_silent=59)
    dead_file = Path(dead.file.path)
    assert import_jobs_expire() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == ImportJobStatus.FAILED and dead.finished_at is not None
    assert "60" in dead.errors[0]["message"] and not dead.file and not dead_file.exists()
    assert alive.status == ImportJobStatus.RUNNING and Path(alive.file.path).exists()
    assert import_jobs_expire() == 0  # idempotent


def test_plain_temp_files_a_killed_process_left_are_swept(temp_folder, settings):
    import os
    import time

    from audit.temp_files import sweep_plain_temp_files

    settings.MEDSUPP_PLAIN_TEMP_MAX_MINUTES = 120
    settings.FILE_UPLOAD_TEMP_DIR = None
    old_upload = temp_folder / "tmpa1b2c3.upload.csv"
    old_plain = temp_folder / "medsupp-plain-x1.csv"
    fresh = temp_folder / "tmpd4e5f6.upload.xlsx"
    other = temp_folder / "someone-elses.csv"
    for path in (old_upload, old_plain, fresh, other):
        path.write_bytes(b"110101199003074514")
    three_hours_ago = time.time() - 3 * 3600
    for path in (old_upload, old_plain, other):
        os.utime(path, (three_hours_ago, three_hours_ago))
    removed = sweep_plain_temp_files()
    assert sorted(removed) == [old_plain.name, old_upload.name]
    assert {p.name for p in _files(temp_folder)} == {fresh.name, other.name}
