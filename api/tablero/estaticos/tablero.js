// Live board, work queues and pendiente page: when the server says a pendiente changed (server-sent events from the
// element's data-vivo URL, api/tablero/rutas_vivo.py), the page's live region re-reads itself with htmx
// ("cambio" event on <body>). A queue's region holds forms (a note, the PPPoE account): while the
// person is filling one, the region is not replaced under their hands; a notice offers "Actualizar"
// instead, and the refresh happens by itself once they leave the form untouched. Without JavaScript
// the page is simply not live.
(function () {
  var RETRASO = 300; // ms: the changes of one burst arrive together
  var INTERVALO = 2000; // ms between two refreshes of the same page
  var espera = null;
  var ultimo = 0; // when the page last re-read itself
  var atrasado = false; // a change was heard while the person was editing
  var forzado = false; // they pressed "Actualizar": this refresh replaces the region whatever it holds

  function region() {
    return document.querySelector("[data-vivo]");
  }

  function cambiado(campo) {
    if (campo.type === "hidden" || campo.type === "submit" || campo.type === "button") return false;
    if (campo.type === "checkbox" || campo.type === "radio") return campo.checked !== campo.defaultChecked;
    if (campo.type === "file") return campo.files !== null && campo.files.length > 0;
    if (campo.tagName === "SELECT") {
      // Without a `selected` option the browser shows the first one: that is the untouched state.
      var porDefecto = 0;
      for (var i = 0; i < campo.options.length; i++) {
        if (campo.options[i].defaultSelected) {
          porDefecto = i;
          break;
        }
      }
      return campo.selectedIndex !== porDefecto;
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

  function aviso() {
    var existente = document.getElementById("hay-cambios");
    if (existente) return existente;
    var p = document.createElement("p");
    p.id = "hay-cambios";
    p.className = "aviso hay-cambios";
    p.setAttribute("role", "status");
    p.appendChild(document.createTextNode("Hay cambios en esta lista. "));
    var boton = document.createElement("button");
    boton.type = "button";
    boton.textContent = "Actualizar";
    boton.addEventListener("click", function () {
      clearTimeout(espera);
      espera = null;
      atrasado = false;
      forzado = true;
      quitarAviso();
      document.body.dispatchEvent(new Event("cambio"));
    });
    p.appendChild(boton);
    var zona = region();
    zona.parentNode.insertBefore(p, zona);
    return p;
  }

  function quitarAviso() {
    var p = document.getElementById("hay-cambios");
    if (p) p.remove();
  }

  function refrescar() {
    // Several changes in a burst cause one refresh, and a page re-reads itself at most every
    // INTERVALO ms: a board open all day during an outage must not render itself several times a
    // second (each open page costs the server a whole list).
    if (espera) return;
    var retraso = Math.max(RETRASO, ultimo + INTERVALO - Date.now());
    espera = setTimeout(function () {
      espera = null;
      if (forzado) return; // the refresh they asked for is on its way
      var zona = region();
      if (zona && editando(zona)) {
        atrasado = true;
        aviso();
        return;
      }
      atrasado = false;
      quitarAviso();
      ultimo = Date.now();
      document.body.dispatchEvent(new Event("cambio"));
    }, retraso);
  }

  function reintentar() {
    // The person left a form: if nothing of theirs is left in it, catch up now.
    if (atrasado) setTimeout(refrescar, 0);
  }

  function conectar() {
    var zona = region();
    if (!zona || !window.EventSource) return;
    var fuente = new EventSource(zona.getAttribute("data-vivo"));
    var caido = false;
    fuente.addEventListener("cambio", function (evento) {
      // A page about one pendiente (data-vivo-id) cares only for that one's changes.
      var solo = zona.getAttribute("data-vivo-id");
      if (solo !== null && String(JSON.parse(evento.data).id) !== solo) return;
      refrescar();
    });
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
    document.addEventListener("focusout", reintentar);
    document.addEventListener("toggle", reintentar, true); // <details> closed (toggle does not bubble)
    // A refresh asked for just before the person started typing must not land on their form.
    document.body.addEventListener("htmx:beforeSwap", function (evento) {
      var objetivo = evento.detail.target;
      if (!objetivo || !objetivo.hasAttribute("data-vivo")) return;
      if (forzado) {
        forzado = false;
        return;
      }
      if (editando(objetivo)) {
        evento.detail.shouldSwap = false;
        atrasado = true;
        aviso();
      }
    });
  }

  // A refresh that failed swaps nothing: the next change may refresh again.
  function sinForzar() {
    forzado = false;
  }
  document.addEventListener("htmx:responseError", sinForzar);
  document.addEventListener("htmx:sendError", sinForzar);

  document.addEventListener("DOMContentLoaded", conectar);
})();
