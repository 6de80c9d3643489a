/* Dashboard charts, drawn with the plotly.js the site serves itself (no CDN). */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Plotly === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var COLORS = {
    opened: "#1f6feb", clicked: "#0a7d55", bounced: "#b35900", sent: "#6e7781"
  };
  var QUALITY_COLORS = ["#0a7d55", "#1f6feb", "#6f42c1", "#b42318", "#b35900", "#6e7781"];
  var LAYOUT = {
    margin: { t: 40, r: 16, b: 64, l: 64 },
    font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 13, color: "#1f2328" },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
    hovermode: "x unified"
  };
  var CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] };

  /* Plotly reads <b>, <a href>, <br> and other tags in every label, tick, legend entry and hover
     text it draws. Data (campaign names, counties, ZIPs) is text: its &, < and > become entities,
     which Plotly shows as the characters themselves instead of reading them as markup. */
  function plain(value) {
    return String(value === null || value === undefined ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function layout(extra) {
    return Object.assign({}, LAYOUT, extra || {});
  }

  /* A count axis: whole-number ticks even when the counts are small. */
  function countAxis(title, traces, stacked) {
    var highest = 0;
    if (stacked && traces.length) {
      traces[0].y.forEach(function (_, i) {
        var total = traces.reduce(function (sum, t) { return sum + (t.y[i] || 0); }, 0);
        highest = Math.max(highest, total);
      });
    } else {
      traces.forEach(function (t) { highest = Math.max.apply(null, [highest].concat(t.y)); });
    }
    var axis = { title: { text: plain(title) }, tickformat: ",d", rangemode: "tozero" };
    if (highest < 8) {
      axis.dtick = 1;
    }
    return axis;
  }

  function draw(id, traces, extra) {
    var element = document.getElementById(id);
    if (element) {
      Plotly.newPlot(element, traces, layout(extra), CONFIG);
    }
  }

  function bars(rows, labelKey, keys) {
    return keys.map(function (key) {
      return {
        type: "bar",
        name: plain(key.charAt(0).toUpperCase() + key.slice(1)),
        x: rows.map(function (row) { return plain(row[labelKey]); }),
        y: rows.map(function (row) { return row[key]; }),
        marker: { color: COLORS[key] }
      };
    });
  }

  /* Campaign names are long: horizontal bars keep them readable at any width. */
  var campaignRows = data.campaigns.slice().reverse();  /* newest on top, as in the table */
  var campaignBars = ["opened", "clicked", "bounced"].map(function (key) {
    return {
      type: "bar",
      orientation: "h",
      name: plain(key.charAt(0).toUpperCase() + key.slice(1)),
      y: campaignRows.map(function (row) { return plain(row.name); }),
      x: campaignRows.map(function (row) { return row[key]; }),
      marker: { color: COLORS[key] }
    };
  });
  draw("campaign-chart", campaignBars, {
    barmode: "group",
    height: Math.max(340, 42 * campaignRows.length + 110),
    hovermode: "y unified",
    yaxis: { type: "category", automargin: true },
    xaxis: countAxis("Emails", campaignBars.map(function (t) { return { y: t.x }; }))
  });

  var zipBars = bars(data.zips, "zip", ["opened", "clicked"]);
  draw("zip-chart", zipBars, {
    barmode: "group",
    xaxis: { type: "category", title: { text: plain("ZIP code") }, automargin: true },
    yaxis: countAxis("Emails", zipBars)
  });

  var coverageBars = data.qualities.map(function (label, index) {
    return {
      type: "bar",
      name: plain(label),
      x: data.counties.map(function (row) { return plain(row.county); }),
      y: data.counties.map(function (row) { return row.quality[index]; }),
      marker: { color: QUALITY_COLORS[index] }
    };
  });
  draw("coverage-chart", coverageBars, {
    barmode: "stack",
    legend: Object.assign({}, LAYOUT.legend, { traceorder: "normal" }),
    yaxis: countAxis("Participants", coverageBars, true)
  });

  function boxes(field, color) {
    var rows = data.energy.filter(function (row) { return row[field]; });
    return [{
      type: "box",
      name: plain(field),
      x: rows.map(function (row) { return plain(row.county); }),
      q1: rows.map(function (row) { return row[field].q1; }),
      median: rows.map(function (row) { return row[field].median; }),
      q3: rows.map(function (row) { return row[field].q3; }),
      lowerfence: rows.map(function (row) { return row[field].min; }),
      upperfence: rows.map(function (row) { return row[field].max; }),
      mean: rows.map(function (row) { return row[field].mean; }),
      marker: { color: color },
      showlegend: false
    }];
  }

  draw("energy-cost-chart", boxes("kwh_cost", "#1f6feb"), {
    title: { text: plain("Annual kWh cost"), font: { size: 14 } },
    hovermode: "closest",
    yaxis: { tickprefix: "$", tickformat: ",.0f" }
  });
  draw("energy-burden-chart", boxes("burden", "#b35900"), {
    title: { text: plain("Energy burden (% of household income)"), font: { size: 14 } },
    hovermode: "closest",
    yaxis: { ticksuffix: "%", tickformat: ".0f" }
  });
})();
