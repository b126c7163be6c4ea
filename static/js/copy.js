/* Tribune: optional "copy" and "print" buttons. The page works without them: they exist only
   when this script runs. A placeholder names what to copy and carries the translated labels:
   <p data-copy-target="element-id" data-copy-label="Copy" data-copied-label="Copied."
      data-print-label="Print this page" hidden></p> */
(function () {
  "use strict";

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function legacyCopy(element) {
    selectText(element);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function makeButton(label, className) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.textContent = label;
    return button;
  }

  function setUp(slot) {
    var target = document.getElementById(slot.getAttribute("data-copy-target"));
    if (!target) {
      return;
    }
    var status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");

    var copyLabel = slot.getAttribute("data-copy-label");
    if (copyLabel) {
      var copyButton = makeButton(copyLabel, "secondary");
      copyButton.addEventListener("click", function () {
        var text = target.textContent.trim();
        var done = function () {
          status.textContent = slot.getAttribute("data-copied-label") || "";
        };
        var fallback = function () {
          if (legacyCopy(target)) {
            done();
          } else {
            selectText(target);
          }
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, fallback);
        } else {
          fallback();
        }
      });
      slot.appendChild(copyButton);
    }

    var printLabel = slot.getAttribute("data-print-label");
    if (printLabel && typeof window.print === "function") {
      var printButton = makeButton(printLabel, "secondary outline");
      printButton.addEventListener("click", function () {
        window.print();
      });
      slot.appendChild(printButton);
    }
    slot.appendChild(status);
    slot.hidden = false;
  }

  function start() {
    var slots = document.querySelectorAll("[data-copy-target]");
    for (var i = 0; i < slots.length; i += 1) {
      setUp(slots[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
