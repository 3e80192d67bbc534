// Live pages (the board, the work queues, a pendiente): when the server says a pendiente changed
// (server-sent events from the region's data-vivo URL, api/tablero/rutas_vivo.py), the page's live
// region re-reads itself with htmx ("cambio" event on <body>).
// - A page about one pendiente (data-vivo-id) listens to that one only.
// - A region is never replaced while the person is filling a form in it: a notice offers
//   "Actualizar" instead, and the refresh happens by itself once they leave the form untouched.
// - At most one re-read every INTERVALO ms: each is a whole list for the server.
// - The stream is closed while the tab is hidden (browsers allow six connections per host over
//   HTTP/1.1, shared by every tab) and the page catches up when it shows again.
// Without JavaScript the pages are simply not live.
(function () {
  var RETRASO = 300; // ms: the changes of one burst arrive together
  var INTERVALO = 2000; // ms between two re-reads of the same page
  var fuente = null;
  var espera = null;
  var ultimo = 0; // when the page last asked to re-read itself
  var oidos = 0; // changes heard so far
  var pedido = 0; // changes heard when the re-read in flight was asked
  var descartado = false; // the re-read in flight arrived while the person was editing
  var enVuelo = false; // a re-read of the region is on its way
  var fallidas = 0; // re-reads that failed in a row (the server restarting): wait longer each time
  var pausaFuente = 3000; // ms before opening again a stream the browser gave up on

  function region() {
    return document.querySelector("[data-vivo]");
  }

  function opcionPorDefecto(lista) {
    // Without a `selected` option the browser shows the first enabled one: that is the untouched state.
    for (var i = 0; i < lista.options.length; i++) {
      if (lista.options[i].defaultSelected) return i;
    }
    for (var j = 0; j < lista.options.length; j++) {
      if (!lista.options[j].disabled) return j;
    }
    return -1;
  }

  function cambiado(campo) {
    if (campo.type === "hidden" || campo.type === "submit" || campo.type === "button") return false;
    // Text the field cannot hold yet ("12a" in a number, half a date) reads as "": still theirs.
    if (campo.validity && campo.validity.badInput) return true;
    if (campo.type === "checkbox" || campo.type === "radio") return campo.checked !== campo.defaultChecked;
    if (campo.type === "file") return campo.files !== null && campo.files.length > 0;
    if (campo.tagName === "SELECT") {
      if (campo.multiple) {
        for (var i = 0; i < campo.options.length; i++) {
          if (campo.options[i].selected !== campo.options[i].defaultSelected) return true;
        }
        return false;
      }
      return campo.selectedIndex !== opcionPorDefecto(campo);
    }
    return campo.value !== campo.defaultValue;
  }

  function editando(zona) {
    var activo = document.activeElement;
    if (activo && zona.contains(activo) && /^(INPUT|TEXTAREA|SELECT)$/.test(activo.tagName)) return true;
    if (zona.querySelector("details[open]")) return true;
    var campos = zona.querySelectorAll("input, textarea, select");
    for (var i = 0; i < campos.length; i++) {
      if (cambiado(campos[i])) return true;
    }
    return false;
  }

  function mostrarAviso(zona) {
    if (document.getElementById("hay-cambios")) return;
    var p = document.createElement("p");
    p.id = "hay-cambios";
    p.className = "aviso hay-cambios";
    p.setAttribute("role", "status");
    var texto = zona.hasAttribute("data-vivo-id") ? "Este pendiente cambió. " : "Hay cambios en esta lista. ";
    p.appendChild(document.createTextNode(texto));
    var boton = document.createElement("button");
    boton.type = "button";
    boton.textContent = "Actualizar";
    boton.addEventListener("click", forzar);
    p.appendChild(boton);
    zona.parentNode.insertBefore(p, zona);
  }

  function quitarAviso() {
    var p = document.getElementById("hay-cambios");
    if (p) p.remove();
  }

  function releer(forzada) {
    ultimo = Date.now();
    var evento = new Event("cambio");
    evento.forzado = forzada; // read back in htmx:beforeSwap through the request's triggering event
    document.body.dispatchEvent(evento);
  }

  function programar() {
    // Several changes in a burst cause one re-read, and never more than one per INTERVALO (longer
    // while re-reads fail).
    if (espera) return;
    var intervalo = Math.min(INTERVALO * Math.pow(2, fallidas), 60000);
    var retraso = Math.max(RETRASO, ultimo + intervalo - Date.now());
    espera = setTimeout(function () {
      espera = null;
      // The one in flight will be followed by another if changes came meanwhile (htmx:afterRequest);
      // a second trigger now would only queue behind it, or replace an "Actualizar" waiting there.
      if (enVuelo) return;
      var zona = region();
      if (!zona) return;
      if (editando(zona)) {
        mostrarAviso(zona);
        return; // reintentar() comes back when they leave the form
      }
      quitarAviso();
      releer(false);
    }, retraso);
  }

  function forzar() {
    // "Actualizar": they chose to replace what the region holds now.
    clearTimeout(espera);
    espera = null;
    quitarAviso();
    releer(true);
  }

  function oir() {
    oidos += 1;
    programar();
  }

  function reintentar() {
    // The person left a form: if a change is still unseen, catch up (programar checks the form again).
    if (document.getElementById("hay-cambios")) setTimeout(programar, 0);
  }

  function escuchar(zona, tarde) {
    var caido = tarde; // opened again after a gap: what changed meanwhile was not heard
    var propia = new EventSource(zona.getAttribute("data-vivo"));
    fuente = propia;
    propia.addEventListener("cambio", function (evento) {
      var solo = zona.getAttribute("data-vivo-id");
      if (solo !== null && String(JSON.parse(evento.data).id) !== solo) return;
      oir();
    });
    // The server may have missed changes (its Postgres listener reconnected): read everything again.
    propia.addEventListener("recargar", oir);
    propia.addEventListener("error", function () {
      caido = true;
      if (propia.readyState !== EventSource.CLOSED || fuente !== propia) return;
      // The browser gave up for good (a 502 from the proxy during a deploy, an answer that is not a
      // stream): it will not reconnect by itself, so open a new one later, waiting longer each time.
      fuente = null;
      setTimeout(function () {
        if (!fuente && document.visibilityState !== "hidden") escuchar(region() || zona, true);
      }, pausaFuente);
      pausaFuente = Math.min(pausaFuente * 2, 60000);
    });
    propia.addEventListener("open", function () {
      // Back after a dropped connection: what changed meanwhile was not heard.
      if (caido) oir();
      caido = false;
      pausaFuente = 3000;
      // For the browser tests (and curious people): the page is listening now.
      document.body.setAttribute("data-vivo-conectado", "si");
    });
    propia.addEventListener("expirada", function () {
      propia.close();
      fuente = null;
      var aqui = window.location.pathname + window.location.search;
      window.location.assign("/tablero/login?motivo=expirada&destino=" + encodeURIComponent(aqui));
    });
  }

  function esDeLaRegion(evento) {
    var objetivo = evento.detail && evento.detail.target;
    return objetivo && objetivo.hasAttribute && objetivo.hasAttribute("data-vivo");
  }

  function conectar() {
    var zona = region();
    if (!zona || !window.EventSource) return;
    // A page opened in a background tab (a middle click on the board) listens once it is shown.
    if (document.visibilityState !== "hidden") escuchar(zona, false);

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        if (fuente) fuente.close();
        fuente = null;
      } else if (!fuente) {
        escuchar(region() || zona, true); // whatever changed while hidden is read once it opens
      }
    });
    document.addEventListener("focusout", reintentar);
    document.addEventListener("toggle", reintentar, true); // <details> closed (toggle does not bubble)

    document.body.addEventListener("htmx:configRequest", function (evento) {
      if (!esDeLaRegion(evento)) return;
      pedido = oidos;
      descartado = false;
      enVuelo = true;
    });
    // A re-read asked for just before the person started typing must not land on their form.
    document.body.addEventListener("htmx:beforeSwap", function (evento) {
      if (!esDeLaRegion(evento)) return;
      var disparo = evento.detail.requestConfig && evento.detail.requestConfig.triggeringEvent;
      if ((disparo && disparo.forzado) || !editando(evento.detail.target)) return;
      evento.detail.shouldSwap = false;
      descartado = true;
      mostrarAviso(evento.detail.target);
    });
    document.body.addEventListener("htmx:afterSwap", function (evento) {
      if (esDeLaRegion(evento)) quitarAviso();
    });
    // Changes heard while a re-read was in flight are still unseen, and so is the change of a re-read
    // that failed; one dropped for a form waits for reintentar().
    document.body.addEventListener("htmx:afterRequest", function (evento) {
      if (!esDeLaRegion(evento)) return;
      enVuelo = false;
      fallidas = evento.detail.successful ? 0 : fallidas + 1;
      if (!descartado && (fallidas > 0 || oidos > pedido)) programar();
    });
  }

  document.addEventListener("DOMContentLoaded", conectar);
})();
