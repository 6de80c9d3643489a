/* The ZIP map: plotly.js scattergeo over outlines the site serves itself. No base layer is
   switched on and no trace names locations, so plotly.js never asks for its TopoJSON; the
   topojsonURL points at this site anyway, so nothing could ever go to a CDN. */
(function () {
  "use strict";
  var source = document.getElementById("map-data");
  var element = document.getElementById("zip-map");
  if (!source || !element || typeof Plotly === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var measure = document.getElementById("map-measure");
  var area = document.getElementById("map-area");
  var MEASURES = { open_rate: "Open rate", click_rate: "Click rate", residence_rate: "Matched to a parcel" };
  var LARGEST_CIRCLE = 38; /* px across, for the ZIP with the most participants */
  var CONFIG = {
    responsive: true,
    displaylogo: false,
    topojsonURL: element.dataset.topojsonUrl,
    modeBarButtonsToRemove: ["select2d", "lasso2d"]
  };
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function escape(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  }

  function percent(value) {
    return (100 * value).toFixed(1) + "%";
  }

  function outline(lines, color, width) {
    return {
      type: "scattergeo", mode: "lines", lon: lines.lon, lat: lines.lat,
      line: { color: color, width: width }, hoverinfo: "skip", showlegend: false
    };
  }

  /* Zoomed to one county, each circle is labelled with its ZIP; the whole country has no room. */
  function zipTrace(key, labelled) {
    var points = data.points;
    var most = Math.max.apply(null, points.map(function (p) { return p.participants; }).concat([1]));
    return {
      type: "scattergeo",
      mode: labelled ? "markers+text" : "markers",
      lon: points.map(function (p) { return p.lon; }),
      lat: points.map(function (p) { return p.lat; }),
      text: points.map(function (p) { return p.zip; }),
      textposition: "top center",
      textfont: { size: 11, color: "#1f2328" },
      hovertext: points.map(function (p) {
        return "<b>" + escape(p.zip) + "</b> " + escape(p.city) + ", " + escape(p.state) +
          "<br>" + escape(p.county) +
          "<br>" + p.participants.toLocaleString() + " participants, " + p.sent.toLocaleString() + " emails" +
          "<br>Open rate " + percent(p.open_rate) + " · click rate " + percent(p.click_rate) +
          "<br>Matched to a parcel " + percent(p.residence_rate);
      }),
      hovertemplate: "%{hovertext}<extra></extra>",
      showlegend: false,
      marker: {
        size: points.map(function (p) { return p.participants; }),
        sizemode: "area",
        sizeref: 2 * most / (LARGEST_CIRCLE * LARGEST_CIRCLE),
        sizemin: 4,
        color: points.map(function (p) { return 100 * p[key]; }),
        colorscale: "Viridis",
        reversescale: true,
        colorbar: { title: { text: MEASURES[key] }, ticksuffix: "%", thickness: 14 },
        line: { color: "#1f2328", width: 0.6 },
        opacity: 0.85
      }
    };
  }

  function layout(areaId) {
    var chosen = data.areas.filter(function (a) { return a.id === areaId; })[0] || data.areas[0];
    /* As tall as the area needs at this width (Mercator stretches latitude by 1/cos), so a
       wide view leaves no empty band above and below the map. */
    var lon = chosen.range.lon, lat = chosen.range.lat;
    var stretch = 1 / Math.cos(((lat[0] + lat[1]) / 2) * Math.PI / 180);
    var wanted = (element.clientWidth - 140) * (lat[1] - lat[0]) * stretch / (lon[1] - lon[0]);
    return {
      height: Math.round(Math.max(320, Math.min(620, wanted + 16))),
      margin: { t: 8, r: 8, b: 8, l: 8 },
      paper_bgcolor: "rgba(0,0,0,0)",
      font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 13, color: "#1f2328" },
      geo: {
        projection: { type: "mercator" },
        lonaxis: { range: chosen.range.lon },
        lataxis: { range: chosen.range.lat },
        showland: false, showocean: false, showlakes: false, showrivers: false,
        showcountries: false, showcoastlines: false, showsubunits: false, showframe: false,
        bgcolor: "#f8fafc"
      }
    };
  }

  function draw() {
    var traces = [
      outline(data.county_lines, "#c3cad2", 0.6),
      outline(data.state_lines, "#57606a", 1.2),
      zipTrace(measure.value, area.value !== "all")
    ];
    Plotly.react(element, traces, layout(area.value), CONFIG);
  }

  measure.addEventListener("change", draw);
  area.addEventListener("change", draw);
  draw();
})();
