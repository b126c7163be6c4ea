/* Tribune: live preview of a contract draft while staff type. The page works without it: the
   server renders the preview beside the form and refreshes it on save. With this script, the
   form's fields are sent (with the form's CSRF token) to the form's data-preview-url a moment
   after typing stops, and the answer (plain text) replaces the preview. */
(function () {
  "use strict";

  var DELAY_MS = 600;

  function start() {
    var form = document.getElementById("contract-form");
    var preview = document.getElementById("contract-preview");
    var status = document.getElementById("contract-preview-status");
    if (!form || !preview || !window.fetch || !window.FormData) {
      return;
    }
    var url = form.getAttribute("data-preview-url");
    var timer = null;
    var sequence = 0;

    function refresh() {
      sequence += 1;
      var mine = sequence;
      fetch(url, {method: "POST", body: new FormData(form), credentials: "same-origin"})
        .then(function (response) {
          return response.text().then(function (text) {
            return {ok: response.ok, text: text};
          });
        })
        .then(function (answer) {
          if (mine !== sequence) {
            return; // a newer request is on its way
          }
          if (answer.ok) {
            preview.textContent = answer.text;
            if (status) {
              status.textContent = "";
            }
          } else if (status) {
            status.textContent = answer.text;
          }
        })
        .catch(function () {
          /* The saved preview stays; saving the form still refreshes it. */
        });
    }

    function schedule() {
      if (timer) {
        window.clearTimeout(timer);
      }
      timer = window.setTimeout(refresh, DELAY_MS);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
