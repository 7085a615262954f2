"""Measures -> plotly figures as plain dicts (data + layout), serialised with json into the page.

Never plotly.graph_objects: a figure as a dict costs microseconds, a graph object milliseconds (issue 6).
Shared layout (fonts, margins, colours, no mode bar) is applied once in the browser by assets/site.js,
so each page carries only what differs. Every function is pure and returns {"data": [...], "layout": {...}}.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .measures.activity import RepActivity
from .measures.competition import Competitor
from .measures.pipeline import FunnelStep, MonthRow, Pareto, StageRow, WinLoss
from .model import CompetitionRow, KeyPerson

Figure = dict[str, Any]

BLUE = "#2563eb"
LIGHT_BLUE = "#93c5fd"
GREEN = "#16a34a"
RED = "#dc2626"
AMBER = "#d97706"
GREY = "#94a3b8"
PALETTE = ("#2563eb", "#dc2626", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#475569")


def _fig(data: list[dict[str, Any]], height: int, **layout: Any) -> Figure:
    return {"data": data, "layout": {"height": height, **layout}}


def pipeline_by_stage(rows: Sequence[StageRow], label: Callable[[str], str], t: Callable[[str], str]) -> Figure:
    x = [label(r.stage) for r in rows]
    return _fig([
        {"type": "bar", "name": t("m.open_value"), "x": x, "y": [r.value for r in rows], "marker": {"color": LIGHT_BLUE},
         "customdata": [r.projects for r in rows],
         "hovertemplate": "%{x}<br>%{y:,.1f} " + t("unit.wan") + " · %{customdata} " + t("unit.projects") + "<extra></extra>"},
        {"type": "bar", "name": t("m.weighted"), "x": x, "y": [r.weighted for r in rows], "marker": {"color": BLUE},
         "hovertemplate": "%{x}<br>%{y:,.1f} " + t("unit.wan") + "<extra></extra>"},
    ], 300, barmode="group", yaxis={"title": {"text": t("unit.wan")}})


def forecast(rows: Sequence[MonthRow], t: Callable[[str], str]) -> Figure:
    x = [r.month or t("m.no_close_date") for r in rows]
    return _fig([
        {"type": "bar", "name": t("m.weighted"), "x": x, "y": [r.weighted for r in rows], "marker": {"color": BLUE},
         "hovertemplate": "%{x}<br>%{y:,.1f} " + t("unit.wan") + "<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "name": t("m.open_value"), "x": x, "y": [r.value for r in rows],
         "line": {"color": GREY, "dash": "dot"},
         "hovertemplate": "%{x}<br>%{y:,.1f} " + t("unit.wan") + "<extra></extra>"},
    ], 300, xaxis={"type": "category"}, yaxis={"title": {"text": t("unit.wan")}})


def funnel(steps: Sequence[FunnelStep], label: Callable[[str], str], t: Callable[[str], str]) -> Figure:
    return _fig([
        {"type": "funnel", "y": [label(s.stage) if s.stage != "won" else t("m.won") for s in steps],
         "x": [s.reached for s in steps], "textinfo": "value+percent initial",
         "marker": {"color": [BLUE] * (len(steps) - 1) + [GREEN]}, "connector": {"line": {"color": GREY}},
         "hovertemplate": "%{y}: %{x} " + t("unit.projects") + "<extra></extra>"},
    ], 300, margin={"l": 90})


def activity(rows: Sequence[tuple[str, int, int, int]], t: Callable[[str], str]) -> Figure:
    """Horizontal bars per rep (or team): contacts and effective meetings this week, target as a marker."""
    rows = list(reversed(rows))  # plotly draws the first category at the bottom
    y = [r[0] for r in rows]
    return _fig([
        {"type": "bar", "orientation": "h", "name": t("m.contacts"), "y": y, "x": [r[1] for r in rows],
         "marker": {"color": LIGHT_BLUE}},
        {"type": "bar", "orientation": "h", "name": t("m.effective"), "y": y, "x": [r[2] for r in rows],
         "marker": {"color": BLUE}},
        {"type": "scatter", "mode": "markers", "name": t("m.target"), "y": y, "x": [r[3] for r in rows],
         "marker": {"symbol": "line-ns-open", "size": 18, "color": RED, "line": {"width": 3}}},
    ], max(220, 70 + 34 * len(rows)), barmode="group", margin={"l": 90}, yaxis={"type": "category"})


def weekly(rep: RepActivity, t: Callable[[str], str]) -> Figure:
    """One rep's (or a team's summed) contacts per week against the weekly target."""
    x = [w.monday.isoformat() for w in rep.weeks]
    return _fig([
        {"type": "bar", "name": t("m.contacts"), "x": x, "y": [w.contacts for w in rep.weeks],
         "marker": {"color": LIGHT_BLUE}},
        {"type": "bar", "name": t("m.effective"), "x": x, "y": [w.effective for w in rep.weeks],
         "marker": {"color": BLUE}},
        {"type": "scatter", "mode": "lines", "name": t("m.target"), "x": x, "y": [w.target for w in rep.weeks],
         "line": {"color": RED, "dash": "dash", "shape": "hvh"}},
    ], 260, barmode="group", xaxis={"type": "category", "title": {"text": t("m.week_of")}})


def win_loss(wl: WinLoss, t: Callable[[str], str]) -> Figure:
    reasons = list(reversed(wl.reasons))
    y = [r[0] for r in reasons]
    return _fig([
        {"type": "bar", "orientation": "h", "name": t("m.won"), "y": y, "x": [r[1] for r in reasons],
         "marker": {"color": GREEN}},
        {"type": "bar", "orientation": "h", "name": t("m.lost"), "y": y, "x": [r[2] for r in reasons],
         "marker": {"color": RED}},
    ], max(180, 90 + 34 * len(reasons)), barmode="stack", bargap=0.35, margin={"l": 110}, yaxis={"type": "category"},
        xaxis={"title": {"text": t("unit.projects")}, "dtick": 1})


def pareto(p: Pareto, t: Callable[[str], str]) -> Figure:
    xs = [round(a * 100, 2) for a, _ in p.curve]
    ys = [round(b * 100, 2) for _, b in p.curve]
    return _fig([
        {"type": "scatter", "mode": "lines", "fill": "tozeroy", "name": t("m.cumulative_share"), "x": xs, "y": ys,
         "line": {"color": BLUE}, "hovertemplate": "%{x:.0f}% → %{y:.0f}%<extra></extra>"},
    ], 280, showlegend=False,
        xaxis={"title": {"text": t("m.share_of_accounts")}, "ticksuffix": "%", "range": [0, 100]},
        yaxis={"title": {"text": t("m.share_of_value")}, "ticksuffix": "%", "range": [0, 105]},
        shapes=[{"type": "line", "x0": 20, "x1": 20, "y0": 0, "y1": 100, "line": {"color": RED, "dash": "dot"}}])


def competitors(items: Sequence[Competitor], t: Callable[[str], str], top: int = 10) -> Figure:
    items = list(reversed(items[:top]))
    y = [c.name for c in items]
    return _fig([
        {"type": "bar", "orientation": "h", "y": y, "x": [c.value for c in items], "marker": {"color": AMBER},
         "customdata": [len(c.open_accounts) for c in items],
         "hovertemplate": "%{y}<br>%{x:,.1f} " + t("unit.wan") + " · %{customdata} " + t("unit.deals") + "<extra></extra>"},
    ], max(180, 90 + 34 * len(items)), showlegend=False, bargap=0.35, margin={"l": 110}, yaxis={"type": "category"},
        xaxis={"title": {"text": t("m.threatened_value")}})


def influence_attitude(persons: Sequence[KeyPerson], scores: dict[str, int], t: Callable[[str], str]) -> Figure:
    """Each key person at (attitude score, influence); points on the same spot are spread sideways."""
    seen: dict[tuple[int, int], int] = {}
    xs, ys, text, colors, hover, where = [], [], [], [], [], []
    for k in persons:
        s = scores.get(k.attitude)
        if s is None or k.influence is None:
            continue
        n = seen.get((s, k.influence), 0)
        seen[(s, k.influence)] = n + 1
        # people on the same spot: spread sideways and put their labels alternately above and below
        xs.append(round(s + ((n + 1) // 2) * 0.32 * (1 if n % 2 else -1), 2))
        ys.append(k.influence)
        text.append(k.name)
        where.append("top center" if n % 4 in (0, 3) else "bottom center")
        colors.append(GREEN if s > 0 else RED if s < 0 else GREY)
        hover.append(f"{k.name} · {k.title} · {k.attitude}")
    lo = min(scores.values(), default=-3) - 0.7
    hi = max(scores.values(), default=2) + 0.7
    return _fig([
        {"type": "scatter", "mode": "markers+text", "x": xs, "y": ys, "text": text, "textposition": where,
         "marker": {"size": 14, "color": colors, "line": {"color": "#fff", "width": 1}}, "hovertext": hover,
         "hoverinfo": "text", "cliponaxis": False},
    ], 300, showlegend=False,
        xaxis={"title": {"text": t("m.attitude_axis")}, "range": [lo, hi], "zeroline": True, "dtick": 1},
        yaxis={"title": {"text": t("kp.influence")}, "range": [0.3, 5.9], "dtick": 1},
        shapes=[{"type": "rect", "x0": 0, "x1": hi, "y0": 3.5, "y1": 5.9, "fillcolor": "rgba(22,163,74,0.06)",
                 "line": {"width": 0}, "layer": "below"},
                {"type": "rect", "x0": lo, "x1": 0, "y0": 3.5, "y1": 5.9, "fillcolor": "rgba(220,38,38,0.07)",
                 "line": {"width": 0}, "layer": "below"}])


def radar(rows: Sequence[CompetitionRow], dimensions: Sequence[str], t: Callable[[str], str]) -> Figure:
    """The parties of one account over the score dimensions; we are drawn first, in blue."""
    ordered = sorted(rows, key=lambda r: (not r.is_us, r.party))
    data = []
    other = 1
    for r in ordered:
        scores = dict(r.scores)
        if not any(d in scores for d in dimensions):
            continue
        theta = [*dimensions, dimensions[0]]
        values = [scores.get(d) for d in theta]
        if r.is_us:
            color = BLUE
        else:
            color = PALETTE[other % len(PALETTE)]
            other += 1
        data.append({"type": "scatterpolar", "name": t("comp.us") if r.is_us else r.party, "r": values,
                     "theta": theta, "fill": "toself" if r.is_us else "none", "line": {"color": color},
                     "opacity": 0.9})
    return _fig(data, 340, polar={"radialaxis": {"range": [0, 5], "dtick": 1}}, margin={"l": 50, "r": 50, "t": 20, "b": 20},
                legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.05, "yanchor": "top"})


STAGE_COLORS = ("#dbeafe", "#bfdbfe", "#93c5fd", "#60a5fa", "#3b82f6", "#1d4ed8", "#1e3a8a")


def trend_pipeline(labels: Sequence[str], by_stage: dict[str, list[float]], weighted: Sequence[float],
                   label: Callable[[str], str], t: Callable[[str], str]) -> Figure:
    """Open value per stage across the weeks in history (stacked), with the weighted forecast as a line."""
    data: list[dict[str, Any]] = []
    for i, (stage, values) in enumerate(by_stage.items()):
        data.append({"type": "bar", "name": label(stage), "x": list(labels), "y": list(values),
                     "marker": {"color": STAGE_COLORS[min(i, len(STAGE_COLORS) - 1)]},
                     "hovertemplate": "%{x}<br>" + label(stage) + " %{y:,.1f} " + t("unit.wan") + "<extra></extra>"})
    data.append({"type": "scatter", "mode": "lines+markers", "name": t("m.weighted"), "x": list(labels),
                 "y": list(weighted), "line": {"color": AMBER, "width": 3}, "marker": {"size": 8},
                 "hovertemplate": "%{x}<br>" + t("m.weighted") + " %{y:,.1f} " + t("unit.wan") + "<extra></extra>"})
    return _fig(data, 320, barmode="stack", xaxis={"type": "category"}, yaxis={"title": {"text": t("unit.wan")}},
                legend={"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"}, margin={"b": 60})


def trend_counts(labels: Sequence[str], series: Sequence[tuple[str, Sequence[int | None], str]],
                 t: Callable[[str], str]) -> Figure:
    """A few counts across the weeks in history (stale accounts, data errors, warnings), one line each."""
    # lines often coincide (a count of 0 or 1 several weeks running): each has its own dash and marker
    styles = (("solid", "circle"), ("dash", "square"), ("dot", "diamond"))
    data = [{"type": "scatter", "mode": "lines+markers", "name": name, "x": list(labels), "y": list(values),
             "line": {"color": color, "dash": styles[i % 3][0], "width": 2},
             "marker": {"size": 9 - 2 * (i % 3), "symbol": styles[i % 3][1]}, "connectgaps": False,
             "hovertemplate": "%{x}<br>" + name + " %{y}<extra></extra>"}
            for i, (name, values, color) in enumerate(series)]
    top = max((v for _, values, _ in series for v in values if v is not None), default=0)
    yaxis: dict[str, Any] = {"rangemode": "tozero", "title": {"text": t("m.count")}}
    if top <= 5:
        yaxis.update(dtick=1, range=[-0.3, 5.5])  # small counts: whole numbers; a line at 0 stays visible
    return _fig(data, 260, xaxis={"type": "category"}, yaxis=yaxis)
