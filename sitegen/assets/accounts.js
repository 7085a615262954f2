/* sitegen: the accounts list (accounts.html). Every account is in the page as compact data
   (<script type="application/json" id="account-data">, rows described in sitegen/render/pages.py account_rows);
   this script filters and sorts them in memory and shows a page of rows at a time ("show more", "show all"),
   so 5,000 accounts cost the browser a hundred table rows, not five thousand. Filters and sort are kept in the
   address after "#" (team, rep, stage, category, status, q, sort, dir): a view can be shared as a link, and a
   reload (also from file://) keeps it. Before printing, every matching row is shown.
   No network requests, no inline code: it runs under script-src 'self'. */
(function () {
  "use strict";

  var COLS = ["id", "name", "team", "rep", "category", "grade", "stage", "projects", "value", "weighted",
              "close", "contact", "days", "support"];
  var NUMERIC = { stage: 1, projects: 1, value: 1, weighted: 1, days: 1, support: 1 };
  var FIELD = { id: 0, name: 1, team: 3, rep: 4, category: 5, grade: 6, stage: 7, projects: 8, value: 9,
                weighted: 10, close: 11, contact: 12, days: 13, support: 14 };
  var STATUS = { open: 1, stale: 2, overdue: 4, olddata: 8 };
  var FILTERS = ["team", "rep", "stage", "category", "status"];

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  var fmt = typeof Intl !== "undefined" ? new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }) : null;
  function money(v) { return v === null || v === undefined ? "—" : fmt ? fmt.format(v) : String(v); }
  function dash(v) { return v === null || v === undefined || v === "" ? "—" : esc(v); }

  function start() {
    var table = document.getElementById("account-table");
    var src = document.getElementById("account-data");
    var form = document.getElementById("account-filters");
    if (!table || !src || !form) return;
    var data = JSON.parse(src.textContent);
    var rows = data.rows;
    var root = document.body.getAttribute("data-root") || "";
    var pageSize = parseInt(table.getAttribute("data-page"), 10) || 100;
    var body = table.tBodies[0];
    var heads = table.querySelectorAll("thead th");
    var selects = {};
    Array.prototype.forEach.call(form.querySelectorAll("select[data-filter]"), function (s) {
      selects[s.getAttribute("data-filter")] = s;
    });
    var text = form.querySelector("input[data-filter-text]");
    var shown = form.querySelector(".shown");
    var more = document.querySelector("#account-more [data-more]");
    var all = document.querySelector("#account-more [data-all]");
    var nojs = document.querySelector("#account-more .nojs");
    if (nojs) nojs.hidden = true;
    var collator = typeof Intl !== "undefined" ? new Intl.Collator(["zh-CN", "en"], { numeric: true }) : null;
    var index = {
      team: lookup(data.teams), rep: lookup(data.reps.map(function (r) { return r[0]; })),
      category: lookup(data.cats), stage: lookup(data.stages.map(function (s) { return s[0]; }))
    };
    function lookup(names) { var o = {}; names.forEach(function (n, i) { o[n] = i; }); return o; }

    var state = { sort: "", dir: "" };
    var order = null;   // indices into rows, filtered and sorted
    var limit = pageSize;
    var sorted = {};    // column -> ascending order of all rows, computed once per column

    /* ---- one row as HTML, the same cells as the rows the page was built with */
    function rowHtml(r) {
      var rep = data.reps[r[4]], st = data.stages[r[7]], h = "<tr>";
      h += '<td class="c-id opt mono">' + esc(r[0]) + "</td>";
      h += '<td class="c-name wrap">' + (r[2] ? '<a href="' + esc(root + "accounts/" + r[2] + ".html") + '">' + esc(r[1] || r[0]) + "</a>" : esc(r[1] || r[0])) + "</td>";
      h += '<td class="c-team opt">' + dash(data.teams[r[3]]) + "</td>";
      h += '<td class="c-rep">' + (rep ? (rep[1] ? '<a href="' + esc(root + rep[1]) + '">' + esc(rep[0]) + "</a>" : esc(rep[0])) : "—") + "</td>";
      h += '<td class="c-category opt">' + dash(data.cats[r[5]]) + "</td>";
      h += '<td class="c-grade opt">' + dash(r[6]) + "</td>";
      h += '<td class="c-stage">' + (st ? '<span class="stage stage-' + esc(st[2]) + '">' + esc(st[1]) + "</span>" : "—") + "</td>";
      h += '<td class="c-projects opt num">' + r[8] + "</td>";
      h += '<td class="c-value num">' + money(r[9]) + "</td>";
      h += '<td class="c-weighted opt num">' + money(r[10]) + "</td>";
      h += '<td class="c-close opt">' + dash(r[11]) + "</td>";
      h += '<td class="c-contact opt">' + dash(r[12]) + "</td>";
      h += '<td class="c-days opt num">' + dash(r[13]) + "</td>";
      h += '<td class="c-support opt num">' + dash(r[14]) + "</td>";
      h += '<td class="c-flags flags">';
      for (var i = 0; i < r[16].length; i++) {
        var f = data.flags[r[16][i]];
        h += '<span class="flag flag-' + esc(f[0]) + '" title="' + esc(f[1]) + '">' + esc(f[2]) + "</span> ";
      }
      return h + "</td></tr>";
    }

    function sortValue(r, key) {
      var v = r[FIELD[key]];
      if (key === "stage") return v >= 0 ? data.stages[v][3] : -1;
      if (key === "days") return v === null ? 99999 : v;
      if (key === "support") return v === null ? -99 : v;
      if (key === "team") return v >= 0 ? data.teams[v] : "";
      if (key === "rep") return v >= 0 ? data.reps[v][0] : "";
      if (key === "category") return v >= 0 ? data.cats[v] : "";
      return v === null ? "" : v;
    }
    function compareText(x, y) { return collator ? collator.compare(x, y) : (x < y ? -1 : x > y ? 1 : 0); }

    /* the ascending order of all rows by a column: text columns are ranked through their distinct values (a
       dozen teams, two hundred reps: a few comparisons by the language's rules instead of 60,000) */
    function ascending(key) {
      if (sorted[key]) return sorted[key];
      var keys = rows.map(function (r) { return sortValue(r, key); });
      if (!NUMERIC[key]) {
        var rank = ranks[key] || rankOf(distinct(keys), distinct(keys).sort(compareText));
        keys = keys.map(function (k) { return rank[k]; });
      }
      var idx = rows.map(function (_r, i) { return i; });
      idx.sort(function (a, b) { return keys[a] - keys[b] || a - b; });
      sorted[key] = idx;
      return idx;
    }
    function distinct(values) {
      var seen = Object.create(null), out = [];
      values.forEach(function (v) { if (!(v in seen)) { seen[v] = 1; out.push(v); } });
      return out;
    }
    function rankOf(_values, ordered) {
      var rank = Object.create(null);
      ordered.forEach(function (v, i) { rank[v] = i; });
      return rank;
    }
    /* names are all different: their order by the language's rules (~60,000 comparisons) is worked out in
       slices of a few milliseconds while the page is idle, so that a click on the header answers at once */
    var ranks = {};
    function presort(key) {
      var values = distinct(rows.map(function (r) { return sortValue(r, key); }));
      var runs = [], i = 0, SLICE = 12, CHUNK = 250;
      function later(f) { if (window.requestIdleCallback) window.requestIdleCallback(f, { timeout: 2000 }); else setTimeout(f, 20); }
      function merge(a, b) {
        var out = [], x = 0, y = 0;
        while (x < a.length && y < b.length) out.push(compareText(a[x], b[y]) <= 0 ? a[x++] : b[y++]);
        while (x < a.length) out.push(a[x++]);
        while (y < b.length) out.push(b[y++]);
        return out;
      }
      function step() {
        if (ranks[key] || sorted[key]) return;
        var t0 = performance.now();
        while (i < values.length && performance.now() - t0 < SLICE) { runs.push(values.slice(i, i + CHUNK).sort(compareText)); i += CHUNK; }
        while (i >= values.length && runs.length > 1 && performance.now() - t0 < SLICE) runs.push(merge(runs.shift(), runs.shift()));
        if (i >= values.length && runs.length <= 1) { ranks[key] = rankOf(values, runs[0] || []); return; }
        later(step);
      }
      later(step);
    }

    function matches(r, want, q) {
      if (want.team !== undefined && r[3] !== want.team) return false;
      if (want.rep !== undefined && r[4] !== want.rep) return false;
      if (want.stage !== undefined && r[7] !== want.stage) return false;
      if (want.category !== undefined && r[5] !== want.category) return false;
      if (want.status && !(r[15] & want.status)) return false;
      if (q && (String(r[0]) + " " + String(r[1] || "")).toLowerCase().indexOf(q) < 0) return false;
      return true;
    }

    function compute() {
      var want = {};
      FILTERS.forEach(function (key) {
        var v = selects[key] ? selects[key].value : "";
        if (!v) return;
        if (key === "status") want.status = STATUS[v] || 0;
        else want[key] = index[key][v] === undefined ? -2 : index[key][v];
      });
      var q = text ? text.value.trim().toLowerCase() : "";
      var base;
      if (state.sort) {
        base = ascending(state.sort);
        if (state.dir === "desc") base = base.slice().reverse();
      } else {
        base = null;
      }
      var out = [];
      var n = rows.length;
      for (var i = 0; i < n; i++) {
        var k = base ? base[i] : i;
        if (matches(rows[k], want, q)) out.push(k);
      }
      order = out;
    }

    function draw(count, keep) {
      var n = Math.min(count, order.length), parts = [];
      if (!keep) {
        for (var i = 0; i < n; i++) parts.push(rowHtml(rows[order[i]]));
        body.innerHTML = parts.join("");
      }
      if (shown) shown.textContent = shown.getAttribute("data-shown-template").replace("{shown}", n).replace("{total}", order.length);
      var rest = order.length - n;
      if (more) {
        more.hidden = rest <= 0;
        more.textContent = more.getAttribute("data-template").replace("{n}", Math.min(rest, pageSize)).replace("{rest}", rest);
      }
      if (all) all.hidden = rest <= pageSize;
    }

    function headsShowSort() {
      Array.prototype.forEach.call(heads, function (th) {
        if (th.getAttribute("data-key") === state.sort) th.setAttribute("aria-sort", state.dir === "desc" ? "descending" : "ascending");
        else th.removeAttribute("aria-sort");
      });
    }

    /* ---- the address: #team=…&rep=…&stage=…&category=…&status=…&q=…&sort=…&dir=asc|desc */
    function readHash() {
      var params = new URLSearchParams(window.location.hash.slice(1));
      FILTERS.forEach(function (key) {
        var s = selects[key];
        if (!s) return;
        var v = params.get(key) || "";
        var known = Array.prototype.some.call(s.options, function (o) { return o.value === v; });
        s.value = known ? v : "";
      });
      if (text) text.value = params.get("q") || "";
      var sort = params.get("sort") || "";
      state.sort = COLS.indexOf(sort) >= 0 ? sort : "";
      state.dir = state.sort ? (params.get("dir") === "asc" ? "asc" : params.get("dir") === "desc" ? "desc" : NUMERIC[state.sort] ? "desc" : "asc") : "";
    }
    function writeHash() {
      var params = new URLSearchParams();
      FILTERS.forEach(function (key) { if (selects[key] && selects[key].value) params.set(key, selects[key].value); });
      if (text && text.value.trim()) params.set("q", text.value.trim());
      if (state.sort) { params.set("sort", state.sort); params.set("dir", state.dir); }
      var hash = params.toString();
      var url = window.location.href.split("#")[0] + (hash ? "#" + hash : "");
      if (url === window.location.href) return;
      try { window.history.replaceState(null, "", url); } catch (e) { window.location.replace(url); }
    }

    function update() {
      compute();
      limit = pageSize;
      draw(limit);
      headsShowSort();
      writeHash();
    }

    Object.keys(selects).forEach(function (key) { selects[key].addEventListener("change", update); });
    var timer = null;
    if (text) text.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 80);
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); update(); });
    Array.prototype.forEach.call(heads, function (th) {
      var key = th.getAttribute("data-key");
      if (!key) return;
      th.tabIndex = 0;
      function sort() {
        if (state.sort === key) state.dir = state.dir === "asc" ? "desc" : "asc";
        else { state.sort = key; state.dir = NUMERIC[key] ? "desc" : "asc"; } // numbers: largest first
        update();
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
    if (more) more.addEventListener("click", function () { limit += pageSize; draw(limit); });
    if (all) all.addEventListener("click", function () { limit = order.length; draw(limit); });
    window.addEventListener("hashchange", function () { readHash(); compute(); limit = pageSize; draw(limit); headsShowSort(); });
    // paper gets every matching account; the screen goes back to what it showed
    window.addEventListener("beforeprint", function () { draw(order.length); });
    window.addEventListener("afterprint", function () { draw(limit); });

    window.addEventListener("load", function () { presort("name"); });
    readHash();
    compute();
    // no filter and no sort: the page's HTML already holds the first rows, in this order
    draw(limit, !state.sort && order.length === rows.length && body.rows.length === Math.min(limit, rows.length));
    headsShowSort();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
