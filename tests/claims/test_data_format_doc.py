from pathlib import Path

from claims.ingest.columns import COLUMNS
from claims.ingest.errors import MESSAGES

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-format.md"


def test_every_column_and_error_code_is_documented_for_insurers():
    text = DOC.read_text(encoding="utf-8")
    missing_columns = [c.name for c in COLUMNS if f"`{c.name}`" not in text or c.label not in text]
    missing_codes = [
        code for code in MESSAGES if code != "too_many_errors" and f"`{code}`" not in text
    ]
    assert missing_columns == [] and missing_codes == []
