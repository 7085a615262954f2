"""Measures -> pages: one method per page kind, each returning (path relative to the output, html).

Every page gets the same base context (site title, as-of date, language, translator, the relative prefix
`root` that leads back to the output folder, the URL map); a page adds its own values and its figures as
plain dicts. Templates are looked up by name, so a project's layouts/ can replace any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from jinja2 import Environment

from .. import charts
from ..config import Config
from ..i18n import Translator
from ..issues import Issue, Report, all_rejected, unread_files
from ..measures import AccountFacts, Measures, Scope
from ..measures.activity import RepActivity, Week
from ..measures.care import LATE_DAYS, needs_care, resource_requests
from ..measures.coverage import attitude_score
from ..measures.dealplan import plan as account_plan
from ..measures.inspection import Flag
from ..measures.segments import segments
from ..measures.service import Service, combined
from ..measures.winloss import by_competitor, by_stage_lost, closed_deals
from ..measures.winloss import group as wl_group
from ..meeting import Meeting, category
from ..model import Dataset, Project
from ..privacy import privacy_summary
from ..weekly import Weekly
from .env import money
from .notes import render_notes
from .urls import Urls
from .views import group_issues, has_hierarchy, issue_kinds, org_chart, stage_progress
from .week import GROUPS, RELATIONSHIP_NAMES, Series, WeekView

MAX_FOLLOWUPS = 200  # on an account page (the newest ones); the count of the others is shown
RECENT_FOLLOWUPS = 8  # shown as a timeline; the older ones in a folded table
DEALS_PER_COMPETITOR = 50  # open deals listed under each competitor (largest first)
SERVICE_ROWS = 30  # rows of the satisfaction and cost table of a rep, team or the department
ACTIVITY_BY_REP_LIMIT = 15  # above this many reps, the department's activity chart is drawn per team
ACCOUNTS_PAGE = 100  # rows of the accounts list in the page's HTML and shown at a time (assets/accounts.js)


@dataclass(frozen=True)
class SiteInfo:
    title: str
    as_of: date
    lang: str
    html_lang: str


class Pages:
    def __init__(self, env: Environment, dataset: Dataset, report: Report, measures: Measures, config: Config,
                 urls: Urls, weekly: Weekly, meeting: Meeting | None = None) -> None:
        self.env = env
        self.meeting = meeting if meeting is not None else Meeting(dataset, measures, config, weekly.history)
        self.ds = dataset
        self.report = report
        self.m = measures
        self.config = config
        self.urls = urls
        self.t = Translator(config.language)
        self.site = SiteInfo(config.title, measures.as_of, config.language,
                             "en" if config.language == "en" else "zh-CN")
        self.stage_order = {st.name: i for i, st in enumerate(config.stages)}
        self.issues_by_account: dict[str, list[Issue]] = {}
        self.stale_files_of_rep: dict[str, list[str]] = {}
        for i in report.issues:
            if i.account:
                self.issues_by_account.setdefault(i.account, []).append(i)
            if i.code == "stale-data" and i.file in weekly.stale_files:
                self.stale_files_of_rep.setdefault(i.rep, []).append(i.file)
        self.week = WeekView(weekly, measures, config, self.t, self.stage_label)
        self.history = weekly.history  # every week's snapshot, this one included (the resource board)

    # ---- helpers available to every template

    def stage_label(self, name: str) -> str:
        if name == "won":
            return self.t("m.won")
        st = self.config.stage(name)
        if st is None:
            return name or "—"
        return st.en if self.config.language == "en" else st.name

    def relationship_label(self, level: int | None) -> str:
        if level is None or not 1 <= level <= 5:
            return "—"
        return f"{level} {RELATIONSHIP_NAMES[level - 1]}"

    def plan_url(self, account_id: str, project: Project) -> str | None:
        """The plan page of an open project, relative to the output; None for other projects."""
        return self.urls.plan(account_id, project.name) if _status(project.stage, self.config) == "open" else None

    def account_name(self, account_id: str) -> str:
        a = self.m.index.accounts.get(account_id)
        return a.name if a else account_id

    def flag_text(self, fl: Flag) -> str:
        """A deal-inspection flag's explanation, with its figures (locale: insp.<code>)."""
        args = fl.params
        if fl.code == "stage-ahead-of-qualification":
            args["missing"] = self.t("insp.sep").join(self.t(f"man.{k}") for k in args["missing"].split("/"))
        if fl.code == "decision-maker-not-met" and not args.get("identified"):
            return self.t("insp.decision-maker-not-met.none")
        for k in ("from", "to"):
            if k in args:
                args[k] = money(args[k])
        if "delta" in args:
            args["delta"] = money(abs(args["delta"]))
        return self.t(f"insp.{fl.code}", **args)

    def inputs_known(self, template: str, path: str, nav: str, title: str, inputs: tuple[Any, ...]) -> None:
        """Called by a page method once it has gathered what its page is made of (before building the
        view): render/parallel.py hooks it to re-use an unchanged page. Does nothing here."""

    def _render(self, template: str, path: str, nav: str, title: str, **ctx: Any) -> tuple[str, str]:
        depth = path.count("/")
        base = {
            "site": self.site,
            "t": self.t,
            "tr": self.t.table,
            "root": "../" * depth,
            "path": path,
            "nav": nav,
            "page_title": title,
            "urls": self.urls,
            "stage_label": self.stage_label,
            "stage_status": lambda name: _status(name, self.config),
            "stage_order": self.stage_order,
            "relationship_label": self.relationship_label,
            "account_name": self.account_name,
            "config": self.config,
            "teams": self.m.teams,
            "week": self.week,
            "stale_data": self.week.stale_accounts,
            "facts": self.m.facts,
            "flag_text": self.flag_text,
            "deal_category": lambda d: category(d, self.config),
            "plan_url": self.plan_url,
        }
        html = self.env.get_template(template).render({**base, **ctx})
        return path, html

    # ---- figures shared by the dashboard, team and rep pages

    def _scope_charts(self, s: Scope) -> dict[str, charts.Figure]:
        t = self.t
        figs: dict[str, charts.Figure] = {}
        if s.counts.open_projects:
            figs["pipeline"] = charts.pipeline_by_stage(s.by_stage, self.stage_label, t)
        if s.funnel and s.funnel[0].reached:
            figs["funnel"] = charts.funnel(s.funnel, self.stage_label, t)
        if s.forecast:
            figs["forecast"] = charts.forecast(s.forecast, t)
        if s.kind == "rep" and s.activity:
            figs["activity"] = charts.weekly(s.activity[0], t)
        elif s.activity:
            figs["activity"] = charts.activity(self._activity_rows(s), t)
            figs["weekly"] = charts.weekly(_sum_weeks(s.activity, s.name), t)
        if s.win_loss.reasons:
            figs["winloss"] = charts.win_loss(s.win_loss, t)
        if s.pareto.curve:
            figs["pareto"] = charts.pareto(s.pareto, t)
        # the competitors are a bar list in HTML (_macros.html competitor_bars), not a plotly figure
        at = self.meeting.of(s).attainment
        if at.has_targets or any(b.signed for b in at.months):
            figs["targets"] = charts.targets_by_month(at.months, t)
            figs["visits"] = charts.visits_by_month(at.months, t)
        trend = self.meeting.of(s).trend
        if any(c.due for _, c in trend):
            figs["plan"] = charts.plan_completion([w for w, _ in trend], [c.rate for _, c in trend], t)
        series = self.week.series.get((s.kind, s.name))
        # a chart of nothing but zeros would only draw an empty axis (−1 … 1 万元): "no data" instead
        if series is not None and series.weeks and _some(series.weighted, *series.by_stage.values()):
            figs["trend_pipeline"] = charts.trend_pipeline(series.labels, series.by_stage, series.weighted,
                                                           self.stage_label, t)
        health = self._health(series) if series is not None and series.weeks else []
        if series is not None and health and (s.counts.accounts or _some(*(values for _, values, _ in health))):
            figs["trend_health"] = charts.trend_counts(series.labels, health, t)
        return figs

    def _health(self, series: Series, stale: bool = True) -> list[tuple[str, list[int | None], str]]:
        t = self.t
        lines: list[tuple[str, list[int | None], str]] = []
        if stale:
            lines.append((t("m.stale"), list(series.stale), charts.AMBER))
        if any(v is not None for v in series.errors):
            lines.append((t("sev.error"), series.errors, charts.RED))
            lines.append((t("sev.warning"), series.warnings, charts.GREY))
        return lines

    def _activity_rows(self, s: Scope) -> list[tuple[str, int, int, int]]:
        if s.kind == "department" and len(s.activity) > ACTIVITY_BY_REP_LIMIT:
            rows = []
            for team in self.m.teams:
                acts = [a for a in s.activity if a.team == team.name]
                rows.append((team.name, sum(a.this_week.contacts for a in acts),
                             sum(a.this_week.effective for a in acts), sum(a.this_week.target for a in acts)))
            return rows
        return [(a.rep, a.this_week.contacts, a.this_week.effective, a.this_week.target) for a in s.activity]

    def _scope_ctx(self, s: Scope) -> dict[str, Any]:
        series = self.week.series.get((s.kind, s.name))
        changes = self.week.for_scope(s.kind, s.name)
        return {
            "scope": s,
            "charts": self._scope_charts(s),
            "facts": self.m.facts,
            "activity_per_team": s.kind == "department" and len(s.activity) > ACTIVITY_BY_REP_LIMIT,
            "activity_capped": s.kind != "rep" and len(self._activity_rows(s)) > charts.TOP_N,
            "series": series,
            "conversion": series.conversion if series is not None else [],
            "changes": changes,
            "change_headline": self.week.headline(changes),
            "contacts": self.week.contacts_for(s.kind, s.name),
            "meet": self.meeting.of(s),
            "pack_url": self._pack_url(s),
            "rejected_projects": self._rejected_projects(s),
            **self._service_ctx(s),
        }

    def _pack_url(self, s: Scope) -> str:
        """The meeting pack a scope belongs to: its team's (a rep's team's), else the department's."""
        team = s.name if s.kind == "team" else self.m.index.team_of_rep.get(s.name, "") if s.kind == "rep" else ""
        scope = next((t for t in self.m.teams if t.name == team), None) if team else None
        return meeting_path(self.urls, scope) if scope is not None else MEETING

    def _rejected_projects(self, s: Scope) -> int:
        """Project rows of the customer files of the scope's reps that were rejected (left out of every figure)."""
        reps = None if s.kind == "department" else set(s.reps)
        return sum(c.rejected for c in self.report.sheets
                   if c.form == "customer" and (reps is None or c.rep in reps))

    def _service_ctx(self, s: Scope) -> dict[str, Any]:
        """Satisfaction and cost to serve of a scope (issue 18), with one row per account (a rep), per rep (a
        team) or per team (the department)."""
        rows: list[tuple[str, str, Service]] = []
        if s.kind == "rep":
            rows = [("account", f.account.id, f.service) for f in s.accounts
                    if f.service.cost or f.service.months or f.service.won_value]
        else:
            groups: dict[str, list[Service]] = {}
            for f in s.accounts:
                groups.setdefault(f.account.rep if s.kind == "team" else f.team, []).append(f.service)
            rows = [("rep" if s.kind == "team" else "team", k, combined(v)) for k, v in sorted(groups.items())]
        rows.sort(key=lambda r: (-r[2].cost, r[1]))
        return {"service": combined(f.service for f in s.accounts), "service_rows": rows[:SERVICE_ROWS],
                "service_rows_total": len(rows)}

    # ---- pages

    def dashboard(self) -> tuple[str, str]:
        s = self.m.department
        return self._render("index.html", Urls.INDEX, "index", self.t("nav.dashboard"), **self._scope_ctx(s))

    def team(self, s: Scope) -> tuple[str, str]:
        path = self.urls.team(s.name)
        assert path
        by_name = {r.name: r for r in self.m.reps}
        members = [by_name[r] for r in s.reps if r in by_name]
        return self._render("team.html", path, "teams", s.name, members=members, **self._scope_ctx(s))

    def rep(self, s: Scope) -> tuple[str, str]:
        path = self.urls.rep(s.name)
        assert path
        team = self.m.index.team_of_rep.get(s.name, "")
        # open projects, the nearest close date first: each links to its one-page plan
        deals = sorted(((f, p) for f in s.accounts if f.open for p in self.open_projects(f)),
                       key=lambda fp: (fp[1].expected_close is None, fp[1].expected_close or self.m.as_of,
                                       fp[0].account.id, fp[1].name))
        # care after the sale: won accounts not contacted for config.care_days, the longest silence first
        care = sorted((c for f in s.accounts if (c := needs_care(f.account, f.last_contact, self.config, self.m.as_of))),
                      key=lambda c: (c.days is not None, -(c.days or 0), c.account))
        return self._render("rep.html", path, "teams", s.name, team=team, deals=deals, care=care,
                            stale_since=self.week.stale_reps.get(s.name, ""),
                            stale_files=sorted(set(self.stale_files_of_rep.get(s.name, ()))), **self._scope_ctx(s))

    def teams(self) -> tuple[str, str]:
        return self._render("teams.html", Urls.TEAMS, "teams", self.t("nav.teams"),
                            team_scopes=self.m.teams, rep_scopes=self.m.reps, department=self.m.department)

    def accounts(self) -> tuple[str, str]:
        facts = list(self.m.facts.values())
        options = {
            "team": sorted({f.team for f in facts if f.team}),
            "rep": sorted({f.account.rep for f in facts if f.account.rep}),
            "stage": [st.name for st in self.config.stages if any(f.stage == st.name for f in facts)],
            "category": sorted({f.account.category for f in facts if f.account.category}),
        }
        nearest = _next_close(self.config)
        return self._render("accounts.html", Urls.ACCOUNTS, "accounts", self.t("nav.accounts"),
                            facts=facts, first=facts[:ACCOUNTS_PAGE], options=options, next_close=nearest,
                            page_size=ACCOUNTS_PAGE, rows=account_rows(facts, options, self, nearest))

    def account(self, f: AccountFacts) -> tuple[str, str]:
        a = f.account
        path = self.urls.account(a.id)
        assert path
        idx = self.m.index
        persons = idx.persons.get(a.id, ())
        comp = idx.competition.get(a.id, ())
        fus = idx.followups.get(a.id, ())
        issues = self.issues_by_account.get(a.id, [])
        changes = self.week.for_account(a.id)
        stale_since = self.week.stale_accounts.get(a.id, "")
        stale_files = self.week.stale_files
        stale_here = sorted({src.file for src in (a.src, *(p.src for p in a.projects))
                             if src is not None and src.file in stale_files})
        # everything the page is made of besides the config and what every page shares: a page whose
        # inputs did not change since the last build is re-used before any of the work below is done
        deals = {p.name: d for p in a.projects if (d := self.meeting.deals.get((a.id, p.name))) is not None}
        self.inputs_known("account.html", path, "accounts", a.name or a.id,
                          (f, persons, comp, fus, issues, changes, stale_since, stale_here,
                           tuple(d.flags for d in deals.values())))
        newest = list(reversed(fus))[:MAX_FOLLOWUPS]
        figs: dict[str, charts.Figure] = {}
        if any(p.influence is not None and attitude_score(p, self.config) is not None for p in persons):
            figs["influence"] = charts.influence_attitude(persons, self.config.attitude_scores, self.t)
        if any(r.scores for r in comp):
            figs["radar"] = charts.radar(comp, self.config.score_dimensions, self.t)
        private = set(self.config.private_fields)
        return self._render(
            "account.html", path, "accounts", a.name or a.id,
            f=f, a=a, persons=persons, competition=comp, followups=newest, followups_total=len(fus),
            recent_followups=RECENT_FOLLOWUPS,
            projects=[(p, *stage_progress(p, self.config)) for p in a.projects],
            org=org_chart(persons) if has_hierarchy(persons) else [],
            notes=render_notes(a.notes), extra=[(k, v) for k, v in a.extra if k not in private],
            person_extra_labels=sorted({k for p in persons for k, _ in p.extra if k not in private}),
            person_projects=any(p.projects for p in persons),
            issues=issues, charts=figs,
            attitude_scores=self.config.attitude_scores, dimensions=self.config.score_dimensions,
            open_status={p.name: _status(p.stage, self.config) for p in a.projects},
            changes=changes, stale_since=stale_since, stale_files=stale_here, deals=deals,
        )

    def plan(self, f: AccountFacts, project: Project) -> tuple[str, str]:
        """The one-page account plan of an open project (issue 18)."""
        a = f.account
        path = self.urls.plan(a.id, project.name)
        assert path
        idx = self.m.index
        persons, comp, fus = idx.persons.get(a.id, ()), idx.competition.get(a.id, ()), idx.followups.get(a.id, ())
        title = f"{project.name or a.name or a.id} · {self.t('plan.title')}"
        # what the page is made of (see account()): an unchanged plan is re-used before its view is built
        self.inputs_known("plan.html", path, "accounts", title, (f, project, persons, comp, fus))
        view = account_plan(a, project, persons, comp, fus, self.config, self.m.as_of)
        return self._render("plan.html", path, "accounts", title, f=f, a=a, plan=view,
                            attitude_scores=self.config.attitude_scores)

    def resources(self) -> tuple[str, str]:
        """The resource-support board: open projects with a 资源支持需求 (issue 18)."""
        requests = resource_requests((f.account for f in self.m.facts.values()), self.config, self.m.as_of,
                                     self.history)
        return self._render("resources.html", Urls.RESOURCES, "resources", self.t("res.title"), requests=requests,
                            late_days=LATE_DAYS, has_status=any(r.project.request_status for r in requests))

    def open_projects(self, f: AccountFacts) -> list[Project]:
        return [p for p in f.account.projects if _status(p.stage, self.config) == "open"]

    def competitors(self) -> tuple[str, str]:
        s = self.m.department
        threat_on: dict[tuple[str, str], str] = {}
        for rows in self.m.index.competition.values():
            for r in rows:
                if not r.is_us:
                    threat_on.setdefault((r.party, r.account_id), r.threat)
        open_deals_of = {
            c.name: sorted((self.m.facts[i] for i in c.open_accounts), key=lambda f: (-f.open_value, f.account.id))
            for c in s.competitors}
        return self._render("competitors.html", Urls.COMPETITORS, "competitors", self.t("nav.competitors"),
                            competitors=s.competitors, facts=self.m.facts, threat_on=threat_on,
                            open_deals_of=open_deals_of, deal_limit=DEALS_PER_COMPETITOR)

    def quality(self) -> tuple[str, str]:
        issues = list(self.report.issues)
        series = self.week.series[("department", "")]
        figs: dict[str, charts.Figure] = {}
        if series.weeks and any(v is not None for v in series.errors):
            figs["trend_issues"] = charts.trend_counts(series.labels, self._health(series, stale=False), self.t)
        owners: dict[str, str] = {}
        for i in issues:
            if i.code == "stale-data" and i.file:
                owners.setdefault(i.file, i.rep)
        unreadable = [(f, when, owners.get(f, "")) for f, when in sorted(self.week.stale_files.items())]
        not_read = [(f, m) for f, m in unread_files(self.report) if f not in self.week.stale_files]
        return self._render("quality.html", Urls.QUALITY, "quality", self.t("nav.quality"),
                            issues=issues, groups=group_issues(issues), kinds=issue_kinds(issues),
                            sheets=self.report.sheets, known_accounts=self.m.index.accounts, charts=figs,
                            series=series, unreadable=unreadable, all_rejected=all_rejected(self.report),
                            not_read=not_read, privacy=privacy_summary(self.report, self.config))

    def changes(self) -> tuple[str, str]:
        w = self.week
        net = sum(float(r.c.delta or 0) for r in w.rows if r.c.kind == "value_changed")
        fields: dict[str, Any] = {**w.counts, "net": ("+" if net > 0 else "−" if net < 0 else "") + money(abs(net))}
        subs = {key: self.t(f"chg.group_sub.{key}", **fields) for key, _ in GROUPS}
        return self._render("changes.html", Urls.CHANGES, "changes", self.t("nav.changes"),
                            groups=w.groups(), rows=w.rows, contacts=w.contacts, counts=w.counts,
                            headline=w.headline(w.rows), group_subs=subs)

    # ---- issue 17: segmentation, win/loss, the meeting pack

    def segments(self) -> tuple[str, str]:
        seg = segments(list(self.ds.accounts), self.m.index.followups, self.config, self.m.as_of)
        figs: dict[str, charts.Figure] = {}
        if seg.points:
            figs["segments"] = charts.contacts_vs_value(seg.points, self.account_name, self.t)
        return self._render("segments.html", SEGMENTS, "meeting", self.t("seg.title"), seg=seg, charts=figs,
                            facts=self.m.facts)

    def winloss(self) -> tuple[str, str]:
        deals = closed_deals(list(self.ds.accounts), self.m.index.competition, self.m.index.followups,
                             self.week.weekly.history, self.config, self.m.as_of)
        return self._render("winloss.html", WINLOSS, "meeting", self.t("wl.title"), deals=deals,
                            overall=wl_group(deals, ""), competitors=by_competitor(deals),
                            stages=by_stage_lost(deals, self.config))

    def meeting_pack(self, s: Scope) -> tuple[str, str]:
        path = meeting_path(self.urls, s)
        changes = self.week.for_scope(s.kind, s.name)
        title = self.t("pack.title_team", team=s.name) if s.kind == "team" else self.t("pack.title")
        return self._render("meeting.html", path, "meeting", title, scope=s, meet=self.meeting.of(s),
                            changes=changes, change_headline=self.week.headline(changes),
                            team_packs=[(t.name, meeting_path(self.urls, t)) for t in self.m.teams],
                            charts={})

    def all(self) -> Iterator[tuple[str, str]]:
        for _key, render in self.jobs():
            yield render()

    def jobs(self) -> list[tuple[str, Callable[[], tuple[str, str]]]]:
        """Every page as (a stable key, the call that renders it), in a fixed order: pages can be rendered
        in any order and in several processes (render/parallel.py). Account pages have the key
        "account:<id>"."""
        out: list[tuple[str, Callable[[], tuple[str, str]]]] = [
            ("index", self.dashboard), ("teams", self.teams), ("accounts", self.accounts),
            ("competitors", self.competitors), ("quality", self.quality), ("changes", self.changes),
            ("segments", self.segments), ("winloss", self.winloss), ("meeting", partial(self.meeting_pack, self.m.department)),
            ("resources", self.resources)]
        out += [(f"meeting:{s.name}", partial(self.meeting_pack, s)) for s in self.m.teams]
        out += [(f"team:{s.name}", partial(self.team, s)) for s in self.m.teams]
        out += [(f"rep:{s.name}", partial(self.rep, s)) for s in self.m.reps]
        out += [(f"account:{f.account.id}", partial(self.account, f)) for f in self.m.facts.values()]
        out += [(f"plan:{f.account.id}:{p.name}", partial(self.plan, f, p))
                for f in self.m.facts.values() if f.open for p in self.open_projects(f)]
        return out


SEGMENTS = "segments.html"
WINLOSS = "winloss.html"
MEETING = "meeting.html"


def meeting_path(urls: Urls, s: Scope) -> str:
    """The meeting pack of the department (meeting.html) or of a team (meeting/<the team page's slug>.html)."""
    if s.kind != "team":
        return MEETING
    team = urls.team(s.name)
    assert team
    return "meeting/" + team.split("/", 1)[1]


def _status(stage: str, config: Config) -> str:
    st = config.stage(stage)
    if st is None:
        return "other"
    return "open" if st.open else "won" if st.won else "lost" if st.lost else "other"


def _next_close(config: Config) -> Callable[[AccountFacts], date | None]:
    def nearest(f: AccountFacts) -> date | None:
        dates = [p.expected_close for p in f.account.projects
                 if p.expected_close and _status(p.stage, config) == "open"]
        return min(dates) if dates else None

    return nearest


def _display_money(value: float) -> float:
    """A value as the list shows it (render/env.py money): whole above 1,000, else one decimal."""
    return round(value) if abs(value) >= 1000 else round(value, 1)


def account_rows(facts: list[AccountFacts], options: dict[str, list[str]], pages: Pages,
                 next_close: Callable[[AccountFacts], date | None]) -> dict[str, Any]:
    """The accounts list as compact data for assets/accounts.js, which sorts, filters and shows it a page at
    a time: names that repeat (teams, reps, categories, stages, flags) are lists the rows point into.
    Row: [id, name, page slug, team, rep, category, grade, stage, projects, open value, weighted,
    next close, last contact, days without contact, support, status bits (open 1, stale 2, overdue 4,
    old data 8), [flags]]."""
    t = pages.t
    teams = {name: i for i, name in enumerate(options["team"])}
    reps = {name: i for i, name in enumerate(options["rep"])}
    cats = {name: i for i, name in enumerate(options["category"])}
    stage_names = [st.name for st in pages.config.stages]
    stage_names += sorted({f.stage for f in facts if f.stage and f.stage not in pages.stage_order})
    stages = {name: i for i, name in enumerate(stage_names)}
    flags: dict[tuple[str, str, str], int] = {}

    def flag(cls: str, title: str, short: str) -> int:
        return flags.setdefault((cls, title, short), len(flags))

    stale_data = pages.week.stale_accounts
    rows = []
    for f in facts:
        a = f.account
        url = pages.urls.account(a.id) or ""
        fl = []
        if a.id in stale_data:
            fl.append(flag("olddata", t("stale.banner", date=stale_data[a.id]), t("stale.flag")))
        if f.stale:
            fl.append(flag("stale", t("flag.stale"), t("flag.stale_short")))
        if f.overdue:
            fl.append(flag("overdue", t("flag.overdue"), t("flag.overdue_short")))
        if f.open:
            fl += [flag(c, t(f"flag.{c}"), t(f"flag.{c}_short")) for c in f.coverage.flags]
        bits = (1 if f.open else 0) | (2 if f.stale else 0) | (4 if f.overdue else 0) | (8 if a.id in stale_data else 0)
        nc = next_close(f)
        rows.append([a.id, a.name, url[len("accounts/"):-len(".html")] if url else "",
                     teams.get(f.team, -1), reps.get(a.rep, -1), cats.get(a.category, -1), a.grade or "",
                     stages.get(f.stage, -1) if f.stage else -1, len(a.projects),
                     _display_money(f.open_value), _display_money(f.weighted),
                     nc.isoformat() if nc else "", f.last_contact.isoformat() if f.last_contact else "",
                     f.days_since, f.coverage.support, bits, fl])
    return {
        "teams": options["team"],
        "reps": [[r, pages.urls.rep(r) or ""] for r in options["rep"]],
        "cats": options["category"],
        "stages": [[n, pages.stage_label(n), _status(n, pages.config), pages.stage_order.get(n, -1)] for n in stage_names],
        "flags": [list(k) for k in flags],
        "rows": rows,
    }
def _some(*series: Sequence[float | int | None]) -> bool:
    """Whether any value of the series is other than 0 or missing."""
    return any(v for values in series for v in values)


def _sum_weeks(acts: tuple[RepActivity, ...], name: str) -> RepActivity:
    weeks = []
    for i, w in enumerate(acts[0].weeks):
        weeks.append(Week(w.monday, sum(a.weeks[i].contacts for a in acts), sum(a.weeks[i].effective for a in acts),
                          sum(a.weeks[i].target for a in acts)))
    return RepActivity(name, "", tuple(weeks))
