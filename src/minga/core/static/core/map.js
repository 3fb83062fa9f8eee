// Progressive enhancement of .map elements: the server already drew an SVG outline; with
// Leaflet loaded, replace it with an interactive map of the same GeoJSON. Without a configured
// tile URL no request leaves this server: the layers sit on a plain background.
(function () {
  "use strict";
  if (!window.L || !window.fetch) { return; }
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
          style: function (f) {
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
          },
          pointToLayer: function (f, latlng) {
            var p = f.properties || {};
            if (p.radius_m) { return L.circle(latlng, { radius: p.radius_m }); }  // a hotspot's extent
            return L.circleMarker(latlng, { radius: 7 });
          },
          onEachFeature: function (f, l) {
            if (f.properties && f.properties.label) { l.bindTooltip(f.properties.label); }
          }
        });
        // Many points (field observations) are clustered when the page loads the cluster plugin.
        if (el.dataset.cluster !== undefined && L.markerClusterGroup) {
          map.fitBounds(layer.getBounds(), { padding: [12, 12] });
          var cluster = L.markerClusterGroup({ showCoverageOnHover: false });
          layer.eachLayer(function (l) { (l.getLatLng ? cluster : map).addLayer(l); });
          cluster.addTo(map);
        } else {
          // circles measure their bounds in map units: place the view first, then fit
          map.setView([0, 0], 2);
          layer.addTo(map);
          map.fitBounds(layer.getBounds(), { padding: [12, 12] });
        }
        el.classList.add("map-ready");
      })
      .catch(function () { /* keep the server-rendered outline */ });
  });
})();
