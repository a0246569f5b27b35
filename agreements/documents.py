"""What an uploaded arrangement document really is, judged by its content, not its name."""

from __future__ import annotations

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", ODT: ".odt"}


def sniff(uploaded) -> str | None:
    """The document's type from its bytes: PDF, DOCX or ODT; None for anything else."""
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
            if "[Content_Types].xml" in names and any(name.startswith("word/") for name in names):
                return DOCX
    except zipfile.BadZipFile:
        return None
    finally:
        uploaded.seek(0)
    return None


def validate_document(uploaded) -> str:
    """Refuse oversized files and anything that is not really a PDF, DOCX or ODT; return its type."""
    limit = settings.ARRANGEMENT_DOCUMENT_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    content_type = sniff(uploaded)
    if content_type is None:
        raise ValidationError(
            _("Only PDF, DOCX and ODT documents are accepted; this file's content is none of them."),
            code="bad_type",
        )
    name = (uploaded.name or "").lower()
    if not name.endswith(EXTENSIONS[content_type]):
        raise ValidationError(
            _("The file's name does not match its content (%(expected)s).") % {"expected": EXTENSIONS[content_type]},
            code="name_mismatch",
        )
    return content_type
