"""Reading a PDF as a person (or a printer) would, with poppler's command-line tools."""

import re
import subprocess
import tempfile
from dataclasses import dataclass


def _run(tool, pdf: bytes, *args) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        done = subprocess.run(
            [tool, *args, file.name, *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            check=True,
            timeout=60,
        )
    return done.stdout.decode()


def text(pdf: bytes, page: int | None = None) -> str:
    """The words of the whole document, or of one page, in one line."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return re.sub(r"\s+", " ", _run("pdftotext", pdf, *pages)).strip()


def page_count(pdf: bytes) -> int:
    return int(re.search(r"^Pages:\s+(\d+)$", _run("pdfinfo", pdf), re.M).group(1))


@dataclass(frozen=True)
class Font:
    name: str  # without the subset prefix, e.g. "Noto-Sans-Georgian"
    embedded: bool


def fonts(pdf: bytes) -> list[Font]:
    """The fonts the document uses, as pdffonts lists them."""
    found = []
    for line in _run("pdffonts", pdf).splitlines()[2:]:
        # name, type (one or more words), encoding, emb, sub, uni, object number, generation
        columns = line.split()
        name = columns[0].split("+", 1)[-1]
        found.append(Font(name=name, embedded=columns[-5] == "yes"))
    return found
