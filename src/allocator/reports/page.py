"""The report page: a header, key figures and chart sections in one self-contained file.

The page loads nothing: the charts are inline SVG and the style is inline CSS. It is
written to a temporary sibling and renamed into place, so a reader never sees half a file.

Examples:
    >>> page = render_page("Demo", [Figure("Status", "ok")], [Section("Chart", "نمودار", "<p/>")])
    >>> page.startswith("<!DOCTYPE html>") and 'lang="fa"' in page
    True
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

CSS = """
body{font-family:system-ui,"DejaVu Sans",Vazirmatn,Tahoma,sans-serif;margin:0;color:#222;
background:#fafafa}
header{background:#1d3557;color:#fff;padding:16px 24px}
header h1{margin:0 0 4px;font-size:1.4em}
header p{margin:2px 0;opacity:.9;font-size:.9em}
main{max-width:1100px;margin:auto;padding:12px 24px}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:10px;
margin:12px 0}
.figure{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 12px}
.figure .value{font-size:1.3em;font-weight:600}
.figure .label{font-size:.8em;color:#555}
.bad{color:#b2182b}.warn{color:#e08214}.good{color:#1b7837}
section{background:#fff;border:1px solid #ddd;border-radius:6px;margin:14px 0;padding:8px 14px}
section h2{font-size:1.05em;margin:6px 0}
section h2 [lang=fa]{float:right;font-weight:400;color:#555}
section p.note{font-size:.85em;color:#555;margin:4px 0}
figure.chart{margin:0}figure.chart svg{width:100%;height:auto}
table{border-collapse:collapse;font-size:.85em;width:100%}
td,th{border-bottom:1px solid #eee;padding:3px 6px;text-align:right}
td:first-child,th:first-child{text-align:left}
"""


@dataclass(frozen=True)
class Figure:
    """One key figure: a label and its value (``tone``: good, warn, bad or empty)."""

    label: str
    value: str
    tone: str = ""


@dataclass(frozen=True)
class Section:
    """One section: an English and a Persian title, and HTML (a chart, a table)."""

    title: str
    persian: str
    body: str
    note: str = ""


def esc(text: object) -> str:
    """``text`` escaped for HTML."""
    return html.escape(str(text), quote=True)


def chart(svg: str) -> str:
    """An inline SVG chart in its ``<figure>``."""
    return f'<figure class="chart">{svg}</figure>'


def table(header: list[str], rows: list[list[str]]) -> str:
    """An HTML table of already formatted cells (escaped here)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_page(
    title: str, figures: list[Figure], sections: list[Section], subtitle: list[str] | None = None
) -> str:
    """The whole HTML page."""
    lines = "".join(f"<p>{esc(s)}</p>" for s in subtitle or [])
    cards = "".join(
        f'<div class="figure"><div class="value {esc(f.tone)}">{esc(f.value)}</div>'
        f'<div class="label">{esc(f.label)}</div></div>'
        for f in figures
    )
    parts = []
    for s in sections:
        note = f'<p class="note">{esc(s.note)}</p>' if s.note else ""
        parts.append(
            f'<section><h2>{esc(s.title)} <span lang="fa" dir="rtl">{esc(s.persian)}</span>'
            f"</h2>{note}{s.body}</section>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{esc(title)}</h1>{lines}</header>"
        f'<main><div class="figures">{cards}</div>{"".join(parts)}</main></body></html>\n'
    )


def write_atomic(text: str, out: Path, force: bool = False) -> Path:
    """Write ``text`` to ``out`` through a temporary sibling and a rename.

    Raises:
        OutputExistsError: ``out`` exists and ``force`` is not set.
    """
    from allocator.outputs.atomic import check_target, make_dir

    out = Path(out)
    check_target(out, force)
    make_dir(out.parent, out)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
