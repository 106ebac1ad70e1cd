"""core.report.export: read the written workbook back with openpyxl and python-calamine."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.escape import unescape
from python_calamine import CalamineWorkbook

from core.exceptions import WorkbenchError
from core.report.cells import prepare_frame
from core.report.export import (
    DECISION_COLOURS,
    DECISION_FONT_COLOURS,
    DECISION_LABELS,
    RESULT_COLUMNS,
    is_dangerous_text,
    results_to_bytes,
    write_results,
)

ENGINES = ["rust", "xlsxwriter"]
DANGEROUS = [
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "+1",
    "-2",
    "@SUM(A1)",
    "\tx",
    "\rx",
    "\nx",
    "=cmd|' /C calc'!A0",
    "http://example.com",
    "0012",
    "1e5",
]
OPTIONS = {"date_columns": ["Date Réclamation"], "amount_columns": ["Montant demandé"]}


def scored_frame(n: int = 9) -> pd.DataFrame:
    """A small scored batch: text IDs with leading zeros, a date, amounts with NaN/inf."""
    codes = [(-1, 0, 1)[i % 3] for i in range(n)]
    amounts = [1234.5 + i for i in range(n)]
    for i, bad in zip((1, 2, 3), (np.nan, np.inf, -np.inf), strict=False):
        if i < n:
            amounts[i] = bad
    return pd.DataFrame(
        {
            "ID Réclamation": [f"{i:06d}" for i in range(n)],
            "Date Réclamation": pd.date_range("2024-03-05", periods=n, freq="D"),
            "Montant demandé": amounts,
            "Famille Produit": ["Cartes", "Comptes", None] * (n // 3) + ["Cartes"] * (n % 3),
            "Probabilite_Fondee": np.linspace(0.05, 0.95, n),
            "Decision_Finale": [DECISION_LABELS["fr"][c] for c in codes],
            "Decision_Code": codes,
            "Motif_Regle": ["", "Montant supérieur au PNB", ""] * (n // 3) + [""] * (n % 3),
            "Decision_Modele": [
                DECISION_LABELS["fr"][1 if i % 3 == 1 else c] for i, c in enumerate(codes)
            ],
            "Controle_Qualite": [int(i % 4 == 0) for i in range(n)],
        }
    )


def read_openpyxl(data: bytes) -> openpyxl.worksheet.worksheet.Worksheet:
    return openpyxl.load_workbook(io.BytesIO(data)).active


def read_calamine(data: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def written(engine: str) -> bytes:
    return results_to_bytes(scored_frame(), engine=engine, **OPTIONS)


def test_openpyxl_reads_same_rows_headers_and_values(written: bytes) -> None:
    ws = read_openpyxl(written)
    frame = scored_frame()
    rows = list(ws.iter_rows(values_only=True))
    assert ws.title == "Résultats"
    assert list(rows[0]) == list(frame.columns)
    assert len(rows) - 1 == len(frame)
    assert set(RESULT_COLUMNS) <= set(rows[0])
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["ID Réclamation"] == "000000"
    assert ws["A2"].data_type == "s"
    assert first["Date Réclamation"] == datetime(2024, 3, 5)
    assert first["Montant demandé"] == pytest.approx(1234.5)
    assert first["Probabilite_Fondee"] == pytest.approx(0.05)
    assert first["Decision_Code"] == -1
    assert first["Decision_Finale"] == "Rejet Auto"
    assert first["Motif_Regle"] is None
    assert rows[2][7] == "Montant supérieur au PNB"


def test_calamine_reads_same_values(written: bytes) -> None:
    rows = read_calamine(written)
    frame = scored_frame()
    assert rows[0] == list(frame.columns)
    assert len(rows) - 1 == len(frame)
    ids = [r[0] for r in rows[1:]]
    assert ids == list(frame["ID Réclamation"])
    assert rows[1][1] == date(2024, 3, 5)  # a date cell, not text
    probabilities = [r[4] for r in rows[1:]]
    assert probabilities == pytest.approx(list(frame["Probabilite_Fondee"]))
    assert [r[6] for r in rows[1:]] == list(frame["Decision_Code"])


def test_nan_and_inf_become_empty_cells(written: bytes) -> None:
    ws = read_openpyxl(written)
    assert [ws.cell(row=r, column=3).value for r in (3, 4, 5)] == [None, None, None]
    assert ws["D4"].value is None  # a None in a text column


def test_header_is_frozen_bold_filled_and_filtered(written: bytes) -> None:
    ws = read_openpyxl(written)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:J10"
    header = ws["A1"]
    assert header.font.b
    assert header.fill.fgColor.rgb.endswith("1F3864")


def test_number_formats(written: bytes) -> None:
    ws = read_openpyxl(written)
    assert ws["B2"].number_format == "dd/mm/yyyy"
    assert ws["C2"].number_format == "#,##0.00"
    assert ws["E2"].number_format == "0.0%"


def test_column_widths_are_set_and_bounded(written: bytes) -> None:
    ws = read_openpyxl(written)
    widths = {k: v.width for k, v in ws.column_dimensions.items() if v.width}
    assert widths, "no column width written"
    assert all(8 <= w <= 61 for w in widths.values())
    assert widths["A"] >= len("ID Réclamation")


def test_decisions_are_coloured_by_conditional_formats(written: bytes) -> None:
    ws = read_openpyxl(written)
    rules = {str(cf.sqref): cf.rules for cf in ws.conditional_formatting}
    assert set(rules) == {"F2:F10", "G2:G10", "I2:I10"}
    code_rules = {r.formula[0]: r for r in rules["G2:G10"]}
    assert set(code_rules) == {"-1", "0", "1"}
    for code, fill in DECISION_COLOURS.items():
        rule = code_rules[str(code)]
        assert rule.dxf.fill.bgColor.rgb.endswith(fill.lstrip("#"))
        assert rule.dxf.font.color.rgb.endswith(DECISION_FONT_COLOURS[code].lstrip("#"))
    for labels in ("F2:F10", "I2:I10"):  # the final decision, then the model's
        label_rules = {r.text: r for r in rules[labels]}
        assert set(label_rules) == set(DECISION_LABELS["fr"].values())


@pytest.mark.parametrize("text", DANGEROUS)
def test_dangerous_text_is_written_as_text(engine: str, text: str) -> None:
    frame = scored_frame(3)
    frame["Famille Produit"] = text
    frame.insert(0, text.strip() or "x", "ok")  # a dangerous header too
    data = results_to_bytes(frame, engine=engine)
    ws = read_openpyxl(data)
    cell = ws["E2"]
    assert cell.data_type == "s"
    assert unescape(cell.value) == text
    assert ws["A1"].data_type == "s"
    assert read_calamine(data)[1][4] == text
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet  # no formula anywhere
    assert b"hyperlink" not in sheet


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *((t, True) for t in ("=1", "+1", "-1", "@x", "\tx", "\rx", "\nx")),
        ("", False),
        ("a=b", False),
        (" =x", False),
    ],
)
def test_is_dangerous_text(value: str, expected: bool) -> None:
    assert is_dangerous_text(value) is expected


def test_english_labels_follow_the_codes(engine: str) -> None:
    frame = scored_frame()
    data = results_to_bytes(frame, locale="en", engine=engine)
    rows = read_calamine(data)
    labels = [r[5] for r in rows[1:]]
    assert labels == [DECISION_LABELS["en"][c] for c in frame["Decision_Code"]]
    ws = read_openpyxl(data)
    texts = {r.text for cf in ws.conditional_formatting for r in cf.rules if r.text}
    assert texts == set(DECISION_LABELS["en"].values())
    assert frame.equals(scored_frame())  # the caller's frame is left as it was


def test_unknown_code_keeps_the_frame_label() -> None:
    frame = scored_frame(3)
    frame["Decision_Code"] = [np.nan, 0, 1]
    frame["Decision_Finale"] = ["Inconnu", "x", "y"]
    rows = read_calamine(results_to_bytes(frame))
    assert [r[5] for r in rows[1:]] == ["Inconnu", "Audit Humain", "Validation Auto"]


def test_engines_write_the_same_cells() -> None:
    frame = scored_frame(30)
    rust, python = (read_calamine(results_to_bytes(frame, engine=e, **OPTIONS)) for e in ENGINES)
    assert len(rust) == len(python) == 31
    for left, right in zip(rust, python, strict=True):  # floats may differ in the 17th digit
        assert [pytest.approx(v, rel=1e-15) if isinstance(v, float) else v for v in left] == right


def test_write_to_path_leaves_no_temporary_file(tmp_path: Path, engine: str) -> None:
    target = tmp_path / "scores.xlsx"
    write_results(scored_frame(), target, engine=engine)
    assert [p.name for p in tmp_path.iterdir()] == ["scores.xlsx"]
    assert len(read_calamine(target.read_bytes())) == 10


def test_unwritable_target_raises_workbench_error(tmp_path: Path) -> None:
    with pytest.raises(WorkbenchError, match="Impossible d'écrire"):
        write_results(scored_frame(), tmp_path / "missing" / "scores.xlsx")


def test_empty_frame_writes_the_header_only(engine: str) -> None:
    data = results_to_bytes(scored_frame().iloc[:0], engine=engine)
    assert read_calamine(data) == [list(scored_frame().columns)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"locale": "de"}, "locale"),
        ({"sheet_name": "a/b"}, "sheet"),
        ({"sheet_name": "x" * 32}, "sheet"),
    ],
)
def test_bad_arguments_raise(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        results_to_bytes(scored_frame(), **kwargs)


def test_missing_result_columns_raise() -> None:
    with pytest.raises(ValueError, match="Motif_Regle"):
        results_to_bytes(scored_frame().drop(columns="Motif_Regle"))


def test_prepare_frame_cleans_awkward_columns() -> None:
    frame = pd.DataFrame(
        {
            "mixed": [1, "a", None, 2.5],
            "category": pd.Categorical(["x", "y", "x", None]),
            "nullable": pd.array([1, None, 3, 4], dtype="Int64"),
            "zoned": pd.to_datetime(["2024-01-01 10:00"] * 4).tz_localize("Europe/Paris"),
            "card": np.array([1234567890123456, 1, 2, 3], dtype="int64"),
            "span": pd.to_timedelta([1, 2, 3, 4], unit="D"),
            "long": ["y" * 40_000, "z", None, ""],
        },
        index=[10, 11, 12, 13],
    )
    out = prepare_frame(frame)
    assert list(out.index) == [0, 1, 2, 3]
    assert list(out["mixed"]) == ["1", "a", None, "2.5"]
    assert list(out["category"]) == ["x", "y", "x", None]
    assert out["nullable"].dtype == np.float64 and np.isnan(out["nullable"][1])
    assert out["zoned"][0] == pd.Timestamp("2024-01-01 10:00")
    assert out["card"][0] == "1234567890123456"  # 16 digits: text, Excel would round it
    assert out["span"][0] == "1 days 00:00:00"
    assert len(out["long"][0]) == 32_767
    assert out["long"][2] is None


def test_prepare_frame_renames_duplicate_headers() -> None:
    frame = pd.DataFrame([[1, 2, 3]], columns=["a", "a", 7])
    assert list(prepare_frame(frame).columns) == ["a", "a (2)", "7"]


def test_declared_columns_held_as_text_are_converted_when_lossless() -> None:
    frame = pd.DataFrame({"d": ["05/03/2024", "31/12/2023"], "m": ["12.5", "3"], "bad": ["1", "x"]})
    out = prepare_frame(frame, date_columns=["d"], numeric_columns=["m", "bad"])
    assert out["d"][0] == pd.Timestamp("2024-03-05")
    assert list(out["m"]) == [12.5, 3.0]
    assert list(out["bad"]) == ["1", "x"]  # one value is not a number: kept as text


def test_booleans_and_date_objects(engine: str) -> None:
    frame = scored_frame(3)
    frame["Actif"] = pd.array([True, None, False], dtype="boolean")
    frame["Vu le"] = [date(2024, 3, 5), "inconnu", None]
    rows = read_calamine(results_to_bytes(frame, engine=engine))
    assert [r[-2] for r in rows[1:]] == [True, "", False]
    assert [r[-1] for r in rows[1:]] == ["05/03/2024", "inconnu", ""]
