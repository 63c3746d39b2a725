// Live regions (data-live) fetch themselves again when the page's event stream says they
// changed (council.live). A region in which its reader is writing is left alone until the
// next change: a refresh would throw away what they typed or chose.
(function () {
  "use strict";

  function editing(region) {
    for (const field of region.querySelectorAll("input, textarea, select")) {
      if (field.type === "hidden" || field.type === "submit" || field.type === "button") {
        continue;
      }
      if (field === document.activeElement) {
        return true;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) {
          return true;
        }
      } else if (field.tagName === "SELECT") {
        if (Array.from(field.options).some((option) => option.selected !== option.defaultSelected)) {
          return true;
        }
      } else if (field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }

  document.addEventListener("htmx:before:request", function (event) {
    const region = event.target;
    if (region instanceof Element && region.hasAttribute("data-live") && editing(region)) {
      event.preventDefault();
    }
  });
})();
