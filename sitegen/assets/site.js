/* sitegen: draws the figures, sorts and filters tables, and searches the site. No network requests:
   figure data is embedded in each page, the search index is a script (assets/search-index.js). */
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

  function drawPlots() {
    var plots = document.querySelectorAll(".plot[data-fig]");
    if (!plots.length) return;
    if (!window.Plotly) {
      for (var j = 0; j < plots.length; j++) plots[j].textContent = "plotly.min.js ?";
      return;
    }
    for (var i = 0; i < plots.length; i++) {
      var el = plots[i];
      var src = document.getElementById(el.getAttribute("data-fig"));
      if (!src) continue;
      var fig = JSON.parse(src.textContent);
      window.Plotly.newPlot(el, fig.data, merge(BASE, fig.layout || {}), CONFIG);
      if (el.on) el.on("plotly_afterplot", scaleForPaper(el));
      scaleForPaper(el)();
    }
    // Paper is narrower than most screens, and the browser lays the printed page out only after
    // "beforeprint": redraw every plot at the width of a printed chart (one per row on A4 or Letter,
    // synchronously, so the redrawn figures are printed), and at its screen width again afterwards. A plot
    // still wider than that (a redraw that failed) is scaled down by the print stylesheet (--paper-zoom).
    var paper = false;
    function toPaper(on) {
      if (on === paper) return;
      paper = on;
      for (var k = 0; k < plots.length; k++) {
        try {
          window.Plotly.relayout(plots[k], on ? { width: PRINT_WIDTH, autosize: false } : { width: null, autosize: true });
        } catch (e) { /* keep the drawn figure */ }
      }
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

  /* ---- account list filters */
  function setupFilters() {
    var form = document.getElementById("account-filters");
    var table = document.getElementById("account-table");
    if (!form || !table) return;
    var selects = form.querySelectorAll("select[data-filter]");
    var text = form.querySelector("input[data-filter-text]");
    var shown = form.querySelector(".shown");
    var rows = table.tBodies[0].rows;
    function apply() {
      var q = text ? text.value.trim().toLowerCase() : "";
      var n = 0;
      for (var i = 0; i < rows.length; i++) {
        var r = rows[i], ok = true;
        for (var j = 0; j < selects.length && ok; j++) {
          var key = selects[j].getAttribute("data-filter"), want = selects[j].value;
          if (!want) continue;
          var have = r.getAttribute("data-" + key) || "";
          ok = key === "status" ? (" " + have + " ").indexOf(" " + want + " ") >= 0 : have === want;
        }
        if (ok && q) ok = (r.cells[0].textContent + " " + r.cells[1].textContent).toLowerCase().indexOf(q) >= 0;
        r.hidden = !ok;
        if (ok) n++;
      }
      if (shown) shown.textContent = shown.getAttribute("data-shown-template").replace("{shown}", n).replace("{total}", rows.length);
    }
    Array.prototype.forEach.call(selects, function (s) { s.addEventListener("change", apply); });
    if (text) text.addEventListener("input", apply);
    var params = new URLSearchParams(window.location.hash.slice(1));
    Array.prototype.forEach.call(selects, function (s) {
      var v = params.get(s.getAttribute("data-filter"));
      if (v !== null) s.value = v;
    });
    apply();
  }

  /* ---- search: accounts, key persons, reps, teams, by name or id */
  function setupSearch() {
    var input = document.getElementById("search");
    var list = document.getElementById("search-results");
    if (!input || !list) return;
    var root = document.body.getAttribute("data-root") || "";
    var kinds = (input.getAttribute("data-kinds") || "").split("|");
    var kindIndex = { a: 0, p: 1, r: 2, t: 3 };
    var active = -1;

    function norm(s) { return String(s || "").toLowerCase(); }
    function find(q) {
      var idx = window.SITEGEN_SEARCH || [];
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
    input.addEventListener("focus", function () { if (input.value.trim()) render(); });
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
    setupFilters();
    setupSearch();
    drawPlots();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
