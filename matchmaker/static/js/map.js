// The interactive map on /<lang>/map: Leaflet markers, one per region, over plain
// country outlines (vendored world-atlas) or over tiles when MAP_TILE_URL is set. Markers
// that would overlap are grouped (vendored leaflet.markercluster): a group shows the sum,
// is named by the places in it, and zooms in when selected (with the mouse or the keyboard).
// Without JavaScript the page keeps its SVG map and table; the table is always there as
// the accessible equivalent. Every text comes translated from the server (#map-data).
(function () {
  "use strict";

  var container = document.getElementById("interactive-map");
  var dataNode = document.getElementById("map-data");
  if (!container || !dataNode || !window.L || !L.markerClusterGroup) {
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

  var lang = document.documentElement.lang || "en";
  var numbers = new Intl.NumberFormat(lang);
  var placeList = window.Intl && Intl.ListFormat ? new Intl.ListFormat(lang) : null;
  var clusters = L.markerClusterGroup({
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: true,
    zoomToBoundsOnClick: true,
    maxClusterRadius: 32, // px: about where two circles would overlap
    animate: !still,
    iconCreateFunction: clusterIcon,
  });
  var openMarker = null;
  data.places.forEach(addMarker);
  clusters.addTo(map);

  // A group selected with the keyboard is gone once the map has zoomed in: the focus goes
  // to what now shows its first place (a marker, or a smaller group).
  clusters.on("clusterclick clusterkeypress", function (event) {
    if (event.type === "clusterkeypress" && event.originalEvent.key !== "Enter") {
      return;
    }
    var first = event.layer.getAllChildMarkers()[0];
    var focusFirst = function () {
      clusters.off("animationend spiderfied", focusFirst);
      // Only when the focus went with the group (Leaflet leaves it on the map itself).
      var active = document.activeElement;
      if (active && active !== document.body && active !== container) {
        return;
      }
      var shown = clusters.getVisibleParent(first);
      var element = shown && shown.getElement();
      if (element) {
        element.focus();
      }
    };
    clusters.on("animationend spiderfied", focusFirst);
  });
  container.addEventListener("keydown", function (event) {
    // A group is a button: Space works as Enter does (markercluster listens for Enter).
    if (event.key === " " && event.target.classList.contains("map-cluster")) {
      event.preventDefault();
      event.target.dispatchEvent(
        new KeyboardEvent("keypress", { key: "Enter", keyCode: 13, bubbles: true })
      );
    }
  });

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
    var element = marker && marker.getElement(); // none while it is in a group
    if (
      element &&
      (!active || active === document.body || event.popup.getElement().contains(active))
    ) {
      element.focus();
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

  function markerSize(radius) {
    return Math.max(MIN_SIZE, Math.round(radius * 1.5));
  }

  function clusterIcon(cluster) {
    var places = cluster.getAllChildMarkers().map(function (marker) {
      return marker.options.place;
    });
    var total = 0;
    var largest = 0;
    places.forEach(function (place) {
      total += place.count;
      largest = Math.max(largest, place.radius);
    });
    var texts = places.map(function (place) {
      return place.text;
    });
    var size = markerSize(largest) + 12; // bigger than any circle it holds
    var icon = document.createElement("span");
    var number = document.createElement("span");
    number.setAttribute("aria-hidden", "true");
    number.textContent = numbers.format(total);
    var name = document.createElement("span");
    name.className = "visually-hidden";
    name.textContent = data.labels.cluster.replace(
      "%(places)s",
      placeList ? placeList.format(texts) : texts.join("; ")
    );
    icon.appendChild(number);
    icon.appendChild(name);
    return L.divIcon({
      className: "map-marker map-cluster",
      html: icon,
      iconSize: [size, size],
    });
  }

  function addMarker(place) {
    var size = markerSize(place.radius);
    var number = document.createElement("span");
    number.textContent = place.count_label;
    var marker = L.marker([place.lat, place.lon], {
      place: place,
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
    // Its element is made anew each time it comes out of a group.
    marker.on("add", function () {
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
    });
    clusters.addLayer(marker);
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
