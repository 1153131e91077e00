// Printing a page prints its photos: a photo not yet scrolled to (loading="lazy") would
// otherwise print as a blank box. Without JavaScript the browser decides, as it always has.
(function () {
  "use strict";
  window.addEventListener("beforeprint", function () {
    var lazy = document.querySelectorAll('img[loading="lazy"]');
    for (var i = 0; i < lazy.length; i++) {
      lazy[i].loading = "eager";
    }
  });
})();
