// The home overview refreshes itself: every few seconds it fetches the page again and swaps
// in the server-rendered sections (the same Razor component), so nothing is rendered twice
// and the page never reloads. A failed fetch keeps what is shown and tries again next time;
// while the keyboard focus is inside the sections they are left alone, so that refreshing never
// throws a keyboard or screen-reader user back to the top of the page.
(function () {
  "use strict";
  var root = document.getElementById("overview");
  if (!root) {
    return;
  }
  var seconds = parseInt(root.getAttribute("data-refresh-seconds"), 10) || 10;

  function refresh() {
    fetch(window.location.pathname + window.location.search, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          throw new Error("overview refresh: " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("overview");
        if (fresh && !root.contains(document.activeElement)) {
          root.innerHTML = fresh.innerHTML;
          root.setAttribute("data-refreshed", new Date().toISOString());
        }
      })
      .catch(function () { /* keep the last good sections */ })
      .finally(function () { window.setTimeout(refresh, seconds * 1000); });
  }

  window.setTimeout(refresh, seconds * 1000);
})();
