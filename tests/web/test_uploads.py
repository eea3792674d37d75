"""Stool-test uploads: the allow-list, the limits, each refusal with its message, the stored
file, the background analysis (immediate task backend) and the report download."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from gutbrain.knowledge.examples import example_file
from gutbrain.knowledge.profile_schema import validate_profile
from gutbrain.web.results.models import Result, Upload, UploadStatus
from tests.web.conftest import World

EXAMPLE = example_file("taxon-profile").read_bytes()


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.DATA_DIR = tmp_path / "data"
    settings.GUTBRAIN_REPORT_PDF = False
    settings.GUTBRAIN_UPLOAD_MAX_MB = 2
    yield tmp_path / "data"


def post(http: HttpClient, world: World, name: str, data: bytes, who: str = "client_a1") -> object:
    url = reverse("upload_new", args=[world.files[who].client.pk])
    return http.post(url, {"file": SimpleUploadedFile(name, data)})


def files_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def test_happy_path_gives_a_valid_profile_and_report(world: World, data_dir: Path) -> None:
    http = world.login("prac_a1")
    response = post(http, world, "hmp2 sample.tsv", EXAMPLE)
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert response["Location"] == reverse("upload_status", args=[upload.pk])
    assert upload.status == UploadStatus.DONE, upload.error
    result = Result.objects.get(upload=upload)
    validate_profile(result.document)
    assert result.provenance["input"]["sha256"] == upload.sha256
    assert result.provenance["input"]["original_name"] == "hmp2 sample.tsv"
    assert result.provenance["gutbrain_version"]
    page = http.get(response["Location"])
    assert page.status_code == 200 and b"refresh" not in page.content
    report = http.get(reverse("result_report", args=[result.pk, "html"]))
    assert report.status_code == 200
    assert report["Content-Disposition"].startswith("attachment;")
    assert report["X-Content-Type-Options"] == "nosniff"
    assert report["Cache-Control"] == "no-store"
    assert b"<!DOCTYPE html>" in b"".join(report.streaming_content)  # type: ignore[attr-defined]
    stored = data_dir / "uploads" / upload.stored_name
    assert stored.read_bytes() == EXAMPLE
    assert stored.stat().st_mode & 0o777 == 0o600
    assert (data_dir / "uploads").stat().st_mode & 0o777 == 0o700
    assert files_in(data_dir / "uploads" / "tmp") == []


def _bomb() -> bytes:
    return zipped({"big.tsv": b"0" * (9 << 20)})


REFUSED = [
    ("wrong extension", "results.exe", b"MZ\x90\x00", "This file type is not accepted"),
    ("no extension", "results", b"a\tb\n", "This file type is not accepted"),
    ("spreadsheet", "results.xlsx", b"PK\x03\x04", "This file type is not accepted"),
    ("zip named tsv", "profile.tsv", b"PK\x03\x04" + b"\x00" * 40, "does not match its name"),
    ("pdf named csv", "profile.csv", b"%PDF-1.7\n", "found a PDF document"),
    ("not gzip", "profile.tsv.gz", b"a\tb\n", "is not gzip-compressed"),
    ("not a zip", "profile.zip", b"a\tb\n", "where a zip archive was expected"),
    (
        "latin-1",
        "profile.tsv",
        "clade\tS1\ns__Bacteroides\t1\nm\xe9\t2\n".encode("latin-1"),
        "is not UTF-8 text (near line 3)",
    ),
    ("NUL bytes", "profile.txt", b"clade\tS1\nx\x00y\t1\n", "contains NUL bytes (line 2)"),
    ("empty", "profile.tsv", b"", "is empty"),
    ("biom not json", "profile.biom", b"clade\tS1\n", "is not a BIOM table"),
    ("zip bomb", "profile.zip", _bomb(), "compression bomb"),
    ("zip slip", "profile.zip", zipped({"../../etc/profile.tsv": EXAMPLE}), "unsafe path"),
    ("zip absolute", "profile.zip", zipped({"/tmp/profile.tsv": EXAMPLE}), "unsafe path"),
    ("zip two files", "profile.zip", zipped({"a.tsv": EXAMPLE, "b.tsv": EXAMPLE}), "holds 2 files"),
    ("zip of exe", "profile.zip", zipped({"run.exe": b"MZ"}), "This file type is not accepted"),
    ("zip of gz", "profile.zip", zipped({"a.tsv.gz": gzip.compress(EXAMPLE)}), "itself compressed"),
    ("gzip bomb", "profile.tsv.gz", gzip.compress(b"0" * (9 << 20)), "compression bomb"),
    ("damaged gzip", "profile.tsv.gz", gzip.compress(EXAMPLE)[:200], "damaged or incomplete"),
    ("too big", "profile.tsv", b"0\t1\n" * (600 << 10), "larger than the 2 MB limit"),
    ("just too big", "profile.tsv", b"0" * ((2 << 20) + 100), "larger than the 2 MB limit"),
]


@pytest.mark.parametrize(
    ("name", "data", "message"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_refused_files_say_why(
    world: World, data_dir: Path, name: str, data: bytes, message: str
) -> None:
    http = world.login("prac_a1")
    response = post(http, world, name, data)
    assert response.status_code in (400, 413)
    body = response.content.decode()
    assert message in body.replace("&#x27;", "'"), body[-1500:]
    assert "Traceback" not in body
    assert not Upload.objects.exists() and Result.objects.filter(upload__isnull=False).count() == 0
    assert files_in(data_dir / "uploads") == []


def test_gutbrain_parse_error_fails_the_upload_with_its_message(world: World) -> None:
    http = world.login("prac_a1")
    response = post(http, world, "notes.tsv", b"hello\tworld\nfoo\tbar\n")
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.FAILED
    assert upload.error.startswith("notes.tsv")  # gutbrain's message, with the name sent
    assert "expected" in upload.error and "fix:" in upload.error
    assert "Traceback" not in upload.error and "/tmp" not in upload.error
    page = http.get(response["Location"]).content.decode()
    assert "notes.tsv" in page and "Try the analysis again" in page and "refresh" not in page
    assert not Result.objects.filter(upload=upload).exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("profile.tsv.gz", gzip.compress(EXAMPLE)),
        ("profile.zip", zipped({"inner/profile.tsv": EXAMPLE})),
    ],
    ids=["gzip", "zip"],
)
def test_compressed_uploads_are_analysed(world: World, name: str, data: bytes) -> None:
    response = post(world.login("prac_a1"), world, name, data)
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.DONE, upload.error
    assert upload.detected_format.startswith("text (")
    validate_profile(Result.objects.get(upload=upload).document)


def test_the_same_file_can_be_uploaded_again_and_retried(world: World, data_dir: Path) -> None:
    http = world.login("owner_a")
    for _ in range(2):
        assert post(http, world, "again.tsv", EXAMPLE).status_code == 302
    uploads = list(Upload.objects.all())
    assert [u.status for u in uploads] == [UploadStatus.DONE] * 2
    assert uploads[0].sha256 == uploads[1].sha256
    assert uploads[0].stored_name != uploads[1].stored_name
    # a failed analysis can be run again on the stored file
    failed = uploads[0]
    Upload.objects.filter(pk=failed.pk).update(status=UploadStatus.FAILED, error="x")
    response = http.post(reverse("upload_retry", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == UploadStatus.DONE and failed.error == ""


def test_status_page_refreshes_while_queued(world: World) -> None:
    client = world.files["client_a1"].client
    upload = Upload.objects.create(
        client=client, original_name="q.tsv", stored_name="f" * 32, sha256="0" * 64, size=1,
        detected_format="text",
    )  # fmt: skip
    page = world.login("prac_a1").get(reverse("upload_status", args=[upload.pk]))
    assert page.status_code == 200
    assert b'<meta http-equiv="refresh" content="3">' in page.content
    assert b"<script" not in page.content


def test_the_client_file_lists_uploads_for_staff_only(world: World) -> None:
    post(world.login("prac_a1"), world, "listed.tsv", EXAMPLE)
    url = reverse("client_detail", args=[world.files["client_a1"].client.pk])
    page = world.login("prac_a1").get(url).content.decode()
    assert (
        "listed.tsv" in page
        and reverse("upload_new", args=[world.files["client_a1"].client.pk]) in page
    )


def test_pdf_report_when_weasyprint_is_there(world: World, settings: Any) -> None:
    pytest.importorskip("weasyprint")
    settings.GUTBRAIN_REPORT_PDF = True
    http = world.login("prac_a1")
    assert post(http, world, "pdf.tsv", EXAMPLE).status_code == 302
    result = Result.objects.get(upload__isnull=False)
    assert result.report_pdf.endswith(".pdf")
    response = http.get(reverse("result_report", args=[result.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="gutbrain-report-HSM5MD8H_P.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("GUTBRAIN_ANALYSIS_TIMEOUT_SECONDS", 0, "took longer than 0 minutes"),
        ("GUTBRAIN_ANALYSIS_MEMORY_MB", 1, "needed more memory than the 1 MB allowed"),
    ],
    ids=["time", "memory"],
)
def test_analysis_limits_fail_the_upload_clearly(
    world: World, settings: Any, setting: str, value: int, message: str
) -> None:
    setattr(settings, setting, value)
    assert post(world.login("prac_a1"), world, "limits.tsv", EXAMPLE).status_code == 302
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.FAILED
    assert message in upload.error and "Traceback" not in upload.error


def test_an_unexpected_crash_shows_an_error_id_only(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from gutbrain.web.results import services

    from .crash_engine import crash

    # the analysis runs in a spawned child: the crash must come from an importable function
    monkeypatch.setattr(services, "run_engine", crash)
    assert post(world.login("prac_a1"), world, "crash.tsv", EXAMPLE).status_code == 302
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.FAILED
    assert "error id" in upload.error and "secret detail" not in upload.error
    assert "ZeroDivisionError" in caplog.text  # the traceback is in the log
