/**
 * The site's one classic script (`assets/site.js`), as text. A classic script (not a module) so it runs from
 * `file://`; it reads the page's inline JSON (`#site-data`) and the tables already in the markup, and never fetches.
 * On the index: metric switcher, sorting by any column (buttons in the headers, `aria-sort`), filters, the baseline
 * view and the CSV link of the rows shown. On the compare page: the types chosen and the reference.
 */
export const siteScript = String.raw`(function () {
  "use strict";
  var dataElement = document.getElementById("site-data");
  var data = dataElement ? JSON.parse(dataElement.textContent || "{}") : {};

  function fmt(v) {
    if (!isFinite(v)) return String(v);
    var a = Math.abs(v);
    if (a >= 1000) return v.toFixed(0);
    if (a >= 100) return v.toFixed(1);
    if (a >= 10) return v.toFixed(2);
    if (a >= 1) return v.toFixed(3);
    if (a === 0) return "0";
    return String(Number(v.toPrecision(3)));
  }
  function relativeText(f) {
    var interval = f.low === undefined || f.high === undefined ? "no interval"
      : "[" + fmt(f.low) + ", " + fmt(f.high) + "] (" + (f.coverage * 100).toFixed(1) + " %)";
    return fmt(f.ratio) + "\u00d7 " + interval + " " + f.verdict;
  }
  function rowsOf(section) { return Array.prototype.slice.call(section.querySelectorAll("tbody tr")); }
  function value(id) { var e = document.getElementById(id); return e ? e.value : ""; }

  function relativeFigure(section, baseline, row) {
    var entry = data[section.id];
    if (entry && entry.relative && entry.relative[baseline]) return entry.relative[baseline][row.getAttribute("data-type")];
    var base = section.querySelector('tbody tr[data-type="' + CSS.escape(baseline) + '"]');
    if (!base) return undefined;
    return { ratio: Number(row.getAttribute("data-median")) / Number(base.getAttribute("data-median")),
      verdict: "(ratio of medians only)", method: "ratio of medians" };
  }

  // ---- index: ranking tables
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.metric"));
  function applyIndex() {
    var metric = value("metric");
    var arch = value("filter-arch"), family = value("filter-family"), evidence = value("filter-evidence");
    var vmin = value("filter-vcpu-min"), vmax = value("filter-vcpu-max"), nmin = value("filter-min-instances");
    var vendor = value("filter-vendor"), mmin = value("filter-memory-min"), mmax = value("filter-memory-max");
    var shown = 0, csv = [];
    sections.forEach(function (section) {
      var visible = section.getAttribute("data-metric") === metric;
      section.hidden = !visible;
      var baseline = section.querySelector("select.baseline").value;
      rowsOf(section).forEach(function (row) {
        var vcpus = Number(row.getAttribute("data-vcpus"));
        var memory = Number(row.getAttribute("data-memory"));
        var ok = (!arch || row.getAttribute("data-arch") === arch) &&
          (!family || row.getAttribute("data-family") === family) &&
          (!evidence || row.getAttribute("data-evidence").split(" ").indexOf(evidence) >= 0) &&
          (!vmin || vcpus >= Number(vmin)) && (!vmax || vcpus <= Number(vmax)) &&
          (!vendor || row.getAttribute("data-vendor") === vendor) &&
          (!mmin || memory >= Number(mmin)) && (!mmax || memory <= Number(mmax)) &&
          (!nmin || Number(row.getAttribute("data-n")) >= Number(nmin));
        row.hidden = !ok;
        var cell = row.querySelector("td.relative");
        var figure = baseline ? relativeFigure(section, baseline, row) : undefined;
        cell.textContent = figure ? relativeText(figure) : "\u2014";
        cell.setAttribute("data-value", figure ? String(figure.ratio) : "");
        if (figure && figure.method) cell.title = figure.method;
        if (visible && ok) {
          shown++;
          csv.push(Array.prototype.map.call(row.cells, function (c) { return c.textContent.trim(); }));
        }
      });
      if (visible) {
        var head = Array.prototype.map.call(section.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
        csv.unshift(head);
      }
    });
    var text = csv.map(function (cells) {
      return cells.map(function (c) { return /[",\n]/.test(c) ? '"' + c.replace(/"/g, '""') + '"' : c; }).join(",");
    }).join("\n") + "\n";
    var link = document.getElementById("csv");
    if (link) link.href = "data:text/csv;charset=utf-8," + encodeURIComponent(text);
    var count = document.getElementById("shown");
    if (count) count.textContent = shown + " type(s) shown";
  }
  function sortBy(table, th) {
    var headers = Array.prototype.slice.call(table.querySelectorAll("thead th"));
    var index = headers.indexOf(th);
    var next = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    headers.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", next);
    var numeric = th.getAttribute("data-kind") === "number";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    function key(row) {
      var cell = row.cells[index];
      var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
      return numeric ? (raw === "" ? NaN : Number(raw)) : raw;
    }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      if (numeric) {
        if (isNaN(x) && isNaN(y)) return 0;
        if (isNaN(x)) return 1;
        if (isNaN(y)) return -1;
        return next === "ascending" ? x - y : y - x;
      }
      return next === "ascending" ? (x < y ? -1 : x > y ? 1 : 0) : (x < y ? 1 : x > y ? -1 : 0);
    });
    rows.forEach(function (row) { body.appendChild(row); });
    applyIndex();
  }
  if (sections.length > 0) {
    Array.prototype.forEach.call(document.querySelectorAll("table.ranking thead th button"), function (button) {
      button.addEventListener("click", function () { sortBy(button.closest("table"), button.closest("th")); });
    });
    Array.prototype.forEach.call(document.querySelectorAll("#controls select, #controls input, select.baseline"), function (control) {
      control.addEventListener("input", applyIndex);
      control.addEventListener("change", applyIndex);
    });
    applyIndex();
  }

  // ---- compare page
  Array.prototype.forEach.call(document.querySelectorAll("section.compare"), function (section) {
    function applyCompare() {
      var chosen = Array.prototype.filter.call(section.querySelectorAll("input.compare-type"), function (c) { return c.checked; })
        .map(function (c) { return c.value; });
      var reference = section.querySelector("select.reference").value;
      var entry = data[section.id];
      rowsOf(section).forEach(function (row) {
        var type = row.getAttribute("data-type");
        row.hidden = chosen.indexOf(type) < 0 && type !== reference;
        var figure = entry && entry.relative && entry.relative[reference] ? entry.relative[reference][type] : undefined;
        if (!figure) {
          var base = section.querySelector('tbody tr[data-type="' + CSS.escape(reference) + '"]');
          figure = undefined;
          if (base) {
            var m = Number(row.cells[1].textContent), b = Number(base.cells[1].textContent);
            figure = { ratio: m / b, verdict: "(ratio of medians only)" };
          }
        }
        row.querySelector("td.relative").textContent = type === reference ? "reference" : figure ? relativeText(figure) : "\u2014";
      });
    }
    Array.prototype.forEach.call(section.querySelectorAll("input, select"), function (control) {
      control.addEventListener("change", applyCompare);
    });
    applyCompare();
  });
})();
`;
