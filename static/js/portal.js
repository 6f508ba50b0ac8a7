// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = null; }
  if (zone) {
    // The server reads this cookie to show times in the visitor's zone on pages without a ?timezone=.
    document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!zone) { return; }
    document.querySelectorAll(".js-detect-zone select").forEach(function (select) {
      if (select.value === "UTC" && select.querySelector('option[value="' + zone + '"]')) {
        select.value = zone;
      }
    });
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  });
})();
