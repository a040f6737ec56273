"""The report of one run: need met by tier and province, resources by agency, why need is
unmet, what one more billion buys (re-solved) and the shadow prices of the scarcest
resources."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from allocator.domain.names import agency_name
from allocator.formatting import duration, figure, gap, integer, percent, toman_bn, unit_for
from allocator.reports.charts import TIER_COLORS, bars
from allocator.reports.labels import default_names
from allocator.reports.load import RunData
from allocator.reports.page import Figure, Section, chart, render_page, table

TIERS = (1, 2, 3, 4)
BILLION = 1e9  # charts are drawn in billion toman
TOP_PRICES = 12
PER_BLOCK = 3


def total(block: dict[str, Any] | None) -> float:
    """A resource's total: ``total``, else the sum of ``by_agency`` (0 when absent)."""
    block = block or {}
    if block.get("total") is not None:
        return float(block["total"])
    return float(sum((block.get("by_agency") or {}).values()))


def header(summary: dict[str, Any], kind: str) -> tuple[str, list[str]]:
    """The page title and the lines under it: scenario, ruleset, data and solver."""
    rules = summary.get("ruleset") or {}
    ruleset = f"{rules.get('ruleset', '?')} {rules.get('version', '')}".strip()
    day = str(summary.get("decision_date", "?"))
    if summary.get("decision_date_jalali"):
        day += f" ({summary['decision_date_jalali']}, fiscal year {summary.get('fiscal_year')})"
    lines = [
        f"Ruleset {ruleset} · hash {str(rules.get('hash') or '?')[:12]} · "
        f"decision date {day} · data seed {summary.get('data_seed')}"
    ]
    return f"{kind} {summary.get('scenario', '?')}", lines


def _tone(status: str | None) -> str:
    return {"ok": "good", "warning": "warn"}.get(str(status), "bad")


def key_figures(s: dict[str, Any]) -> list[Figure]:
    """Status, gap, need met and resources used, as cards."""
    need = {t["tier"]: t for t in s.get("need_met") or []}
    demand = sum(t["demand"] or 0 for t in need.values())
    served = sum(t["served"] or 0 for t in need.values())
    w, b = s.get("workers") or {}, s.get("budget") or {}
    gap = s.get("relative_gap")
    money = unit_for(s, "budget", "toman")
    cards = [
        Figure("status · وضعیت", f"{s.get('status')} ({s.get('termination')})",
               _tone(s.get("status"))),
        Figure("gap to bound", "—" if gap is None else f"{gap:.2%}"),
        Figure("tier-1 need met · سطح ۱", percent(need.get(1, {}).get("share") or 0)),
        Figure("all need met", percent(served / demand) if demand else "—"),
        Figure("workers used · مددکار",
               f"{integer(total(w.get('used')))} of {integer(total(w.get('available')))}"),
        Figure("budget used · بودجه",
               f"{figure(total(b.get('used')), money)} of "
               f"{figure(total(b.get('available')), money)}"),
        Figure("build and solve time",
               duration((s.get("build_seconds") or 0) + (s.get("solve_seconds") or 0))),
    ]  # fmt: skip
    points = s.get("outcome_points")
    if points is not None:  # discretionary need met on the outcomes table's scale
        cards.insert(4, Figure("outcome points · امتیاز پیامد", integer(points)))
    price = (s.get("price_of_fairness") or {}).get("price")
    if price is not None:  # `run --price-of-fairness`: points given up against alpha = 0
        cards.insert(5, Figure("price of fairness · هزینه عدالت", percent(price)))
    return cards


def _free(tier: dict[str, Any]) -> str:
    share = tier.get("discretionary_share")
    return percent(share) if share is not None else "—"


def tiers_section(s: dict[str, Any]) -> Section:
    need = sorted(s.get("need_met") or [], key=lambda t: t["tier"])
    labels = [f"tier {t['tier']}" for t in need]
    svg = bars(labels, {"share of need met": [t["share"] or 0 for t in need]},
               title="Share of need met per tier", unit="share of need met", percent=True,
               colors=TIER_COLORS)  # fmt: skip
    # entitlements are served in full first: the discretionary share shows the priorities
    rows = [[f"tier {t['tier']}", integer(t["demand"]), integer(t["served"]),
             percent(t["share"] or 0), _free(t)] for t in need]  # fmt: skip
    head = ["tier", "demand", "served", "share", "share of discretionary demand"]
    body = chart(svg) + table(head, rows)
    return Section("Need met per tier", "تأمین نیاز به تفکیک سطح", body)


def province_section(nb: pa.Table) -> Section:
    aggs = [(f"{k}_tier{t}", "sum") for t in TIERS for k in ("need", "met")]
    g = nb.group_by("province").aggregate(aggs).to_pydict()
    provinces = [str(p) for p in g["province"]]
    need = {t: np.asarray(g[f"need_tier{t}_sum"], float) for t in TIERS}
    met = {t: np.asarray(g[f"met_tier{t}_sum"], float) for t in TIERS}
    share1 = np.divide(met[1], need[1], out=np.ones_like(met[1]), where=need[1] > 0)
    need_all, met_all = sum(need.values()), sum(met.values())
    share_all = np.divide(met_all, need_all, out=np.ones_like(met_all), where=need_all > 0)
    order = np.argsort(share1, kind="stable")
    svg = bars([provinces[i] for i in order],
               {"tier 1": share1[order].tolist(), "all tiers": share_all[order].tolist()},
               title="Share of need met per province (lowest tier-1 share first)",
               unit="share of need met", horizontal=True, percent=True,
               colors=(TIER_COLORS[0], "#4d4d4d"))  # fmt: skip
    return Section("Need met per province", "تأمین نیاز به تفکیک استان", chart(svg))


def agencies_section(s: dict[str, Any]) -> Section:
    w, b = s.get("workers") or {}, s.get("budget") or {}
    body = ""
    for block, title, scale, unit in (
        (w, "Social workers per agency", 1.0, "workers"),
        (b, "Budget per agency", BILLION, "billion toman"),
    ):
        avail = (block.get("available") or {}).get("by_agency") or {}
        used = (block.get("used") or {}).get("by_agency") or {}
        names = sorted(set(avail) | set(used))
        series = {"used": [used.get(n, 0.0) / scale for n in names]}
        if avail:
            series["available"] = [avail.get(n, 0.0) / scale for n in names]
        labels = [agency_name(n, persian=False) for n in names]  # matplotlib cannot shape Persian
        body += chart(bars(labels, series, title=title, unit=unit))
    body += table(["agency · دستگاه", "social workers used", "budget used"], _agency_rows(w, b))
    note = "Available is absent for an agency without its own pool (only a total applies)."
    return Section("Workers and budget per agency", "مددکار و بودجه به تفکیک دستگاه", body, note)


def _agency_rows(w: dict[str, Any], b: dict[str, Any]) -> list[list[str]]:
    """One row per agency: its names, workers and budget used (of those available)."""
    blocks = [(w, integer), (b, toman_bn)]
    ids = sorted({a for block, _ in blocks for part in ("available", "used")
                  for a in ((block.get(part) or {}).get("by_agency") or {})})  # fmt: skip
    rows = []
    for agency in ids:
        cells = [agency_name(agency)]
        for block, show in blocks:
            used = ((block.get("used") or {}).get("by_agency") or {}).get(agency, 0.0)
            avail = ((block.get("available") or {}).get("by_agency") or {}).get(agency)
            cells.append(show(used) + (f" of {show(avail)}" if avail is not None else ""))
        rows.append(cells)
    return rows


def centres_section(s: dict[str, Any]) -> Section | None:
    """Centres per province (``summary.json`` → ``centres``): placed by the optimizer, with
    the case-file apportionment next to them, or apportioned; ``None`` without centres."""
    c = s.get("centres")
    if not c:
        return None
    optimized = c.get("method") == "optimize"
    by = sorted((c.get("by_province") or {}).items(),
                key=lambda kv: (-kv[1]["centres"], kv[0]))  # fmt: skip
    head = ["province", "centres"] + (["apportioned on case files", "difference"] * optimized)
    rows = [
        [p, integer(v["centres"])]
        + ([integer(v["apportioned"]), f"{v['centres'] - v['apportioned']:+d}"] * optimized)
        for p, v in by
    ]
    who = (
        f"placed by the optimizer where they serve the most prioritized need; "
        f"{integer(c.get('moved', 0))} of them are in another county than the apportionment "
        "on case files would put them"
        if optimized
        else "apportioned on case files (largest remainder per county)"
    )
    total, counties = integer(c.get("total", 0)), integer(c.get("counties", 0))
    note = f"{total} centres in {counties} counties, {who}."
    return Section("Centres per province", "مراکز به تفکیک استان", table(head, rows), note)


def binding_section(alloc: pa.Table) -> Section:
    unmet = pc.max_element_wise(pc.subtract(alloc["demand"], alloc["served"]), 0.0)
    reason = pc.fill_null(pc.cast(alloc["binding_reason"], pa.string()), "none")
    t = pa.table({"reason": reason, "tier": alloc["tier"], "unmet": unmet})
    g = t.group_by(["reason", "tier"]).aggregate([("unmet", "sum")]).to_pydict()
    cells = {(r, int(k)): float(v) for r, k, v in zip(g["reason"], g["tier"], g["unmet_sum"],
                                                       strict=True)}  # fmt: skip
    reasons = sorted({r for r, _ in cells if r != "none"},
                     key=lambda r: -sum(v for (rr, _), v in cells.items() if rr == r))  # fmt: skip
    if not reasons:
        return Section("Unmet need by binding reason", "نیاز تأمین‌نشده به تفکیک علت",
                       "<p>All need is met.</p>")  # fmt: skip
    series = {f"tier {k}": [cells.get((r, k), 0.0) for r in reasons] for k in TIERS}
    svg = bars(reasons, series, title="Unmet need by what binds it", unit="units unmet",
               stacked=True, colors=TIER_COLORS)  # fmt: skip
    note = "Units are households, or members for member-level services."
    return Section("Unmet need by binding reason", "نیاز تأمین‌نشده به تفکیک علت", chart(svg), note)


def prices_section(sp: pa.Table) -> Section:
    cols = ["constraint", "key", "neighborhood_id", "service_id", "unit", "households_tier1"]
    d = sp.select(cols).to_pydict()
    names = default_names()
    rows = [(c, names.shadow_label(c, k, n, sid), u, float(v))
            for c, k, n, sid, u, v in zip(*d.values(), strict=True) if v > 1e-9]  # fmt: skip
    rows.sort(key=lambda r: -r[3])
    per_block: dict[str, int] = {}
    kept = []
    for row in rows:  # at most PER_BLOCK of each constraint block, so that several show
        per_block[row[0]] = per_block.get(row[0], 0) + 1
        if per_block[row[0]] <= PER_BLOCK:
            kept.append(row)
    rows = kept[:TOP_PRICES]
    if not rows:
        return Section("Shadow prices", "قیمت سایه", "<p>No resource is binding.</p>")
    labels = [f"{label}, per {u}" for _, label, u, _ in rows]
    svg = bars(labels, {"tier-1 households": [r[3] for r in rows]}, horizontal=True,
               title="Tier-1 households per one more unit",
               unit="tier-1 households per unit", colors=(TIER_COLORS[0],))  # fmt: skip
    note = (
        "Tier-1 households gained per one more unit of the resource, from the LP "
        f"relaxation's duals (a local rate; where a dual is degenerate it can overstate what "
        f"one more unit buys: the re-solved figures above are the ones to quote); at most "
        f"{PER_BLOCK} entries of each kind."
    )
    return Section("Shadow prices of the scarcest resources", "قیمت سایه منابع کمیاب",
                   chart(svg), note)  # fmt: skip


def _bought(side: dict[str, Any]) -> str:
    """What one side of a price re-solve buys, by service name and unit."""
    names = default_names()
    parts = [
        f"{integer(abs(units))} {'' if units > 0 else 'fewer '}{kind} of {names.service(sid)}"
        for kind in ("households", "members")
        for sid, units in sorted((side.get(kind) or {}).items(), key=lambda kv: -kv[1])
        if abs(units) >= 0.5
    ]
    tiers = ", ".join(
        f"tier {k}: {integer(v)}" for k, v in sorted((side.get("by_tier") or {}).items()) if v
    )
    return "; ".join(parts) + (f" (tiers: {tiers})" if tiers else "") if parts else "nothing"


def marginal_section(summary: dict[str, Any]) -> Section | None:
    """What one more billion toman of each budget buys, from the run's re-solves
    (``summary.json`` → ``prices``); ``None`` when the run made none."""
    prices = summary.get("prices") or []
    if not prices:
        return None
    rows = []
    for p in prices:
        minus, plus = p.get("minus") or {}, p.get("plus") or {}
        whose = agency_name(p["key"]) if p.get("key") else "all agencies"
        rates = [side.get("objective_per_billion") for side in (minus, plus)]
        rate = " / ".join("—" if r is None else integer(float(r)) for r in rates)
        rows.append([f"budget of {whose}", _bought(plus), rate])
    note = (
        "Each line re-solves the plan with that budget one billion toman higher (and lower); "
        "the points are outcome points per billion toman on each side, which differ where "
        "the budget's dual is degenerate."
    )
    head = ["one more billion toman for", "buys", "points per billion (−Δ / +Δ)"]
    return Section("What one more billion buys", "یک میلیارد تومان بیشتر چه می‌خرد",
                   table(head, rows), note)  # fmt: skip


def run_report(run: RunData) -> str:
    """The HTML page of a run directory."""
    s = run.summary
    title, lines = header(s, "Run")
    lines.append(
        f"Status {s.get('status')} ({s.get('termination')}) · {s.get('method')} path on "
        f"{s.get('solver')} · gap to the bound {gap(s.get('relative_gap'))}"
    )
    sections = [
        tiers_section(s),
        province_section(run.neighborhoods),
        agencies_section(s),
        binding_section(run.allocation),
        prices_section(run.shadow_prices),
    ]
    centres = centres_section(s)
    if centres is not None:
        sections.insert(3, centres)
    marginal = marginal_section(s)
    if marginal is not None:
        sections.insert(len(sections) - 1, marginal)
    slack = s.get("slack") or []
    if slack:
        rows = [[i["constraint"].replace("_", " "), i["key"], f"{i['shortfall']:,.4g} {i['unit']}"]
                for i in slack[:15]]  # fmt: skip
        note = f"{len(slack)} soft constraints not met" + (" (first 15)" if len(slack) > 15 else "")
        sections.append(Section("Soft constraints not met", "قیدهای نرم برآورده‌نشده",
                                table(["constraint", "key", "short by"], rows), note))  # fmt: skip
    return render_page(title, key_figures(s), sections, lines)
