// Progressive enhancement of .map elements: the server already drew an SVG outline; with
// Leaflet loaded, replace it with an interactive map of the same GeoJSON. Without a configured
// tile URL no request leaves this server: the layers sit on a plain background.
(function () {
  "use strict";
  if (!window.L || !window.fetch) { return; }
  function styleOf(f) {
    var conf = f.properties && f.properties.confidence;
    if (conf) {  // a satellite hotspot, coloured by its strongest alert
      var colour = { low: "#e8b04a", high: "#d46a1f", highest: "#8e1b12" }[conf] || "#b3261e";
      return { color: colour, weight: 1, fillColor: colour, fillOpacity: 0.35 };
    }
    var hot = f.properties && f.properties.overlap;
    return {
      color: hot ? "#b3261e" : "#154d31", weight: 2, fillOpacity: 0.3,
      fillColor: hot ? "#b3261e" : "#2e8b57", className: hot ? "overlap" : ""
    };
  }
  document.querySelectorAll(".map[data-geojson]").forEach(function (el) {
    fetch(el.dataset.geojson, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        el.replaceChildren();
        var map = L.map(el, {
          attributionControl: !!el.dataset.tiles, scrollWheelZoom: false, maxZoom: 18, zoomControl: false
        });
        // The zoom buttons' names in the page's language (Leaflet's own are English).
        L.control.zoom({
          zoomInTitle: document.body.dataset.zoomIn || "+", zoomOutTitle: document.body.dataset.zoomOut || "-"
        }).addTo(map);
        if (el.dataset.tiles) {
          L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 18 }).addTo(map);
          map.attributionControl.setPrefix(false);
        }
        var layer = L.geoJSON(data, {
          style: styleOf,
          pointToLayer: function (f, latlng) {
            var p = f.properties || {};
            if (p.radius_m) { return L.circle(latlng, { radius: p.radius_m }); }  // a hotspot's extent
            return L.circleMarker(latlng, { radius: 7 });
          },
          onEachFeature: function (f, l) {
            if (f.properties && f.properties.label) { l.bindTooltip(f.properties.label); }
          }
        });
        // circles measure their bounds in map units: place the view first, then fit
        map.setView([0, 0], 2);
        layer.addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [12, 12] });
        el.classList.add("map-ready");
      })
      .catch(function () { /* keep the server-rendered outline */ });
  });

  // Maps of many points (field observations): the server groups them by zoom and viewport, so
  // every point counts at any scale; each move asks again for what the view holds.
  document.querySelectorAll(".map[data-clusters]").forEach(function (el) {
    var map = null, shown = null, asked = 0, waiting = null;
    var word = el.dataset.countWord || "";
    function points(data) {
      return { type: "FeatureCollection", features: data.features.filter(function (f) {
        return f.geometry.type === "Point";
      }) };
    }
    function draw(data) {
      var layer = L.geoJSON(points(data), {
        style: styleOf,
        pointToLayer: function (f, latlng) {
          var n = f.properties.count;
          if (n > 1) {
            var size = Math.min(44, Math.round(26 + 6 * Math.log10(n)));  // under a cell's 64 px
            return L.marker(latlng, {
              title: n + " " + word,
              icon: L.divIcon({
                className: "cluster " + (f.properties.confidence || ""),  // hotspots: the strongest
                html: String(n), iconSize: [size, size]
              })
            }).on("click", function () {
              var b = f.properties.bounds;
              map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [24, 24], maxZoom: map.getZoom() + 3 });
            });
          }
          if (f.properties.radius_m) {  // a hotspot alone: its extent
            return L.circle(latlng, Object.assign(styleOf(f), { radius: f.properties.radius_m }));
          }
          return L.circleMarker(latlng, { radius: 7 });
        },
        onEachFeature: function (f, l) {
          if (f.properties && f.properties.label) { l.bindTooltip(f.properties.label); }
        }
      });
      if (shown) { map.removeLayer(shown); }
      shown = layer.addTo(map);
      return layer;
    }
    function load(query) {
      var mine = ++asked;
      return fetch(el.dataset.clusters + "?" + query, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) { return mine === asked ? data : null; });
    }
    load("z=6").then(function (data) {
      if (!data) { return; }
      el.replaceChildren();
      map = L.map(el, { attributionControl: !!el.dataset.tiles, scrollWheelZoom: false, maxZoom: 18, zoomControl: false });
      L.control.zoom({
        zoomInTitle: document.body.dataset.zoomIn || "+", zoomOutTitle: document.body.dataset.zoomOut || "-"
      }).addTo(map);
      if (el.dataset.tiles) {
        L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 18 }).addTo(map);
        map.attributionControl.setPrefix(false);
      }
      var e = data.extent;
      if (e) {
        map.fitBounds([[e[1], e[0]], [e[3], e[2]]], { padding: [24, 24], maxZoom: 14 });
      } else {
        map.setView([-2, -78], 6);
      }
      draw(data);
      // the patrol tracks come once, with the first answer, and stay
      L.geoJSON({ type: "FeatureCollection", features: data.features.filter(function (f) {
        return f.geometry.type !== "Point";
      }) }, { style: styleOf }).addTo(map);
      function viewport() {
        var b = map.getBounds(), west = b.getWest(), east = b.getEast();
        var query = "z=" + map.getZoom();
        if (east - west >= 360) { return query; }  // the whole world shows: no box
        var wrap = function (x) { return L.Util.wrapNum(x, [-180, 180], true); };
        var clamp = function (y) { return Math.max(-90, Math.min(90, y)); };
        return query + "&bbox=" + [wrap(west), clamp(b.getSouth()), wrap(east), clamp(b.getNorth())].join(",");
      }
      function refresh() {
        load(viewport()).then(function (next) {
          if (next) { draw(next); el.classList.add("map-ready"); }
        }).catch(function () { /* the last answer stays drawn */ });
      }
      map.on("moveend", function () {  // one question when the map settles
        clearTimeout(waiting);
        waiting = setTimeout(refresh, 150);
      });
      refresh();  // the grouping for the zoom the whole extent needed
    }).catch(function () { /* keep the server-rendered outline */ });
  });
})();
