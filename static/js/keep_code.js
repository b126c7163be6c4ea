/* Tribune: on a page that shows a one-time code, ask before the language switch reloads the page
   (the code would be gone). The page states the warning in text; this only repeats it at the moment
   it matters. The element carrying data-confirm-leave holds the translated question. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var holder = document.querySelector("[data-confirm-leave]");
    if (!holder) {
      return;
    }
    var question = holder.getAttribute("data-confirm-leave");
    document.querySelectorAll("form.language-form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(question)) {
          event.preventDefault();
        }
      });
    });
  });
})();
