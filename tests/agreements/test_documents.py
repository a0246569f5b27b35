"""Uploads are checked by content and size; downloads need a signed-in user with a role."""

import pytest
from django.core.exceptions import ValidationError

from agreements.documents import DOCX, ODT, PDF, validate_document
from agreements.models import Arrangement, ArrangementDocument
from tests.agreements.conftest import docx_file, executable_as_pdf, odt_file, pdf_file
from tests.api import login

pytestmark = pytest.mark.django_db


def test_content_types_are_recognised_by_their_bytes():
    assert validate_document(pdf_file()) == PDF
    assert validate_document(docx_file()) == DOCX
    assert validate_document(odt_file()) == ODT


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (executable_as_pdf(), "content is none of them"),
        (pdf_file(name="signed.docx"), "does not match its content"),
        (docx_file(name="annex.odt"), "does not match its content"),
    ],
)
def test_disguised_files_are_refused(upload, message):
    with pytest.raises(ValidationError, match=message):
        validate_document(upload)


def test_oversized_files_are_refused(settings):
    settings.ARRANGEMENT_DOCUMENT_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="the limit is"):
        validate_document(pdf_file(size=1001))
    validate_document(pdf_file(size=1000))


def upload(api, arrangement, file, **data):
    return api.post(
        f"/api/v1/arrangements/{arrangement.pk}/documents/", {"title": "Signed text", "kind": "signed_text", "file": file, **data},
        format="multipart",
    )


def test_api_upload_list_and_download(api, gta_manager, client, settings):
    arrangement = Arrangement.objects.get(jfos__acronym="TADEU")
    login(api, gta_manager)
    response = upload(api, arrangement, pdf_file())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == PDF and body["uploaded_by"] == gta_manager.username and body["size"] == 2000
    listed = api.get(f"/api/v1/arrangements/{arrangement.pk}/documents/").json()
    assert [d["id"] for d in listed] == [body["id"]]
    download = body["download_url"]
    assert client.get(download).status_code == 302  # anonymous: to sign-in, no file
    client.force_login(gta_manager)
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment;")


def test_api_refuses_bad_uploads_and_changes_nothing(api, gta_manager, settings):
    arrangement = Arrangement.objects.get(jfos__acronym="TADEU")
    login(api, gta_manager)
    response = upload(api, arrangement, executable_as_pdf())
    assert response.status_code == 400 and "file" in response.json()
    settings.ARRANGEMENT_DOCUMENT_MAX_BYTES = 100
    response = upload(api, arrangement, pdf_file())
    assert response.status_code == 400 and "limit" in response.json()["file"][0]
    assert not ArrangementDocument.objects.exists()


def test_uploads_follow_region_rights(api, gta_manager, analyst):
    pac = Arrangement.objects.get(jfos__acronym="WPSIU")
    login(api, gta_manager)
    assert upload(api, pac, pdf_file()).status_code == 403
    login(api, analyst)
    assert upload(api, Arrangement.objects.get(jfos__acronym="TADEU"), pdf_file()).status_code == 403
    assert not ArrangementDocument.objects.exists()


def test_page_upload(client, gta_manager):
    arrangement = Arrangement.objects.get(jfos__acronym="TADEU")
    client.force_login(gta_manager)
    response = client.post(
        f"/arrangements/{arrangement.pk}/documents/new/", {"title": "Annex A", "kind": "annex", "file": odt_file()}
    )
    assert response.status_code == 302
    document = ArrangementDocument.objects.get()
    assert (document.content_type, document.uploaded_by, document.kind) == (ODT, gta_manager, "annex")
    page = client.get(arrangement.get_absolute_url()).content.decode()
    assert "Annex A" in page and gta_manager.username in page
    response = client.post(
        f"/arrangements/{arrangement.pk}/documents/new/", {"title": "Bad", "kind": "annex", "file": executable_as_pdf()}
    )
    assert response.status_code == 400 and "content is none of them" in response.content.decode()
    assert ArrangementDocument.objects.count() == 1


def test_a_document_missing_from_storage_answers_404_and_logs_a_warning(api, gta_manager, client, settings, tmp_path, caplog):
    settings.MEDIA_ROOT = tmp_path
    login(api, gta_manager)
    body = upload(api, Arrangement.objects.get(jfos__acronym="TADEU"), pdf_file()).json()
    document = ArrangementDocument.objects.get(pk=body["id"])
    document.file.storage.delete(document.file.name)
    client.force_login(gta_manager)
    with caplog.at_level("WARNING"):
        response = client.get(body["download_url"])
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    warnings = [record for record in caplog.records if record.name == "agreements.views"]
    assert [record.levelname for record in warnings] == ["WARNING"]
    assert str(document.pk) in warnings[0].getMessage() and document.file.name in warnings[0].getMessage()
    assert all(record.exc_info is None for record in caplog.records)  # no traceback anywhere
    assert ArrangementDocument.objects.filter(pk=document.pk).exists()  # the record is kept
