// The interactive map on /<lang>/map: Leaflet markers, one per region, over plain
// country outlines (vendored world-atlas) or over tiles when MAP_TILE_URL is set.
// Without JavaScript the page keeps its SVG map and table; the table is always there as
// the accessible equivalent. Every text comes translated from the server (#map-data).
(function () {
  "use strict";

  var container = document.getElementById("interactive-map");
  var dataNode = document.getElementById("map-data");
  if (!container || !dataNode || !window.L) {
    return;
  }
  var data = JSON.parse(dataNode.textContent);
  var MIN_SIZE = 24; // px: a target that is easy to hit (WCAG 2.5.8)
  var EUROPE = [56, 15];

  container.hidden = false;
  var figure = container.closest("figure");
  if (figure) {
    figure.classList.add("map-figure-interactive");
  }

  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var map = L.map(container, {
    fadeAnimation: !still,
    zoomAnimation: !still,
    markerZoomAnimation: !still,
    zoomControl: false,
    attributionControl: false,
    scrollWheelZoom: false, // the page keeps scrolling; the buttons and keys still zoom
    keyboard: true,
    minZoom: 2,
    maxZoom: data.tiles ? 18 : 9, // outlines have no detail beyond this
  });
  L.control
    .zoom({ zoomInTitle: data.labels.zoom_in, zoomOutTitle: data.labels.zoom_out })
    .addTo(map);
  L.control.attribution({ prefix: '<a href="https://leafletjs.com">Leaflet</a>' }).addTo(map);

  var points = data.places.map(function (place) {
    return [place.lat, place.lon];
  });
  if (points.length) {
    map.fitBounds(points, { padding: [48, 48], maxZoom: 6 });
  } else {
    map.setView(EUROPE, 4);
  }

  if (data.tiles) {
    L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 18 }).addTo(map);
  } else if (data.outlines && window.topojson) {
    addOutlines(data.outlines);
  }

  var openMarker = null;
  data.places.forEach(addMarker);

  map.on("popupopen", function (event) {
    var element = event.popup.getElement();
    var close = element.querySelector(".leaflet-popup-close-button");
    if (close) {
      close.setAttribute("aria-label", data.labels.close);
    }
    var link = element.querySelector(".leaflet-popup-content a");
    if (link) {
      link.focus();
    }
  });
  map.on("popupclose", function (event) {
    // Focus inside the closing popup (or lost with it) goes back to its marker.
    var marker = openMarker;
    var active = document.activeElement;
    openMarker = null;
    if (
      marker &&
      (!active || active === document.body || event.popup.getElement().contains(active))
    ) {
      marker.getElement().focus();
    }
  });
  document.addEventListener("keydown", function (event) {
    // Leaflet closes a popup on Escape only while the map itself has the focus.
    if (event.key === "Escape" && openMarker && event.target.closest(".leaflet-popup")) {
      event.preventDefault();
      map.closePopup();
    }
  });

  function addOutlines(url) {
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.statusText);
        }
        return response.json();
      })
      .then(function (topology) {
        var countries = window.topojson.feature(topology, topology.objects.countries);
        countries.features.forEach(unwrapAntimeridian);
        L.geoJSON(countries, {
          interactive: false,
          attribution: "Natural Earth",
          style: function (feature) {
            var core = data.core_countries.indexOf(String(feature.id)) !== -1;
            // Colours from app.css (.country, .country-core), as on the SVG map.
            return {
              className: core ? "country country-core" : "country",
              opacity: 1,
              fillOpacity: 1,
            };
          },
        })
          .addTo(map)
          .bringToBack();
      })
      .catch(function () {
        // The markers still work on a plain background.
      });
  }

  // world-atlas is made for spherical rendering (d3-geo): a ring crossing the 180th
  // meridian (Russia, Fiji) jumps from +180 to -180, which a flat map draws as a band
  // across the world. Moving its western part past +180 keeps it in one piece.
  function unwrapAntimeridian(feature) {
    var geometry = feature.geometry;
    if (!geometry) {
      return;
    }
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    polygons.forEach(function (rings) {
      rings.forEach(function (ring) {
        var crosses = ring.some(function (point, i) {
          return i > 0 && Math.abs(point[0] - ring[i - 1][0]) > 180;
        });
        if (crosses) {
          ring.forEach(function (point) {
            if (point[0] < 0) {
              point[0] += 360;
            }
          });
        }
      });
    });
  }

  function addMarker(place) {
    var size = Math.max(MIN_SIZE, Math.round(place.radius * 1.5));
    var number = document.createElement("span");
    number.textContent = place.count_label;
    var marker = L.marker([place.lat, place.lon], {
      icon: L.divIcon({ className: "map-marker", html: number, iconSize: [size, size] }),
      keyboard: true,
      title: place.text,
      alt: place.text,
      riseOnHover: true,
      // Smaller circles above bigger ones, so that each stays reachable with the mouse.
      zIndexOffset: -Math.round(place.radius * 100),
    });
    marker.bindPopup(popupContent(place));
    marker.on("popupopen", function () {
      openMarker = marker;
    });
    marker.addTo(map);
    var element = marker.getElement();
    // Named by its sentence, not by the bare number it shows.
    element.setAttribute("aria-label", place.text);
    element.addEventListener("keydown", function (event) {
      // Leaflet opens the popup on Enter; a button opens on Space too.
      if (event.key === " ") {
        event.preventDefault();
        marker.openPopup();
      }
    });
  }

  function popupContent(place) {
    var paragraph = document.createElement("p");
    var link = document.createElement("a");
    link.href = place.href;
    link.textContent = place.text;
    paragraph.appendChild(link);
    return paragraph;
  }
})();
