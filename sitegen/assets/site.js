/* sitegen: draws the figures, sorts tables, and searches the site. No network requests: figure data is
   embedded in each page (application/json blocks); the search index is a script (assets/search-index.js)
   added to the page the first time the search box is used, so pages that nobody searches from never load it.
   Figures are drawn when they come near the screen (one per task, so the page keeps answering) and all of
   them before printing; plotly.js itself is loaded only by pages with a figure, when the first one comes
   near the screen or (on a wide screen, where pages get printed) when the page is idle after loading. Runs under script-src 'self': no inline code, no eval. */
(function () {
  "use strict";

  var FONT = '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif';
  var BASE = {
    font: { family: FONT, size: 12, color: "#1e293b" },
    margin: { l: 56, r: 16, t: 28, b: 44 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    legend: { orientation: "h", x: 0, y: 1.0, yanchor: "bottom", font: { size: 12 } },
    hoverlabel: { font: { family: FONT } },
    xaxis: { automargin: true, gridcolor: "#eef2f7", zerolinecolor: "#cbd5e1" },
    yaxis: { automargin: true, gridcolor: "#eef2f7", zerolinecolor: "#cbd5e1" },
    separators: ".,"
  };
  var CONFIG = { displayModeBar: false, responsive: true, displaylogo: false };

  function isObj(v) { return v && typeof v === "object" && !Array.isArray(v); }
  /* a deep copy of a merged with b: plotly writes into the layout it is given, so nothing may be shared */
  function merge(a, b) {
    var out = {}, k;
    for (k in a) { if (Object.prototype.hasOwnProperty.call(a, k)) out[k] = isObj(a[k]) ? merge(a[k], {}) : a[k]; }
    for (k in b) {
      if (!Object.prototype.hasOwnProperty.call(b, k)) continue;
      out[k] = isObj(out[k]) && isObj(b[k]) ? merge(out[k], b[k]) : b[k];
    }
    return out;
  }

  function figOf(el) {
    if (el.sitegenFig === undefined) {
      var src = document.getElementById(el.getAttribute("data-fig"));
      el.sitegenFig = src ? JSON.parse(src.textContent) : null;
    }
    return el.sitegenFig;
  }
  function drawOne(el) {
    if (el.getAttribute("data-drawn")) return;
    el.setAttribute("data-drawn", "1");
    var fig = figOf(el);
    if (!fig) return;
    window.Plotly.newPlot(el, fig.data, merge(BASE, fig.layout || {}), CONFIG);
    if (el.on) el.on("plotly_afterplot", scaleForPaper(el));
    scaleForPaper(el)();
  }

  /* plotly.js is loaded by the pages that draw a figure, once one comes near the screen or the page is idle
     after loading (so that it is there when someone prints) */
  var plotlyWaiting = [], plotlyState = "";
  function withPlotly(done) {
    if (window.Plotly) { done(); return; }
    plotlyWaiting.push(done);
    if (plotlyState) return;
    plotlyState = "loading";
    var s = document.createElement("script");
    s.src = (document.body.getAttribute("data-root") || "") + "assets/plotly.min.js";
    s.onload = function () {
      plotlyState = "loaded";
      var waiting = plotlyWaiting; plotlyWaiting = [];
      waiting.forEach(function (f) { f(); });
    };
    s.onerror = function () {
      plotlyState = "failed";
      var plots = document.querySelectorAll(".plot[data-fig]");
      for (var j = 0; j < plots.length; j++) plots[j].textContent = "plotly.min.js ?";
    };
    document.head.appendChild(s);
  }

  function drawPlots() {
    var plots = document.querySelectorAll(".plot[data-fig]");
    if (!plots.length) return;
    var queue = [], busy = false;
    function next() {
      var el = queue.shift();
      if (!el) { busy = false; return; }
      drawOne(el);
      setTimeout(next, 0); // one figure per task: input and painting get their turn in between
    }
    function want(el) {
      if (el.getAttribute("data-drawn") || queue.indexOf(el) >= 0) return;
      queue.push(el);
      if (!busy) { busy = true; withPlotly(function () { setTimeout(next, 0); }); }
    }
    var observer = null;
    if (window.IntersectionObserver) {
      observer = new window.IntersectionObserver(function (entries) {
        entries.forEach(function (e) {
          if (e.isIntersecting) { observer.unobserve(e.target); want(e.target); }
        });
      }, { threshold: 0.2 }); // a fifth of a figure on the screen: draw it
      for (var i = 0; i < plots.length; i++) {
        // the figure's height is kept free before it is drawn: nothing moves when it appears
        var fig = figOf(plots[i]);
        if (fig && fig.layout && fig.layout.height) plots[i].style.minHeight = fig.layout.height + "px";
        observer.observe(plots[i]);
      }
    } else {
      for (var k = 0; k < plots.length; k++) want(plots[k]);
    }
    // a wide screen (a desk, a projector: where pages are printed) loads plotly.js once the page is idle, so that
    // printing finds it; a phone loads it only when a figure comes near the screen
    function idle() {
      if (window.matchMedia && !window.matchMedia("(min-width: 900px)").matches) return;
      if (window.requestIdleCallback) window.requestIdleCallback(function () { withPlotly(function () {}); }, { timeout: 3000 });
      else setTimeout(function () { withPlotly(function () {}); }, 1000);
    }
    if (document.readyState === "complete") idle(); else window.addEventListener("load", idle);
    // Paper is narrower than most screens, and the browser lays the printed page out only after "beforeprint":
    // draw what is not drawn yet and redraw every plot at the width of a printed chart (one per row on A4 or
    // Letter; synchronously, so the drawn figures are printed), and at its screen width again afterwards. A plot
    // still wider than that (a redraw that failed) is scaled down by the print stylesheet (--paper-zoom).
    var paper = false;
    function toPaper(on) {
      if (on === paper) return;
      if (!window.Plotly) { withPlotly(function () {}); return; } // not loaded yet (a phone): the next print has it
      paper = on;
      for (var k = 0; k < plots.length; k++) {
        try {
          if (!plots[k].getAttribute("data-drawn")) { if (observer) observer.unobserve(plots[k]); drawOne(plots[k]); }
          window.Plotly.relayout(plots[k], on ? { width: PRINT_WIDTH, autosize: false } : { width: null, autosize: true });
          scaleForPaper(plots[k])();
        } catch (e) { /* keep the drawn figure */ }
      }
      if (on) queue.length = 0;
    }
    window.addEventListener("beforeprint", function () { toPaper(true); });
    window.addEventListener("afterprint", function () { toPaper(false); });
    if (window.matchMedia) {
      var mq = window.matchMedia("print");
      if (mq.addEventListener) mq.addEventListener("change", function (e) { toPaper(e.matches); });
    }
  }

  var PRINT_WIDTH = 660; // CSS px: a chart across an A4 page (186 mm of paper inside the margins, less the card's)
  function scaleForPaper(el) {
    return function () {
      var w = el._fullLayout && el._fullLayout.width;
      if (w) el.style.setProperty("--paper-zoom", String(Math.min(1, PRINT_WIDTH / w)));
    };
  }

  // On a phone every table but the account list (which has its own phone layout) becomes a stack of cards:
  // each row a card, each cell labelled with its column's heading (site.css, @media max-width 640px).
  function labelCells(table) {
    if (table.id === "account-table" || !table.tHead || !table.tHead.rows.length) return;
    var heads = [], row = table.tHead.rows[table.tHead.rows.length - 1];
    for (var h = 0; h < row.cells.length; h++) {
      for (var span = 0; span < (row.cells[h].colSpan || 1); span++) heads.push(row.cells[h].textContent.trim());
    }
    for (var b = 0; b < table.tBodies.length; b++) {
      var rows = table.tBodies[b].rows;
      for (var r = 0; r < rows.length; r++) {
        var col = 0;
        for (var c = 0; c < rows[r].cells.length; c++) {
          var cell = rows[r].cells[c];
          if (heads[col]) cell.setAttribute("data-label", heads[col]);
          col += cell.colSpan || 1;
        }
      }
    }
    table.classList.add("stack");
  }

  /* ---- sortable tables: click a header with data-sort="num" or "text" */
  function cellValue(row, idx, kind) {
    var cell = row.children[idx];
    if (!cell) return kind === "num" ? -Infinity : "";
    var v = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent.trim();
    if (kind === "num") { var n = parseFloat(String(v).replace(/,/g, "")); return isNaN(n) ? -Infinity : n; }
    return v;
  }
  function makeSortable(table) {
    var heads = table.querySelectorAll("thead th");
    var collator = typeof Intl !== "undefined" ? new Intl.Collator(["zh-CN", "en"], { numeric: true }) : null;
    Array.prototype.forEach.call(heads, function (th, idx) {
      var kind = th.getAttribute("data-sort");
      if (!kind) return;
      th.tabIndex = 0;
      function sort() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        if (kind === "num" && !th.hasAttribute("aria-sort")) asc = false; // numbers: largest first
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, idx, kind), y = cellValue(b, idx, kind), c;
          if (kind === "num") c = x - y; else c = collator ? collator.compare(x, y) : (x < y ? -1 : x > y ? 1 : 0);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
  }

  /* ---- search: accounts, key persons, reps, teams, by name or id */
  function setupSearch() {
    var input = document.getElementById("search");
    var list = document.getElementById("search-results");
    if (!input || !list) return;
    var root = document.body.getAttribute("data-root") || "";
    var kinds = (input.getAttribute("data-kinds") || "").split("|");
    var kindIndex = { a: 0, p: 1, r: 2, t: 3, c: 4 };
    var active = -1;

    function norm(s) { return String(s || "").toLowerCase(); }
    var index = null, loading = false;
    /* the index arrives as compact lists; rows here are [kind, name, detail, url] */
    function expand(d) {
      var rows = [], i, a;
      for (i = 0; i < d.a.length; i++) { a = d.a[i]; rows.push(["a", a[0], a[1], d.ap + a[2] + ".html"]); }
      var n = 0;
      for (i = 0; i < d.p.length; i++) {
        var p = d.p[i], acct = d.a[p[2]], title = d.pt[p[1]], where = acct[0] || acct[1];
        n = i > 0 && d.p[i - 1][2] === p[2] ? n + 1 : 0; // the n-th key person of this account
        rows.push(["p", p[0], title ? title + " · " + where : where, d.ap + acct[2] + ".html#kp-" + n]);
      }
      for (i = 0; i < d.r.length; i++) rows.push(["r", d.r[i][0], d.r[i][1], d.r[i][2]]);
      for (i = 0; i < d.t.length; i++) rows.push(["t", d.t[i][0], "", d.t[i][1]]);
      for (i = 0; i < d.c.length; i++) rows.push(["c", d.c[i][0], "", d.c[i][1]]);
      return rows;
    }
    function load() {
      if (index || loading) return;
      if (window.SITEGEN_SEARCH) { index = expand(window.SITEGEN_SEARCH); return; }
      loading = true;
      var s = document.createElement("script");
      s.src = root + "assets/search-index.js";
      s.onload = function () {
        loading = false;
        index = window.SITEGEN_SEARCH ? expand(window.SITEGEN_SEARCH) : [];
        if (document.activeElement === input || input.value.trim()) render();
      };
      s.onerror = function () { loading = false; index = []; };
      document.head.appendChild(s);
    }
    function find(q) {
      var idx = index || [];
      var hits = [];
      for (var i = 0; i < idx.length; i++) {
        var row = idx[i], name = norm(row[1]), detail = norm(row[2]), score = -1;
        if (name === q || detail === q) score = 0;
        else if (name.indexOf(q) === 0) score = 1;
        else if (name.indexOf(q) > 0) score = 2;
        else if (detail.indexOf(q) >= 0) score = 3;
        if (score >= 0) hits.push([score, kindIndex[row[0]] || 0, row[1], row]);
        if (hits.length > 2000) break;
      }
      hits.sort(function (x, y) { return x[0] - y[0] || x[1] - y[1] || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0); });
      return hits.slice(0, 12).map(function (h) { return h[3]; });
    }
    function render() {
      var q = norm(input.value.trim());
      list.textContent = "";
      active = -1;
      if (!q) { list.hidden = true; return; }
      if (!index) { load(); if (!index) return; }
      var rows = find(q);
      if (!rows.length) {
        var li = document.createElement("li"), span = document.createElement("span");
        span.textContent = input.getAttribute("data-empty") || "—";
        li.appendChild(span); list.appendChild(li);
      }
      rows.forEach(function (row) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = root + row[3];
        var kind = document.createElement("span"); kind.className = "kind"; kind.textContent = kinds[kindIndex[row[0]] || 0] || row[0];
        var name = document.createElement("strong"); name.textContent = row[1];
        var detail = document.createElement("span"); detail.className = "detail"; detail.textContent = row[2];
        a.appendChild(kind); a.appendChild(name); a.appendChild(detail);
        li.appendChild(a); list.appendChild(li);
      });
      list.hidden = false;
    }
    function move(d) {
      var links = list.querySelectorAll("a");
      if (!links.length) return;
      if (active >= 0) links[active].classList.remove("active");
      active = (active + d + links.length) % links.length;
      links[active].classList.add("active");
      links[active].scrollIntoView({ block: "nearest" });
    }
    input.addEventListener("input", render);
    input.addEventListener("focus", function () { load(); if (input.value.trim()) render(); });
    input.addEventListener("pointerdown", load);
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
      else if (e.key === "Enter") {
        var links = list.querySelectorAll("a");
        var target = links[active >= 0 ? active : 0];
        if (target) window.location.href = target.href;
      } else if (e.key === "Escape") { list.hidden = true; input.blur(); }
    });
    document.addEventListener("click", function (e) {
      if (!list.contains(e.target) && e.target !== input) list.hidden = true;
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("main table"), labelCells);
    setupSearch();
    drawPlots();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// A filter form never submits (the pages' policy has form-action 'none'): Enter in a field only filters.
document.addEventListener("submit", function (e) {
  if (e.target && e.target.matches && e.target.matches("form.filters")) e.preventDefault();
});
