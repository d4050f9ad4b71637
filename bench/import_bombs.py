"""How fast spreadsheet bombs are refused, and how much memory that takes.

Run from the repository root, with the local settings; it needs no database (reading is
where a file is refused):

    DEBUG=1 .venv/bin/python -m bench.import_bombs

It builds the two files of the finding and three that the limits let through, then reads each
as the import page does (``read_rows``, which refuses a file before its preview is made),
each in a process of its own, and prints the seconds and the process's peak memory
(VmHWM, as ru_maxrss) beside the memory it had before reading:

1. a 1 GB shared string in a ~1 MB .xlsx — refused, target ≤ 5 s and ≤ 200 MB;
2. 100,001 rows × 200 columns in a ~700 KB .xlsx (the finding's was 690 KB) — refused,
   target ≤ 5 s and ≤ 200 MB;
3. a methodology matrix of 1,000 indicators (the demo's 100, ten times) — read;
4. the heaviest sheet the default limits let through: 10,000 rows of numbers, just under the
   unpacked-size limit — read; it bounds how long any accepted file can take. Targets for
   3 and 4: ≤ 15 s (half the 30 s after which gunicorn stops a worker) and ≤ 300 MB;
5. a CSV file of the largest size with rows as long as the limits allow, of two-letter cells
   (the most objects per byte) — read, same targets.

Exit status 0, or with --strict 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils import get_column_letter

TARGET_REFUSED_SECONDS = 5.0
TARGET_REFUSED_MIB = 200
TARGET_READ_SECONDS = 15.0
TARGET_READ_MIB = 300
MIB = 1024 * 1024


# --- Building the files -------------------------------------------------------------------


@dataclass
class Repeated:
    """A part that is ``head``, ``unit`` ``times`` over, then ``tail``: deflated once and
    repeated, so that a gigabyte is built in a second and packs to a megabyte."""

    head: bytes
    unit: bytes = b""
    times: int = 0
    tail: bytes = b""

    def deflated(self) -> tuple[int, int, bytes]:
        """(CRC-32, unpacked size, raw deflate stream)."""
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        # A full flush starts the stream afresh, so the same unit always packs the same.
        head = packer.compress(self.head) + packer.flush(zlib.Z_FULL_FLUSH)
        block = packer.compress(self.unit) + packer.flush(zlib.Z_FULL_FLUSH) if self.times else b""
        tail = packer.compress(self.tail) + packer.flush()
        crc = zlib.crc32(self.head)
        for _ in range(self.times):
            crc = zlib.crc32(self.unit, crc)
        crc = zlib.crc32(self.tail, crc)
        size = len(self.head) + len(self.unit) * self.times + len(self.tail)
        return crc, size, head + block * self.times + tail


def zip_archive(parts: dict[str, bytes | Repeated]) -> bytes:
    """A zip archive written by hand, as zipfile cannot take a part already deflated."""
    out = io.BytesIO()
    directory = []
    version, deflated, date = 20, 8, 0x21  # date: 1 January 1980
    for name, content in parts.items():
        part = content if isinstance(content, Repeated) else Repeated(content)
        crc, size, packed = part.deflated()
        encoded, offset = name.encode(), out.tell()
        sizes = (crc, len(packed), size, len(encoded), 0)
        local = struct.pack("<4s5H3L2H", b"PK\x03\x04", version, 0, deflated, 0, date, *sizes)
        out.write(local + encoded + packed)
        entry = struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", version, version, 0, deflated, 0, date, *sizes,
            0, 0, 0, 0, offset,
        )  # fmt: skip
        directory.append(entry + encoded)
    start, entries = out.tell(), b"".join(directory)
    count = len(directory)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(entries), start, 0)
    out.write(entries + end)
    return out.getvalue()


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
KINDS = "application/vnd.openxmlformats-officedocument.spreadsheetml"
XML = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _xml(text: str) -> bytes:
    return XML + text.encode()


def workbook(sheet: bytes | Repeated, shared_strings: bytes | Repeated | None = None) -> bytes:
    """The smallest .xlsx that openpyxl opens: one sheet, and shared strings if given."""
    targets = {"worksheet": "worksheets/sheet1.xml"}
    if shared_strings is not None:
        targets["sharedStrings"] = "sharedStrings.xml"
    types = [("/xl/workbook.xml", "sheet.main")] + [
        (f"/xl/{target}", kind) for kind, target in targets.items()
    ]
    overrides = "".join(
        f'<Override PartName="{name}" ContentType="{KINDS}.{kind}+xml"/>' for name, kind in types
    )
    links = "".join(
        f'<Relationship Id="rId{n}" Type="{RELS}/{kind}" Target="{target}"/>'
        for n, (kind, target) in enumerate(targets.items(), start=1)
    )
    relationships = "application/vnd.openxmlformats-package.relationships+xml"
    parts = {
        "[Content_Types].xml": _xml(
            f'<Types xmlns="{PACKAGE}/content-types">'
            f'<Default Extension="rels" ContentType="{relationships}"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
        ),
        "_rels/.rels": _xml(
            f'<Relationships xmlns="{PACKAGE}/relationships">'
            f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": _xml(
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": _xml(
            f'<Relationships xmlns="{PACKAGE}/relationships">{links}</Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    return zip_archive(parts)


SHEET_HEAD = XML + f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
SHEET_TAIL = b"</sheetData></worksheet>"


def shared_string_bomb(gigabytes: int = 1) -> bytes:
    """A header cell whose text is one shared string of ``gigabytes`` GiB of "A" (~1 MB)."""
    sheet = SHEET_HEAD + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + SHEET_TAIL
    strings = Repeated(
        head=XML + f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode(),
        unit=b"A" * MIB,
        times=1024 * gigabytes,
        tail=b"</t></si></sst>",
    )
    return workbook(sheet, strings)


def wide_sheet_bomb(rows: int = 100_001, columns: int = 200) -> bytes:
    """``rows`` rows of ``columns`` numbers, the first the header row (~700 KB)."""
    row = b"<row>" + b"<c><v>1</v></c>" * columns + b"</row>"
    per_unit = MIB // len(row)
    times, rest = divmod(rows, per_unit)
    return workbook(Repeated(SHEET_HEAD, row * per_unit, times, row * rest + SHEET_TAIL))


def numbers_sheet(rows: int, columns: int) -> bytes:
    """A header row and ``rows`` rows of ``columns`` numbers, as Excel writes them."""
    letters = [get_column_letter(column) for column in range(1, columns + 1)]
    header = "".join(
        f'<c r="{letter}1" t="inlineStr"><is><t>c{letter}</t></is></c>' for letter in letters
    )
    body = [f'<row r="1">{header}</row>']
    for number in range(2, rows + 2):
        cells = "".join(f'<c r="{letter}{number}"><v>{number % 997}</v></c>' for letter in letters)
        body.append(f'<row r="{number}">{cells}</row>')
    return workbook(SHEET_HEAD + "".join(body).encode() + SHEET_TAIL)


def widest_csv(size: int, columns: int, cell_chars: int) -> bytes:
    """Rows of two-letter cells, each row as long as the limits let a row be: the CSV that
    makes the most objects per byte (about 20 bytes of memory a character)."""
    row = b"ab," * ((columns * (cell_chars + 3)) // 3 - 1) + b"\n"
    return b"code\n" + row * ((size - 5) // len(row))


def matrix_of(indicators: int) -> bytes:
    """The demo methodology's rows, repeated up to ``indicators`` rows, as an .xlsx file."""
    from assessments.demo import METHODOLOGY_CSV
    from musqat.spreadsheets import Sheet, read_rows, write_xlsx

    rows = read_rows(METHODOLOGY_CSV.read_bytes())
    columns = list(rows[0])
    table = [[row[column] for column in columns] for row in rows]
    table = (table * (indicators // len(table) + 1))[:indicators]
    return write_xlsx([Sheet("matrix", columns, table)])


# --- Measuring ----------------------------------------------------------------------------


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--read", metavar="FILE", help=argparse.SUPPRESS)  # one measurement
    return parser.parse_args()


def peak_mib() -> float:
    """This process's peak resident memory. Linux carries ru_maxrss over an exec, so a
    child would report its parent's peak: VmHWM belongs to the program that runs now."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "musqat.settings")
    os.environ.setdefault("MUSQAT_RENDER_PDFS", "0")
    import django

    django.setup()


def read_one(path: str) -> None:
    """Read one file as the import page does; print what happened as JSON."""
    setup_django()
    from django.utils import translation

    from musqat.spreadsheets import SpreadsheetError, read_rows

    data = Path(path).read_bytes()
    before = peak_mib()
    started = time.perf_counter()
    with translation.override("en"):
        try:
            outcome = f"read {len(read_rows(data)):,} rows"
        except SpreadsheetError as refused:
            outcome = f"refused: {refused}"
    seconds = time.perf_counter() - started
    result = {"seconds": seconds, "peak": peak_mib(), "before": before, "outcome": outcome}
    print(json.dumps(result))


def measure(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.import_bombs", "--read", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "MISSED"


def main() -> int:
    options = arguments()
    if options.read:
        read_one(options.read)
        return 0
    setup_django()
    from django.conf import settings

    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    print(
        f"limits: {limit / MIB:.0f} MiB unpacked, ratio {settings.IMPORT_MAX_COMPRESSION_RATIO}, "
        f"{settings.IMPORT_MAX_ARCHIVE_MEMBERS} parts, {settings.IMPORT_MAX_ROWS:,} rows, "
        f"{settings.IMPORT_MAX_COLUMNS} columns, {settings.IMPORT_MAX_CELL_CHARS:,} characters "
        f"a cell, {settings.IMPORT_MAX_BYTES / MIB:.0f} MiB a file"
    )
    started = time.perf_counter()
    # Columns of the heaviest accepted sheet: 10,000 rows of cells like <c r="BA9999"><v>1</v>.
    per_cell = 28
    columns = min(
        settings.IMPORT_MAX_COLUMNS, int(limit * 0.97) // (settings.IMPORT_MAX_ROWS * per_cell)
    )
    refused = [
        ("1 GB shared string", shared_string_bomb()),
        ("100,001 rows × 200 columns", wide_sheet_bomb()),
    ]
    read = [
        ("matrix of 1,000 indicators", matrix_of(1000)),
        (
            f"{settings.IMPORT_MAX_ROWS:,} rows × {columns} columns of numbers",
            numbers_sheet(settings.IMPORT_MAX_ROWS, columns),
        ),
        (
            "CSV of rows as long as the limits allow",
            widest_csv(
                settings.IMPORT_MAX_BYTES,
                settings.IMPORT_MAX_COLUMNS,
                settings.IMPORT_MAX_CELL_CHARS,
            ),
        ),
    ]
    files = [(*file, TARGET_REFUSED_SECONDS, TARGET_REFUSED_MIB) for file in refused]
    files += [(*file, TARGET_READ_SECONDS, TARGET_READ_MIB) for file in read]
    print(f"built the files in {time.perf_counter() - started:.1f} s")
    missed = False
    with tempfile.TemporaryDirectory(prefix="musqat-bombs-") as folder:
        for name, data, target_seconds, target_mib in files:
            path = Path(folder) / "file"  # read_rows goes by the content, not the name
            path.write_bytes(data)
            result = measure(path)
            seconds, peak = result["seconds"], result["peak"]
            missed |= seconds > target_seconds or peak > target_mib
            unpacks = ""
            if zipfile.is_zipfile(path):
                unpacks = f", unpacks to {unpacked_size(data) / MIB:,.1f} MiB"
            print(f"\n{name}: {len(data) / 1024:,.0f} KiB{unpacks}")
            print(f"  {result['outcome']}")
            print(
                f"  in {seconds:.2f} s (target ≤ {target_seconds:.0f} s): "
                f"{verdict(seconds, target_seconds)}; peak memory {peak:.0f} MiB, "
                f"{result['before']:.0f} MiB before reading (target ≤ {target_mib} MB): "
                f"{verdict(peak, target_mib)}"
            )
    return 1 if options.strict and missed else 0


def unpacked_size(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(member.file_size for member in archive.infolist())


if __name__ == "__main__":
    sys.exit(main())
