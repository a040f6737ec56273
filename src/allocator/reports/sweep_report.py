"""The report of a sweep: the frontier of need met per tier against each varied resource,
a grid of tier-1 need met when two resources vary, and every variant's outcome."""

from __future__ import annotations

from typing import Any

import numpy as np

from allocator.formatting import billions, integer, percent
from allocator.reports.charts import heatmap, lines
from allocator.reports.load import SweepData
from allocator.reports.page import Figure, Section, chart, render_page, table
from allocator.reports.run_report import BILLION, TIERS, header

#: How each varied name is shown on the x axis: (column of sweep.parquet or None, label).
AXES: dict[str, tuple[str | None, float, str]] = {
    "budget": ("budget_available", BILLION, "budget available (billion toman)"),
    "workers": ("workers_available", 1.0, "social workers available"),
    "slots": (None, 1.0, "service slots (factor on the scenario's)"),
    "floor": (None, 1.0, "tier-1 equity floor (fraction of each neighborhood's need)"),
    "alpha": (None, 1.0, "fairness α of the value curves (0: linear)"),
}
PERSIAN = {
    "budget": "بودجه",
    "workers": "مددکاران",
    "slots": "ظرفیت خدمات",
    "floor": "کف عدالت",
    "alpha": "ضریب عدالت α",
}


def _base_rows(rows: list[dict[str, Any]], name: str, others: list[str]) -> list[dict[str, Any]]:
    """The rows where every other varied name is at its level nearest the base (1 for a
    factor or α, or the lowest floor)."""
    keep = rows
    for other in others:
        levels = sorted({r[other] for r in rows})
        target = levels[0] if other == "floor" else min(levels, key=lambda v: abs(v - 1.0))
        keep = [r for r in keep if r[other] == target]
    return keep


def _x(row: dict[str, Any], name: str) -> float:
    column, scale, _ = AXES[name]
    value = row.get(column) if column else None
    return float(value) / scale if value is not None else float(row[name])


def frontier_section(rows: list[dict[str, Any]], name: str, names: list[str]) -> Section:
    others = [n for n in names if n != name]
    chosen = _base_rows(rows, name, others)
    ok = [r for r in chosen if r["status"] != "failed"]
    failed = [r for r in chosen if r["status"] == "failed"]
    label = AXES[name][2]
    svgs = []
    for key, what in (("share_tier", "need"), ("discretionary_share_tier", "discretionary need")):
        series = {f"tier {t}": [r.get(f"{key}{t}") or 0 for r in ok] for t in TIERS}
        svgs.append(lines([_x(r, name) for r in ok], series,
                          failed_x=[_x(r, name) for r in failed],
                          title=f"Share of {what} met per tier against {name}", xlabel=label,
                          ylabel=f"share of {what} met"))  # fmt: skip
    priced = [r for r in ok if r.get("price_of_fairness") is not None]
    if name == "alpha" and priced:  # what spreading costs, against the alpha = 0 plan
        svgs.append(lines([_x(r, name) for r in priced],
                          {"price of fairness": [r["price_of_fairness"] for r in priced]},
                          title="Outcome points given up against α = 0 (price of fairness)",
                          xlabel=label, ylabel="share of the α = 0 plan's points"))  # fmt: skip
    held = ", ".join(f"{o} at ×{chosen[0][o]:g}" for o in others) if chosen and others else ""
    note = f"Other varied resources held: {held}." if held else ""
    note += (" Entitlements are served in full first; the second chart leaves them out, so"
             " it shows how the tiers share the discretionary money.")  # fmt: skip
    if name == "alpha" and priced:
        note += (" The last chart is the price of fairness: the share of outcome points (tier"
                 " weight × outcome value × units) a plan gives up to spread need met, against"
                 " the α = 0 plan, which has the most.")  # fmt: skip
    return Section(f"Frontier: need met against {name}", f"مرز تأمین نیاز — {PERSIAN[name]}",
                   "".join(chart(svg) for svg in svgs), note)  # fmt: skip


def grid_section(rows: list[dict[str, Any]], a: str, b: str) -> Section:
    ra, rb = sorted({r[a] for r in rows}), sorted({r[b] for r in rows})
    values = np.full((len(ra), len(rb)), np.nan)
    for r in rows:
        if r["status"] != "failed" and r["share_tier1"] is not None:
            values[ra.index(r[a]), rb.index(r[b])] = r["share_tier1"]
    svg = heatmap(ra, rb, values, title=f"Tier-1 need met over {a} × {b}",
                  row_label=f"{a} (×)", col_label=f"{b} (×)")  # fmt: skip
    return Section(f"Tier-1 need met over {a} and {b}", "تأمین نیاز سطح ۱", chart(svg))


def variants_section(rows: list[dict[str, Any]], names: list[str]) -> Section:
    priced = any(r.get("price_of_fairness") is not None for r in rows)
    cells = []
    for r in rows:
        shares = [percent(r[f"share_tier{t}"] or 0) if r["status"] != "failed" else "—"
                  for t in TIERS]  # fmt: skip
        free = "/".join(percent(r.get(f"discretionary_share_tier{t}") or 0) for t in TIERS)
        shares.append(free if r["status"] != "failed" else "—")
        used = "—" if r["workers_used"] is None else integer(r["workers_used"])
        money = "—" if r["budget_used"] is None else billions(r["budget_used"])
        status = r["status"] if r["error"] is None else f"failed: {r['error'][:80]}"
        row = [str(r["variant"]), *(f"{r[n]:g}" for n in names), status, *shares, used, money]
        if priced:
            price = r.get("price_of_fairness")
            row.append("—" if price is None else percent(price))
        cells.append(row)
    head = ["#", *names, "status", "tier 1", "tier 2", "tier 3", "tier 4",
            "discretionary, tiers 1/2/3/4", "workers used"]  # fmt: skip
    head.append("budget used (bn toman)")
    if priced:
        head.append("price of fairness")
    return Section("Every variant", "همه حالت‌ها", table(head, cells))


def sweep_report(sweep: SweepData) -> str:
    """The HTML page of a sweep directory."""
    info, names = sweep.info, sweep.names
    rows = sweep.table.to_pylist()
    title, sub = header(info, "Sweep of")
    vary = ", ".join(f"{v['name']} {v['start']:g}…{v['stop']:g} ({v['count']})"
                     for v in info.get("vary", []))  # fmt: skip
    sub.append(f"Varied: {vary} · engine {info.get('engine')} · {info.get('seconds', 0):.1f} s")
    ok = [r for r in rows if r["status"] != "failed"]
    best = max(ok, key=lambda r: r["share_tier1"] or 0) if ok else None
    failed = len(rows) - len(ok)
    figures = [
        Figure("variants · حالت‌ها", f"{len(rows)}"),
        Figure("failed", f"{failed}", "bad" if failed else "good"),
        Figure("warnings (gap or time limit)", f"{sum(r['status'] == 'warning' for r in rows)}"),
        Figure("tier-1 need met, lowest", percent(min(r["share_tier1"] or 0 for r in ok))
               if ok else "—"),
        Figure("tier-1 need met, highest", percent(best["share_tier1"] or 0) if best else "—"),
    ]  # fmt: skip
    sections = [frontier_section(rows, n, names) for n in names]
    if len(names) == 2:
        sections.append(grid_section(rows, names[0], names[1]))
    sections.append(variants_section(rows, names))
    return render_page(title, figures, sections, sub)
