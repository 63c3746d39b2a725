// Proposes the browser's time zone to a person whose account still shows dates in the default
// one (templates/council/_timezone_proposal.html). It never saves: "Review my time zone" opens
// the account form with that zone chosen, and the person saves it there, or not. "Not now"
// hides the proposal for this zone in this browser.
(function () {
  "use strict";

  const DISMISSED = "council.timezone-proposal.dismissed";
  const UNIVERSAL = /^(Etc\/)?(UTC|UCT|GMT|Universal|Zulu)$/;

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function remembered() {
    try {
      return window.localStorage.getItem(DISMISSED);
    } catch (error) {
      return null;  // storage refused (private browsing): propose again next time
    }
  }

  function remember(zone) {
    try {
      window.localStorage.setItem(DISMISSED, zone);
    } catch (error) {
      // nothing to keep it in: the proposal comes back on the next page
    }
  }

  function propose() {
    const form = document.getElementById("timezone-proposal");
    if (!form || form.dataset.proposed) {
      return;
    }
    const zone = browserZone();
    if (!zone || UNIVERSAL.test(zone) || zone === form.dataset.storedZone || remembered() === zone) {
      return;
    }
    form.dataset.proposed = zone;
    form.elements.namedItem("proposed_timezone").value = zone;
    form.querySelector("[data-dismiss]").addEventListener("click", function () {
      remember(zone);
      form.hidden = true;
    });
    form.hidden = false;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", propose);
  } else {
    propose();
  }
  // a page region swapped in by htmx may bring the proposal with it
  document.addEventListener("htmx:after:swap", propose);
})();
