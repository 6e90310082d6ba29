// The index page: says which mode this server runs and highlights its card.
(() => {
  "use strict";
  fetch("/config.json")
    .then((r) => r.json())
    .then((config) => {
      document.getElementById("running").textContent = "This server runs the " + config.mode + " mode.";
      for (const card of document.querySelectorAll(".card[data-mode]")) {
        card.classList.toggle("running", card.dataset.mode === config.mode);
      }
    })
    .catch(() => { document.getElementById("running").textContent = "The server does not answer."; });
})();
