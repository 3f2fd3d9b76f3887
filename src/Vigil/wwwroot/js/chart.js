// Hover values for the console's server-drawn charts (Web/Charts/LineChart.razor): a cursor at the
// time nearest the pointer and a box with each series' value there. The chart's data-chart
// attribute carries the plot geometry and the values; a chart without this script is complete.
(function () {
  "use strict";
  var parsed = new WeakMap();

  function dataOf(svg) {
    if (!parsed.has(svg)) {
      var data = JSON.parse(svg.getAttribute("data-chart"));
      var times = {};
      data.series.forEach(function (s) {
        s.byTime = {};
        s.points.forEach(function (p) {
          s.byTime[p[0]] = p[1];
          times[p[0]] = true;
        });
      });
      data.times = Object.keys(times).map(Number).sort(function (a, b) { return a - b; });
      parsed.set(svg, data);
    }
    return parsed.get(svg);
  }

  function format(v) {
    var abs = Math.abs(v);
    if (abs !== 0 && (abs >= 1e15 || abs < 1e-4)) {
      return v.toExponential(4);
    }
    return String(Number(v.toPrecision(6)));
  }

  function nearest(times, t) {
    var lo = 0, hi = times.length - 1;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (times[mid] < t) { lo = mid + 1; } else { hi = mid; }
    }
    return lo > 0 && t - times[lo - 1] < times[lo] - t ? times[lo - 1] : times[lo];
  }

  function hide(svg) {
    var figure = svg.closest("figure");
    var cursor = svg.querySelector("line.cursor");
    var tip = figure && figure.querySelector(".chart-tip");
    if (cursor) { cursor.remove(); }
    if (tip) { tip.hidden = true; }
  }

  function show(svg, event) {
    var data = dataOf(svg);
    if (data.times.length === 0) {
      return;
    }
    var box = svg.getBoundingClientRect();
    var x = (event.clientX - box.left) / box.width * data.width;
    var plot = data.width - data.left - data.right;
    var t = nearest(data.times, data.start + (x - data.left) / plot * (data.end - data.start));
    var cx = data.left + (t - data.start) / Math.max(1, data.end - data.start) * plot;

    var cursor = svg.querySelector("line.cursor");
    if (!cursor) {
      cursor = document.createElementNS("http://www.w3.org/2000/svg", "line");
      cursor.setAttribute("class", "cursor");
      cursor.setAttribute("y1", "0");
      cursor.setAttribute("y2", String(svg.viewBox.baseVal.height));
      svg.appendChild(cursor);
    }
    cursor.setAttribute("x1", String(cx));
    cursor.setAttribute("x2", String(cx));

    var figure = svg.closest("figure");
    var tip = figure.querySelector(".chart-tip");
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "chart-tip";
      tip.setAttribute("role", "status");
      figure.appendChild(tip);
    }
    tip.textContent = "";
    var time = document.createElement("div");
    time.className = "chart-tip-time";
    time.textContent = new Date(t).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
    tip.appendChild(time);
    var list = document.createElement("ul");
    data.series.forEach(function (s) {
      if (!(t in s.byTime)) {
        return;
      }
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = s.color;
      var name = document.createElement("span");
      name.className = "chart-tip-name";
      name.textContent = s.name;
      var value = document.createElement("span");
      value.className = "chart-tip-value";
      value.textContent = format(s.byTime[t]);
      item.append(swatch, name, value);
      list.appendChild(item);
    });
    tip.appendChild(list);
    tip.hidden = false;
    // Beside the cursor, on whichever side has room.
    var px = (cx / data.width) * box.width + (box.left - figure.getBoundingClientRect().left);
    var room = figure.clientWidth - px;
    tip.style.left = (room > tip.offsetWidth + 16 ? px + 12 : Math.max(0, px - tip.offsetWidth - 12)) + "px";
  }

  document.addEventListener("pointermove", function (event) {
    var svg = event.target.closest && event.target.closest("svg[data-chart]");
    if (svg) {
      show(svg, event);
    }
  });
  document.addEventListener("pointerout", function (event) {
    var svg = event.target.closest && event.target.closest("svg[data-chart]");
    if (svg && !(event.relatedTarget && svg.contains(event.relatedTarget))) {
      hide(svg);
    }
  });
})();
