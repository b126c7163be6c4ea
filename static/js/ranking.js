// The ranking ballot, nicer with JavaScript: a candidate already ranked cannot be picked at another
// rank, and a live summary reads the ranking back and points at a gap. Without JavaScript the form
// works the same and the server explains any error.
(function () {
  "use strict";

  function enhance(container) {
    var selects = Array.prototype.slice.call(container.querySelectorAll("select"));
    var summary = document.getElementById(container.getAttribute("data-summary"));
    if (!selects.length || !summary) {
      return;
    }

    function refresh() {
      var chosen = selects.map(function (select) { return select.value; });
      selects.forEach(function (select, index) {
        Array.prototype.forEach.call(select.options, function (option) {
          option.disabled = option.value !== "" && chosen.indexOf(option.value) !== -1 &&
            chosen.indexOf(option.value) !== index;
        });
      });
      var lastFilled = -1;
      chosen.forEach(function (value, index) { if (value) { lastFilled = index; } });
      var gap = -1;
      for (var i = 0; i <= lastFilled; i += 1) {
        if (!chosen[i]) { gap = i; break; }
      }
      var names = [];
      selects.forEach(function (select, index) {
        if (select.value) {
          names.push((index + 1) + ". " + select.options[select.selectedIndex].text);
        }
      });
      summary.textContent = "";
      if (gap >= 0) {
        summary.textContent = container.getAttribute("data-gap");
        summary.className = "ranking-summary ranking-gap";
      } else if (names.length) {
        summary.textContent = container.getAttribute("data-label") + " " + names.join(", ");
        summary.className = "ranking-summary";
      }
      summary.hidden = summary.textContent === "";
    }

    selects.forEach(function (select) { select.addEventListener("change", refresh); });
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".ranks[data-summary]"), enhance);
  });
}());
