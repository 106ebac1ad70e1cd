"""What a claims file really is, from its bytes, and whether it is safe to open.

The real type is taken from the magic bytes, never the extension (a PDF renamed ``.xlsx`` is
named as a PDF); password-protected workbooks (an OLE container holding an
``EncryptionInfo`` stream) and zip bombs (declared uncompressed size or compression ratio
over the limits, read from the zip directory without inflating anything) are refused with a
message that says what to do. Used by :mod:`core.ingest.reader` before any parsing.

Every refusal is a :class:`~core.exceptions.FileRejectedError` with a stable ``code``, a
French message and ``message_en``.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from core.config.settings import LimitsConfig
from core.exceptions import FileRejectedError

FORMATS = ("xlsx", "xls", "xlsb", "ods", "csv")
ZIP_FORMATS = ("xlsx", "xlsb", "ods")
MB = 1024 * 1024
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_BIFF8_GLOBALS_BOF = bytes.fromhex("0908100000060500")  # BOF record, BIFF8, workbook globals
_TEXT_EXTENSIONS = ("", ".csv", ".txt", ".tsv")
_ZIP_BOMB_FLOOR = 1 * MB  # a member this small cannot hurt, whatever its ratio
# (magic bytes, French name, English name) of files people upload by mistake.
_SIGNATURES = (
    (b"%PDF", "un document PDF", "a PDF document"),
    (b"\x89PNG", "une image PNG", "a PNG image"),
    (b"\xff\xd8\xff", "une image JPEG", "a JPEG image"),
    (b"GIF8", "une image GIF", "a GIF image"),
    (b"\x1f\x8b", "une archive gzip", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "une archive 7-Zip", "a 7-Zip archive"),
    (b"Rar!", "une archive RAR", "a RAR archive"),
    (b"{\\rtf", "un document RTF", "an RTF document"),
    (b"MZ", "un programme Windows", "a Windows program"),
)
_HELP_FR = "Déposez le classeur d'origine (.xlsx, .xls, .xlsb, .ods) ou un export CSV."
_HELP_EN = "Upload the original workbook (.xlsx, .xls, .xlsb, .ods) or a CSV export."
_RESAVE_FR = "Ouvrez-le dans Excel, enregistrez-le au format .xlsx puis déposez-le à nouveau."
_RESAVE_EN = "Open it in Excel, save it as .xlsx and upload it again."


def _reject(code: str, name: str, fr: str, en: str) -> FileRejectedError:
    return FileRejectedError(
        f"{name} : {fr}", file_name=name, code=code, message_en=f"{name}: {en}"
    )


# --------------------------------------------------------------------------- sniffing


def sniff_format(data: bytes, file_name: str) -> str:
    """The real format of ``data`` from its magic bytes: one of :data:`FORMATS`.

    Raises FileRejectedError naming what the file really is when it is not a workbook or
    CSV (PDF, image, Word document, HTML page, encrypted workbook...).
    """
    name = file_name or "fichier"
    if not data:
        raise _reject(
            "empty_file", name, "le fichier est vide (0 octet). Vérifiez le fichier déposé.",
            "the file is empty (0 bytes). Check the file you uploaded.",
        )  # fmt: skip
    if data[:4] in _ZIP_MAGIC:
        return _sniff_zip(data, name)
    if data[:8] == _OLE_MAGIC:
        return _sniff_ole(data, name)
    for magic, fr, en in _SIGNATURES:
        if data.startswith(magic):
            raise _not_a_workbook(name, fr, en)
    return _sniff_text(data, name)


def _not_a_workbook(name: str, fr: str, en: str) -> FileRejectedError:
    return _reject(
        "not_a_workbook",
        name,
        f"ce n'est pas un classeur ni un CSV mais {fr} (l'extension du nom ne correspond pas "
        f"au contenu). {_HELP_FR}",
        f"this is not a workbook nor a CSV but {en} (the name's extension does not match the "
        f"content). {_HELP_EN}",
    )


def _sniff_zip(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = {info.filename: info for info in zf.infolist()}
            mimetype = b""
            if "mimetype" in members and members["mimetype"].file_size < 200:
                mimetype = zf.read("mimetype")
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise _corrupted(name, "archive ZIP illisible", "unreadable ZIP archive") from exc
    if "xl/workbook.xml" in members:
        return "xlsx"
    if "xl/workbook.bin" in members:
        return "xlsb"
    if b"opendocument.spreadsheet" in mimetype:
        return "ods"
    if "word/document.xml" in members or b"opendocument.text" in mimetype:
        raise _not_a_workbook(name, "un document de traitement de texte", "a text document")
    if "ppt/presentation.xml" in members or b"opendocument.presentation" in mimetype:
        raise _not_a_workbook(name, "une présentation", "a presentation")
    raise _not_a_workbook(name, "une archive ZIP", "a ZIP archive")


def _sniff_ole(data: bytes, name: str) -> str:
    """Legacy OLE/CFB container: .xls, or an encrypted workbook, or another Office file.

    A workbook encrypted with a password (Excel 2007+, "Encrypt with Password") is an OLE
    container holding the streams ``EncryptionInfo`` and ``EncryptedPackage``; their names
    sit in UTF-16LE in the container's directory, which is what we look for. An encrypted
    .xls has a FILEPASS record (0x002F) right after the BOF of its workbook stream.
    """
    if "EncryptionInfo".encode("utf-16-le") in data:
        raise _encrypted(name)
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        bof = data.find(_BIFF8_GLOBALS_BOF)  # an encrypted .xls: FILEPASS right after BOF
        if bof >= 0 and data[bof + 20 : bof + 22] == b"\x2f\x00":
            raise _encrypted(name)
        return "xls"
    if "WordDocument".encode("utf-16-le") in data:
        raise _not_a_workbook(name, "un document Word (.doc)", "a Word document (.doc)")
    if "PowerPoint Document".encode("utf-16-le") in data:
        raise _not_a_workbook(name, "une présentation PowerPoint", "a PowerPoint presentation")
    raise _not_a_workbook(name, "un fichier Office qui n'est pas un classeur", "a non-Excel file")


def _sniff_text(data: bytes, name: str) -> str:
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    elif b"\x00" in head:
        raise _not_a_workbook(name, "un fichier binaire inconnu", "an unknown binary file")
    else:
        text = head.decode("latin-1")
    lowered = text.lstrip("\ufeff \r\n\t").lower()
    if lowered.startswith(("<!doctype html", "<html")) or "<table" in lowered[:1024]:
        raise _not_a_workbook(
            name, "une page HTML (export web renommé en tableur)", "an HTML page (web export)"
        )
    if lowered.startswith("<?xml"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
            raise _not_a_workbook(name, "un classeur « XML 2003 »", "an 'XML 2003' workbook")
        raise _not_a_workbook(name, "un fichier XML", "an XML file")
    if Path(name).suffix.lower() in _TEXT_EXTENSIONS:
        return "csv"
    suffix = Path(name).suffix
    raise _reject(
        "not_a_workbook",
        name,
        f"ce fichier porte l'extension « {suffix} » mais contient du texte (sans doute un CSV). "
        "Renommez-le en .csv, ou ouvrez-le dans Excel et enregistrez-le au format .xlsx.",
        f"this file is named « {suffix} » but holds plain text (probably a CSV). Rename it "
        "to .csv, or open it in Excel and save it as .xlsx.",
    )


def _encrypted(name: str) -> FileRejectedError:
    return _reject(
        "encrypted",
        name,
        "le classeur est protégé par un mot de passe et ne peut pas être lu. Ouvrez-le dans "
        "Excel, enregistrez-le sans mot de passe (Fichier > Informations > Protéger le "
        "classeur > Chiffrer avec mot de passe : effacez-le) puis déposez-le à nouveau.",
        "the workbook is protected by a password and cannot be read. Open it in Excel, save "
        "it without password (File > Info > Protect Workbook > Encrypt with Password: clear "
        "it) and upload it again.",
    )


def _corrupted(name: str, fr: str, en: str) -> FileRejectedError:
    return _reject(
        "corrupted",
        name,
        f"le fichier est endommagé ou incomplet ({fr}). {_RESAVE_FR}",
        f"the file is damaged or incomplete ({en}). {_RESAVE_EN}",
    )


def check_zip_limits(data: bytes, limits: LimitsConfig, file_name: str) -> None:
    """Refuse a zip bomb from the zip directory alone (nothing is decompressed).

    Refused: a total declared uncompressed size over ``max_uncompressed_mb``, or a member of
    more than 1 MB whose compression ratio exceeds ``max_compression_ratio``.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _corrupted(file_name, "archive ZIP illisible", "unreadable ZIP archive") from exc
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_mb * MB:
        size, limit = total / MB, limits.max_uncompressed_mb
        raise _zip_bomb(
            file_name, f"{size:,.0f} Mo ; limite {limit:,.0f} Mo".replace(",", " "),
            f"{size:,.0f} MB; limit {limit:,.0f} MB",
        )  # fmt: skip
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _ZIP_BOMB_FLOOR and ratio > limits.max_compression_ratio:
            limit = limits.max_compression_ratio
            raise _zip_bomb(
                file_name, f"taux de compression de {ratio:.0f} pour 1 ; limite {limit:g}",
                f"compression ratio of {ratio:.0f} to 1; limit {limit:g}",
            )  # fmt: skip


def _zip_bomb(name: str, what_fr: str, what_en: str) -> FileRejectedError:
    return _reject(
        "zip_bomb",
        name,
        f"le classeur se décompresse de façon anormale ({what_fr}) : il est refusé par "
        "sécurité (possible « bombe zip »). S'il est légitime, découpez le lot en plusieurs "
        "fichiers ou enregistrez-le à nouveau depuis Excel.",
        f"the workbook decompresses abnormally ({what_en}): it is refused for safety "
        "(possible zip bomb). If it is genuine, split the batch into several files or save it "
        "again from Excel.",
    )
