// The booking page without JavaScript lists times in the zone of ?timezone= (or UTC). With it, the
// browser's own zone is used: the times are fetched from the same slots endpoint the API offers.
(function () {
  "use strict";

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || null; } catch (e) { return null; }
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function addDays(iso, n) {
    var d = new Date(iso + "T12:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  function label(iso) {
    // "2026-12-01T14:00:00+00:00" -> "2:00 pm", read from the wall-clock part the server wrote in that zone.
    var h = parseInt(iso.slice(11, 13), 10), m = iso.slice(14, 16);
    return ((h % 12) || 12) + ":" + m + (h < 12 ? " am" : " pm");
  }

  function dayTitle(iso) {
    var d = new Date(iso + "T12:00:00Z");
    return {
      weekday: d.toLocaleDateString("en-GB", { weekday: "long", timeZone: "UTC" }),
      date: d.toLocaleDateString("en-GB", { day: "numeric", month: "long", timeZone: "UTC" })
    };
  }

  function render(box, data, zone) {
    var first = box.dataset.first, last = box.dataset.last, byDay = {};
    data.slots.forEach(function (slot) {
      var day = slot.start.slice(0, 10);
      (byDay[day] = byDay[day] || []).push(slot);
    });
    box.textContent = "";
    var found = false;
    for (var day = first; day <= last; day = addDays(day, 1)) {
      var t = dayTitle(day), section = el("section", { "class": "day", "aria-labelledby": "day-" + day });
      var heading = el("h3", { "class": "day-heading", id: "day-" + day }, t.weekday + " ");
      heading.appendChild(el("span", { "class": "muted" }, t.date));
      section.appendChild(heading);
      var times = byDay[day] || [];
      if (times.length) {
        found = true;
        var list = el("ul", { "class": "slot-grid" });
        times.forEach(function (slot) {
          var params = new URLSearchParams({ start: slot.start, timezone: zone });
          if (box.dataset.coach) { params.set("coach", box.dataset.coach); }
          var li = el("li"), a = el("a", {
            "class": "slot", href: box.dataset.details + "?" + params.toString(),
            "aria-label": t.weekday + " " + t.date + ", " + label(slot.start)
          }, label(slot.start));
          li.appendChild(a);
          list.appendChild(li);
        });
        section.appendChild(list);
      } else {
        section.appendChild(el("p", { "class": "muted small no-times" }, "No free times this day."));
      }
      box.appendChild(section);
    }
    if (!found) {
      var empty = el("div", { "class": "empty-state card" });
      empty.appendChild(el("p", {}, "No free times in these days. Try the next week."));
      box.appendChild(empty);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("slots");
    if (!box || box.dataset.zoneExplicit === "true") { return; }
    var zone = browserZone();
    if (!zone || zone === box.dataset.zone) { return; }
    var params = new URLSearchParams({ start: box.dataset.first, end: box.dataset.last, timezone: zone });
    if (box.dataset.coach) { params.set("coach", box.dataset.coach); }
    box.setAttribute("aria-busy", "true");
    fetch("/api/v1/event-types/" + encodeURIComponent(box.dataset.event) + "/slots?" + params.toString(),
          { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        render(box, data, data.timezone);
        box.dataset.zone = data.timezone;
        document.getElementById("zone-name").textContent = data.timezone.replace(/_/g, " ");
        var note = document.querySelector(".js-zone-note");
        if (note) { note.textContent = "detected from your device; change it below if needed"; }
        var input = document.getElementById("timezone-input");
        if (input) { input.value = data.timezone; }
        document.querySelectorAll(".js-keep-zone").forEach(function (a) {
          var url = new URL(a.href);
          url.searchParams.set("timezone", data.timezone);
          a.href = url.toString();
        });
      })
      .catch(function () { /* keep the server-rendered times */ })
      .finally(function () { box.removeAttribute("aria-busy"); });
  });
})();
