// A widget output that lost the race to its model is drawn again, instead of staying
// "Error displaying widget: model not found" for the whole lesson.
//
// Upstream: jupyter-widgets/ipywidgets#4026 (open; PR #4040 would fix it). Written for
// ipywidgets 8.1.x (jupyterlab_widgets 3.0.x) under Voila 0.5.x. The renderer asks the
// manager for its model while the manager is still fetching every model from the kernel;
// `get_model` checks every 100 ms for 2 s, and checks the clock after each sleep before
// looking again. On a busy machine one long task in the tab (plotly.js compiling, a figure
// drawn) outlasts the 2 s: the models are then registered and the manager reports itself
// restored, but the loop ends without its last look and the renderer gives up for good
// (seen in 3 of 10 loads of a demo page at load average 8: docs/upstream/ipywidgets-get-model.md).
// Delete this file (and its <script> in both deck templates) once the ipywidgets in
// pyproject.toml has a get_model that waits for registration.
(function () {
  const FAILED = "Error displaying widget: model not found";
  const WIDGET_VIEW = "application/vnd.jupyter.widget-view+json";
  const modelOf = new Map(); // output container -> the model id its output displays

  function remember() {
    // Voila replaces these scripts with the rendered outputs once it starts (window
    // "load"); each one's parent is the container its output is attached to.
    for (const script of document.querySelectorAll(
      'script[type="application/vnd.voila.cell-output+json"]'
    )) {
      try {
        const view = JSON.parse(script.textContent).data[WIDGET_VIEW];
        if (view && view.model_id) modelOf.set(script.parentElement, view.model_id);
      } catch (error) {
        // not a widget's output
      }
    }
  }

  async function voilaManager() {
    // Voila sets window.jupyterapp just after its start; the renderer gives up 2 s later
    for (let tries = 0; tries < 50 && !window.jupyterapp; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return window.jupyterapp && window.jupyterapp.widgetManager;
  }

  async function drawAgain(node, modelId) {
    const manager = await voilaManager();
    if (!manager || typeof manager.get_model !== "function") {
      console.error("widget-retry.js: Voila's widget manager has another shape; delete this file?");
      return;
    }
    const model = await manager.get_model(modelId); // registered by the time the renderer gave up
    const view = await manager.create_view(model);
    const widget = view.luminoWidget || view.pWidget;
    const attach = widget && widget.constructor && widget.constructor.attach; // lumino's Widget.attach
    if (typeof attach !== "function") {
      console.error("widget-retry.js: a widget view has another shape; delete this file?");
      return;
    }
    node.textContent = "";
    node.classList.remove("jupyter-widgets");
    attach(widget, node);
    console.warn(`widget-retry.js: drew widget ${modelId} again (ipywidgets#4026)`);
  }

  function check(node) {
    if (node.dataset.deckRetried || node.textContent !== FAILED) return;
    const container = [...modelOf.keys()].find((c) => c.contains(node));
    if (!container) return;
    node.dataset.deckRetried = "yes"; // once: a model that is really gone stays reported
    drawAgain(node, modelOf.get(container)).catch((error) =>
      console.error(`widget-retry.js: widget ${modelOf.get(container)} still not drawn`, error)
    );
  }

  document.addEventListener("DOMContentLoaded", () => {
    remember();
    new MutationObserver((changes) => {
      for (const { target } of changes) {
        // the renderer sets its node's textContent: a change of that node's children
        if (target.classList && target.classList.contains("jupyter-widgets")) check(target);
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
