// The reader's text size (大/中/小), as the paper's own digital edition offers it.
// Loaded synchronously in <head>: the stored size is on <html> before the first paint,
// so a page never jumps from one size to another. The buttons appear only with JavaScript.
(function () {
  "use strict";
  var KEY = "ed-text-size";
  var SIZES = ["large", "medium", "small"];
  var root = document.documentElement;

  function stored() {
    try {
      var size = window.localStorage.getItem(KEY);
      return SIZES.indexOf(size) >= 0 ? size : "medium";
    } catch (error) {
      return "medium"; // storage blocked: the default size, and nothing remembered
    }
  }

  function apply(size) {
    if (size === "medium") {
      root.removeAttribute("data-text-size");
    } else {
      root.setAttribute("data-text-size", size);
    }
  }

  function remember(size) {
    try {
      window.localStorage.setItem(KEY, size);
    } catch (error) {
      // storage blocked: the size holds for this page only
    }
  }

  function wire(control) {
    var buttons = control.querySelectorAll("button[data-text-size]");
    function show(size) {
      buttons.forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.getAttribute("data-text-size") === size));
      });
    }
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var size = button.getAttribute("data-text-size");
        apply(size);
        remember(size);
        show(size);
      });
    });
    show(stored());
    control.hidden = false;
  }

  apply(stored());
  // The control takes its place from the first paint (edition.css): shown only once the page
  // had loaded, it pushed the masthead's search and the page down on a phone (a layout shift).
  root.setAttribute("data-text-size-control", "");
  document.addEventListener("DOMContentLoaded", function () {
    var control = document.querySelector(".ed-text-size");
    if (control) {
      wire(control);
    }
  });
})();
