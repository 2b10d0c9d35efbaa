"""Print a page of the hub as PDF with headless Chromium (``chromium --print-to-pdf``).

Why Chromium rather than WeasyPrint: the report is the dashboard page itself, whose charts are drawn
by ECharts in the browser; Chromium prints exactly what a person sees (same HTML, same widgets, no
second rendering of every chart on the server). The cost is a binary: Debian's ``chromium`` package,
or the one named by ``VEILLE_CHROMIUM``. Without it, :class:`ChromiumMissing` says so and the API
answers 503 naming it.

Chromium runs as a subprocess with a throw-away profile. ``--virtual-time-budget`` lets the page
load its data (virtual time does not advance while fetches are pending) and draw before printing.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["CANDIDATES", "ChromiumMissing", "PrintFailed", "find_chromium", "print_page_to_pdf"]

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DEFAULT_TIMEOUT_S = 90.0
# Virtual milliseconds the page gets after loading: widgets fetch their data, then draw.
DEFAULT_BUDGET_MS = 20_000
# A4 is 210 mm wide; less 2 × 12 mm of margins, 186 mm = 703 CSS pixels at 96 per inch.
PRINT_WIDTH_PX = 703
PRINT_HEIGHT_PX = 1000


class ChromiumMissing(RuntimeError):
    """No Chromium to print with (HTTP 503)."""


class PrintFailed(RuntimeError):
    """Chromium ran but produced no PDF (HTTP 503)."""


def find_chromium() -> str:
    """The Chromium binary: ``VEILLE_CHROMIUM``, else the first of :data:`CANDIDATES` on the PATH."""
    chosen = os.environ.get("VEILLE_CHROMIUM")
    if chosen:
        if Path(chosen).is_file() and os.access(chosen, os.X_OK):
            return chosen
        raise ChromiumMissing(f"chromium: VEILLE_CHROMIUM={chosen!r} is not an executable file")
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumMissing(
        "chromium: no Chromium found to print the report (install Debian's chromium package, "
        "or set VEILLE_CHROMIUM to its path)"
    )


async def print_page_to_pdf(
    url: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, budget_ms: int = DEFAULT_BUDGET_MS
) -> bytes:
    """The PDF of ``url`` as Chromium prints it (A4 from the page's ``@page`` rule, no header or footer)."""
    binary = find_chromium()
    with tempfile.TemporaryDirectory(prefix="veille-print-") as scratch:
        output = Path(scratch) / "report.pdf"
        arguments = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            # The page laid out at the printed width (A4 less the margins of the page's @page rule),
            # so that charts are drawn at the size they are printed, not scaled afterwards.
            f"--window-size={PRINT_WIDTH_PX},{PRINT_HEIGHT_PX}",
            f"--user-data-dir={Path(scratch) / 'profile'}",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
            f"--virtual-time-budget={budget_ms}",
            f"--print-to-pdf={output}",
            url,
        ]
        process = await asyncio.create_subprocess_exec(
            *arguments, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        try:
            _, stderr = await asyncio.wait_for(process.communicate(), timeout_s)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise PrintFailed(f"chromium: the report took more than {timeout_s:.0f} s to print") from None
        if not output.is_file() or output.stat().st_size == 0:
            tail = stderr.decode(errors="replace").strip().splitlines()[-3:]
            raise PrintFailed(f"chromium: no PDF was printed (exit {process.returncode}): {' / '.join(tail)}")
        return output.read_bytes()
