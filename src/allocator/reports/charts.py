"""Charts drawn with matplotlib and inlined as SVG: no script, no network, small files.

Text stays text in the SVG (``svg.fonttype = none``), so the browser draws it with its own
fonts. Every function returns the ``<svg>`` element as a string.

Examples:
    >>> svg = bars(["a", "b"], {"served": [1.0, 2.0]}, title="demo", unit="units")
    >>> svg.startswith("<svg") and "<path" in svg
    True
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: Colours of the four tiers (tier 1 first) and of the other series.
TIER_COLORS = ("#b2182b", "#ef8a62", "#67a9cf", "#2166ac")
SERIES_COLORS = ("#1b7837", "#bababa", "#762a83", "#e08214", "#4d4d4d", "#8c510a")
STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "allocator",
    "font.size": 9,
    "font.family": ["DejaVu Sans", "sans-serif"],
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}


def figure(width: float = 7.0, height: float = 3.2) -> tuple[Figure, Axes]:
    """A figure of ``width`` x ``height`` inches with one axes, in the report's style."""
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(width, height), layout="constrained")
        ax = fig.add_subplot()
    return fig, ax


def to_svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element (no XML prolog, DOCTYPE or metadata)."""
    buf = io.StringIO()
    with mpl.rc_context(STYLE):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    return re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)


def _number(x: float, _pos: object = None) -> str:
    """A tick label: thousands separated, small numbers with three digits."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def bars(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    unit: str,
    horizontal: bool = False,
    colors: Sequence[str] = SERIES_COLORS,
    percent: bool = False,
    stacked: bool = False,
) -> str:
    """Grouped (or stacked) bars: one group per label, one bar per series."""
    n = len(labels)
    height = max(2.6, 0.22 * n * (1 if stacked else max(1, len(series))) + 1.0)
    fig, ax = figure(7.0, height if horizontal else 3.2)
    pos = np.arange(n, dtype=float)
    width = 0.8 if stacked else 0.8 / max(1, len(series))
    base = np.zeros(n)
    for i, (name, raw) in enumerate(series.items()):
        vals = np.asarray(raw, dtype=float)
        off = pos if stacked else pos - 0.4 + width * (i + 0.5)
        color = colors[i % len(colors)]
        if horizontal:
            ax.barh(off, vals, height=width, left=base, label=name, color=color)
        else:
            ax.bar(off, vals, width=width, bottom=base, label=name, color=color)
        if stacked:
            base = base + vals
    ticks, axis = (ax.set_yticks, ax.xaxis) if horizontal else (ax.set_xticks, ax.yaxis)
    ticks(pos, [textwrap.fill(label, 40 if horizontal else 22) for label in labels])
    if horizontal:
        ax.invert_yaxis()
    else:
        ax.tick_params(axis="x", labelrotation=20 if n > 4 else 0)
    if percent:
        axis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    else:
        axis.set_major_formatter(mpl.ticker.FuncFormatter(_number))
    ax.set_xlabel(unit) if horizontal else ax.set_ylabel(unit)
    ax.set_title(title, loc="left")
    if len(series) > 1:
        ax.legend(frameon=False, fontsize=8)
    return to_svg(fig)


def lines(
    x: Sequence[float],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    colors: Sequence[str] = TIER_COLORS,
    failed_x: Sequence[float] = (),
    percent: bool = True,
) -> str:
    """Lines with markers, one per series; failed variants as red crosses on the x axis."""
    fig, ax = figure()
    order = np.argsort(np.asarray(x, dtype=float))
    xs = np.asarray(x, dtype=float)[order]
    for i, (name, raw) in enumerate(series.items()):
        ax.plot(xs, np.asarray(raw, dtype=float)[order], marker="o", ms=4, label=name,
                color=colors[i % len(colors)])  # fmt: skip
    if len(failed_x):
        ax.plot(failed_x, np.zeros(len(failed_x)), "x", color="#d7191c", ms=9, mew=2,
                label="failed", clip_on=False)  # fmt: skip
    if percent:
        ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
        ax.set_ylim(0, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left")
    ax.legend(frameon=False, fontsize=8)
    return to_svg(fig)


def heatmap(
    rows: Sequence[float],
    cols: Sequence[float],
    values: np.ndarray,
    *,
    title: str,
    row_label: str,
    col_label: str,
) -> str:
    """A grid of shares (0..1) with each cell's percentage written in it (NaN: failed)."""
    fig, ax = figure(7.0, max(2.6, 0.35 * len(rows) + 1.2))
    masked = np.ma.masked_invalid(values)
    image = ax.imshow(masked, cmap="YlGnBu", vmin=0.0, vmax=1.0, aspect="auto", origin="lower")
    ax.set_xticks(np.arange(len(cols)), [f"{c:g}" for c in cols])
    ax.set_yticks(np.arange(len(rows)), [f"{r:g}" for r in rows])
    ax.grid(False)
    for (i, j), v in np.ndenumerate(values):
        text = "failed" if np.isnan(v) else f"{v:.0%}"
        ax.text(j, i, text, ha="center", va="center", fontsize=7,
                color="white" if not np.isnan(v) and v > 0.6 else "black")  # fmt: skip
    ax.set_xlabel(col_label)
    ax.set_ylabel(row_label)
    ax.set_title(title, loc="left")
    fig.colorbar(image, ax=ax, format=mpl.ticker.PercentFormatter(1.0))
    return to_svg(fig)
