"""Tables written as the files spreadsheets open: CSV (UTF-8 with a byte order mark) and XLSX."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from qpmusic.editions.localtime import LUXEMBOURG
from qpmusic.screening.export import BOM, delimiter_for, safe_cell

DECIMALS = 3
MIN_WIDTH, MAX_WIDTH = 8, 60
# Characters Excel refuses in a sheet's name.
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Table:
    """A header row and data rows; cells are text, numbers, aware datetimes or None."""

    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)


def _local(value: datetime) -> datetime:
    return value.astimezone(LUXEMBOURG)


def csv_text(value, *, language: str) -> str:
    """One cell as CSV text: numbers with the reader's decimal mark, times in Luxembourg."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float | Decimal):
        # Excel where the decimal mark is a comma (and the list separator ';') reads
        # "7,25" as a number; "7.25" would become text or a date.
        text = f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if delimiter_for(language) == ";" else text
    if isinstance(value, datetime):
        return _local(value).isoformat(timespec="seconds")
    return safe_cell(value)


def to_csv(table: Table, *, language: str) -> bytes:
    """The table as UTF-8 CSV with a byte order mark, separated as Excel in ``language`` expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter_for(language), lineterminator="\r\n")
    writer.writerow([safe_cell(header) for header in table.headers])
    for row in table.rows:
        writer.writerow([csv_text(value, language=language) for value in row])
    return (BOM + buffer.getvalue()).encode("utf-8")


def _xlsx_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        # Excel has no time zones: the wall-clock time in Luxembourg, as on every page.
        return _local(value).replace(tzinfo=None)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, float | Decimal):
        return 8
    return max((len(line) for line in str(value).splitlines()), default=0)


def sheet_name(title: str) -> str:
    return SHEET_NAME_FORBIDDEN.sub("-", title)[:31] or "Sheet"


def to_xlsx(table: Table) -> bytes:
    """The table as one XLSX sheet: bold, frozen header row, filter, columns sized to content."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name(table.title)
    bold = Font(bold=True)
    widths = [_width(header) for header in table.headers]
    for column, header in enumerate(table.headers, start=1):
        cell = sheet.cell(row=1, column=column, value=_xlsx_value(header))
        cell.font = bold
        cell.data_type = "s"
    for row_number, row in enumerate(table.rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column, value=_xlsx_value(value))
            if isinstance(value, str):
                # openpyxl stores a string starting with "=" as a formula; names are never one.
                cell.data_type = "s"
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, float | Decimal):
                cell.number_format = "0.00#"
            widths[column - 1] = max(widths[column - 1], _width(value))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(
            MAX_WIDTH, max(MIN_WIDTH, width + 2)
        )
    sheet.freeze_panes = "A2"
    if table.headers:
        last = get_column_letter(len(table.headers))
        sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
