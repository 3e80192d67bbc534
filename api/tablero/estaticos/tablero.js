// Live board: when the server says a pendiente changed (server-sent events from the element's
// data-vivo URL), the page's live region re-reads itself with htmx ("cambio" event on <body>).
(function () {
  function conectar() {
    var region = document.querySelector("[data-vivo]");
    if (!region || !window.EventSource) return;
    var fuente = new EventSource(region.getAttribute("data-vivo"));
    var pendiente = null;
    fuente.addEventListener("cambio", function () {
      // Several changes in a burst cause one refresh.
      if (pendiente) return;
      pendiente = setTimeout(function () {
        pendiente = null;
        document.body.dispatchEvent(new Event("cambio"));
      }, 300);
    });
  }
  document.addEventListener("DOMContentLoaded", conectar);
})();
