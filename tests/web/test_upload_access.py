"""Who may upload, follow, download and share: 7 actors × 7 requests on prac_a1's client Alice.

Staff of the client (her practitioner, the owner) may; another practitioner of the practice and
everyone of another practice get 404 (the object's existence is not confirmed); clients 403;
anonymous users are sent to sign in. A leak check looks for Alice's file name in every answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from gutbrain.web.results.models import Result, Upload, UploadStatus
from gutbrain.web.results.storage import reports_dir, write_private
from tests.web.conftest import World

SECRET_NAME = "alice-secret-sample.tsv"
OK, NOT_FOUND, FORBIDDEN, SIGN_IN = 200, 404, 403, 302

ACTORS = {
    "anonymous": None,
    "owner": "owner_a",
    "practitioner": "prac_a1",
    "other practitioner": "prac_a2",
    "client": "client_a1",
    "other practice owner": "owner_b",
    "other practice practitioner": "prac_b",
}
ALLOWED = {"owner", "practitioner"}


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.DATA_DIR = tmp_path / "data"
    settings.GUTBRAIN_REPORT_PDF = False
    yield tmp_path / "data"


def _objects(world: World) -> tuple[Upload, Result]:
    alice = world.files["client_a1"].client
    upload = Upload.objects.create(
        client=alice, original_name=SECRET_NAME, stored_name="a" * 32, sha256="0" * 64, size=3,
        detected_format="text", status=UploadStatus.FAILED, error="x",
    )  # fmt: skip
    result = world.files["client_a1"].result
    result.upload = upload
    result.report_html = write_private(reports_dir(), ".html", b"<!DOCTYPE html><p>report")
    result.save()
    return upload, result


REQUESTS = [
    "form GET", "form POST", "status", "retry POST", "report html", "report pdf", "share POST",
]  # fmt: skip


def _request(http: HttpClient, what: str, upload: Upload, result: Result) -> Any:
    alice = upload.client_id
    if what == "form GET":
        return http.get(reverse("upload_new", args=[alice]))
    if what == "form POST":
        data = {"file": SimpleUploadedFile("x.tsv", b"not\ta profile\n")}
        return http.post(reverse("upload_new", args=[alice]), data)
    if what == "status":
        return http.get(reverse("upload_status", args=[upload.pk]))
    if what == "retry POST":
        return http.post(reverse("upload_retry", args=[upload.pk]))
    if what == "share POST":
        return http.post(reverse("result_share", args=[result.pk]), {"shared": "0"})
    kind = what.split()[-1]
    return http.get(reverse("result_report", args=[result.pk, kind]))


def _expected(actor: str, what: str) -> int:
    if actor == "anonymous":
        return SIGN_IN
    if actor == "client":
        return FORBIDDEN
    if actor not in ALLOWED:
        return NOT_FOUND
    if what in ("form POST", "retry POST", "share POST"):
        return 302
    if what == "report pdf":
        return NOT_FOUND  # no PDF made (renderer switched off)
    return OK


@pytest.mark.parametrize("what", REQUESTS)
@pytest.mark.parametrize("actor", list(ACTORS))
def test_upload_access_matrix(world: World, actor: str, what: str) -> None:
    upload, result = _objects(world)
    http = world.login(ACTORS[actor])
    response = _request(http, what, upload, result)
    expected = _expected(actor, what)
    assert response.status_code == expected, (actor, what, response.status_code)
    if actor == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if actor not in ALLOWED:
        assert SECRET_NAME.encode() not in body
        assert Upload.objects.count() == 1
        upload.refresh_from_db()
        assert upload.status == UploadStatus.FAILED  # not retried by an outsider
        result.refresh_from_db()
        assert result.shared_with_client  # not taken back by an outsider
    elif what == "share POST":
        result.refresh_from_db()
        assert not result.shared_with_client


def test_own_and_others_objects(world: World) -> None:
    """prac_a2 reaches their own client's upload page, not Alice's."""
    upload, _ = _objects(world)
    http = world.login("prac_a2")
    colin = world.files["client_a2"].client
    assert http.get(reverse("upload_new", args=[colin.pk])).status_code == OK
    assert http.get(reverse("upload_status", args=[upload.pk])).status_code == NOT_FOUND
