// Live board: when the server says a pendiente changed (server-sent events from the element's
// data-vivo URL, api/tablero/rutas_vivo.py), the page's live region re-reads itself with htmx
// ("cambio" event on <body>). Without JavaScript the page is simply not live.
(function () {
  var espera = null;

  function refrescar() {
    // Several changes in a burst cause one refresh.
    if (espera) return;
    espera = setTimeout(function () {
      espera = null;
      document.body.dispatchEvent(new Event("cambio"));
    }, 300);
  }

  function conectar() {
    var region = document.querySelector("[data-vivo]");
    if (!region || !window.EventSource) return;
    var fuente = new EventSource(region.getAttribute("data-vivo"));
    var caido = false;
    fuente.addEventListener("cambio", refrescar);
    // The server may have missed changes (its Postgres listener reconnected): read everything again.
    fuente.addEventListener("recargar", refrescar);
    fuente.addEventListener("error", function () {
      caido = true;
    });
    fuente.addEventListener("open", function () {
      // Back after a dropped connection: what changed meanwhile was not heard.
      if (caido) refrescar();
      caido = false;
      // For the browser tests (and curious people): the page is listening now.
      document.body.setAttribute("data-vivo-conectado", "si");
    });
    fuente.addEventListener("expirada", function () {
      fuente.close();
      var aqui = window.location.pathname + window.location.search;
      window.location.assign(
        "/tablero/login?motivo=expirada&destino=" + encodeURIComponent(aqui)
      );
    });
  }

  document.addEventListener("DOMContentLoaded", conectar);
})();
