// On a 版 page: pointing at or focusing a report's zone on the page's picture lights its title
// in the list beside it, and the reverse. Without JavaScript, a zone still lights itself (CSS).
(function () {
  "use strict";
  var spread = document.querySelector(".ed-spread");
  if (!spread) {
    return;
  }

  function light(event, on) {
    var marked = event.target.closest ? event.target.closest("[data-zone]") : null;
    if (!marked || !spread.contains(marked)) {
      return;
    }
    var slug = marked.getAttribute("data-zone");
    var both = spread.querySelectorAll('[data-zone="' + slug + '"]');
    for (var i = 0; i < both.length; i++) {
      both[i].classList.toggle("is-lit", on);
    }
  }

  spread.addEventListener("mouseover", function (event) { light(event, true); });
  spread.addEventListener("mouseout", function (event) { light(event, false); });
  spread.addEventListener("focusin", function (event) { light(event, true); });
  spread.addEventListener("focusout", function (event) { light(event, false); });
})();
