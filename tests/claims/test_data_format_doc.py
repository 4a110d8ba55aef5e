from pathlib import Path

from claims.settlements.ingest.codes import NATIONAL_CODES
from claims.settlements.ingest.errors import MESSAGES
from claims.settlements.ingest.spec import COLUMNS

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-format.md"
FILE_PROBLEMS = (
    "missing_column", "duplicate_column", "title_row", "empty", "bad_encoding", "tsv", "xls",
    "no_header_sheet", "xlsx_error_cell", "xlsx_formula_without_value", "unit_not_yuan",
    "json_response", "json_document",
)  # fmt: skip


def test_every_column_name_code_and_error_is_documented_for_insurers():
    text = DOC.read_text(encoding="utf-8")
    missing_columns = [c.name for c in COLUMNS if f"`{c.name}`" not in text or c.label not in text]
    missing_aliases = [alias for c in COLUMNS for alias in c.aliases if alias not in text]
    missing_codes = [
        code
        for code in (*MESSAGES, *FILE_PROBLEMS)
        if code != "too_many_errors" and f"`{code}`" not in text
    ]
    undocumented_mapping = [c.code for c in NATIONAL_CODES if f"`{c.code}`" not in text]
    assert missing_columns == [] and missing_aliases == [] and missing_codes == []
    assert undocumented_mapping == []
