// A page whose kernel has stopped (shut down, or died) says so, instead of sitting silent:
// the server closes the page's kernel websockets then (deck_server.websocket), and the
// page's reconnection attempts fail. Wraps WebSocket before Voila's code makes any.
(function () {
  const Native = window.WebSocket;
  const GRACE_MS = 4000;  // a connection dropped by the network usually comes back by then
  let open = 0;
  let pending = null;
  function sayLost() {
    if (open > 0 || document.getElementById("deck-connection-lost")) return;
    const note = document.createElement("div");
    note.id = "deck-connection-lost";
    note.setAttribute("role", "alert");
    note.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:10000;padding:0.8em 1em;" +
      "background:#D55E00;color:#fff;font:600 1.05rem system-ui,sans-serif;text-align:center";
    note.innerHTML = "This demo's connection was lost: its kernel has stopped. " +
      '<a href="" style="color:#fff;text-decoration:underline">Reload the page</a> to start it again.';
    document.body.appendChild(note);
  }
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      if (!/\/api\/kernels\/[^/]+\/channels/.test(String(url))) return;
      let counted = false;
      this.addEventListener("open", () => { open += 1; counted = true; clearTimeout(pending); });
      this.addEventListener("close", () => {
        if (counted) open -= 1;
        clearTimeout(pending);
        pending = setTimeout(sayLost, GRACE_MS);
      });
    }
  };
})();
