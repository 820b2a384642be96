// `make rise`: the lecture opens as a RISE slideshow with its demos live. Once the kernel is
// ready this enters RISE on the title slide and runs every cell (in order, as a person would
// with Cell > Run All); the demos fill in while the instructor talks over the first
// slides. Only for a notebook with RISE metadata (the lecture), never twice, and never in
// the speaker view's frames (RISE's notes.html shows the deck again in iframes: running the
// cells there would run every demo once more on the same kernel).
// Enabled by etc/jupyter/nbconfig/notebook.d/deck_rise.json; read only by the classic
// notebook (nbclassic), which RISE 5 needs.
define(["base/js/namespace", "base/js/events"], function (Jupyter, events) {
  "use strict";

  let launched = false;

  function launch() {
    const notebook = Jupyter.notebook;
    if (launched || !notebook.metadata.rise) return;
    launched = true;
    // The server's copy of the lecture is not to collect outputs: no autosave.
    notebook.set_autosave_interval(0);
    notebook.select(0); // RISE opens on the slide of the selected cell: the title
    notebook.keyboard_manager.actions.call("RISE:slideshow");
    // Run the cells once RISE has laid the slides out: outputs that arrived while it did
    // (the lecture's first code cell used to hold them back) left every widget view empty
    // ("Could not add child view to box"; seen in Chromium with RISE 5.7.1, ipywidgets 8.1).
    // RISE loads reveal.js and lays the slides out after the action returns: reveal.js
    // 3.9 marks its wrapper `ready` when it has (running the cells at once failed the same
    // way, in about one load of three under the test suite).
    whenSlidesLaidOut(() => {
      fitToTheProjector(notebook);
      startLimitLengthened.then(() => notebook.execute_all_cells());
    });
  }

  // The slides made for a projector, as on the presenter's page: rise.css (beside the
  // notebook, deck_server.rise) sets the sizes; here the code wraps at the slide's edge
  // rather than running off it, and the pictures and demo panels are fitted to their slide
  // by the presenter's own script (fit-slides.js, served by Voila's server extension).
  function fitToTheProjector(notebook) {
    notebook.get_cells().forEach((cell) => {
      if (!cell.code_mirror) return;
      cell.code_mirror.setOption("lineWrapping", true);
      cell.code_mirror.refresh(); // it measured its characters at the notebook's font size
    });
    loadScript("voila/templates/deck-reveal/static/fit-slides.js").then((loaded) => {
      if (!loaded) return;
      const fit = window.deckFitSlides({
        // RISE scrolls a slide taller than 95 % of the window instead of showing it whole.
        slideHeight: () => Math.floor(document.querySelector(".reveal").offsetHeight * 0.95),
        panels: ".output_subarea > .jupyter-widgets",
        pictures: ".rendered_html img",
      });
      document.addEventListener("slidechanged", fit.relayout);
    });
  }

  // A script of the deck's, served by Voila's server extension: whether it loaded.
  function loadScript(path) {
    return new Promise((resolve) => {
      const script = document.createElement("script");
      script.src = Jupyter.notebook.base_url + path;
      script.onload = () => resolve(true);
      script.onerror = () => {
        console.error(`deck_rise: ${path} did not load`);
        resolve(false);
      };
      document.head.appendChild(script);
    });
  }

  // anywidget's start limit, lengthened before the cells make any figure (the file says why;
  // the deck's Voila templates load it too, and Voila's server extension serves it here).
  let startLimitLengthened = Promise.resolve();
  function lengthenAnywidgetStartLimit() {
    startLimitLengthened = loadScript("voila/templates/deck/static/anywidget-start-limit.js");
  }

  function whenSlidesLaidOut(then) {
    const check = () => (document.querySelector(".reveal.ready") ? then() : setTimeout(check, 50));
    check();
  }

  // A 3-D view (nglview) made while its slide was hidden is 0 pixels wide, and the classic
  // notebook never tells it to measure itself again (JupyterLab and Voila do, with a
  // resize message): ask every 3-D view to when a slide comes into view. This reads the
  // widget manager's private table of models (ipywidgets 8.1): if that changes shape, the
  // console says so and the 3-D views of later slides stay blank.
  function refit3DViews() {
    const manager = Jupyter.notebook.kernel && Jupyter.notebook.kernel.widget_manager;
    if (!manager) return;
    if (!manager._models) {
      console.error("deck_rise: ipywidgets' widget manager has no _models: 3-D views not refitted");
      return;
    }
    Object.values(manager._models).forEach((modelPromise) =>
      modelPromise.then((model) => {
        if (model.get("_view_name") !== "NGLView") return;
        Object.values(model.views).forEach((viewPromise) =>
          viewPromise.then((view) => view.stage && view.stage.handleResize()),
        );
      }),
    );
  }
  document.addEventListener("slidechanged", refit3DViews);

  function load_ipython_extension_keys() {
    // Arrow keys on a focused slider turn the slider; they must not also change the slide
    // (reveal.js listens on the document, above the notebook).
    document.getElementById("notebook").addEventListener("keydown", (event) => {
      if (event.target.closest && event.target.closest(".jupyter-widgets")) {
        event.stopPropagation();
      }
    });
  }

  function load_ipython_extension() {
    if (window.parent !== window) return; // the speaker view's frames
    load_ipython_extension_keys();
    lengthenAnywidgetStartLimit();
    // RISE loads reveal.js when it starts; on a busy machine that can take longer than
    // the 30 s the classic notebook gives require.js, after which it gives up and the
    // slideshow never opens: wait for it.
    requirejs.config({ waitSeconds: 0 });
    const kernel = Jupyter.notebook && Jupyter.notebook.kernel;
    if (kernel && kernel.info_reply && kernel.info_reply.status === "ok") {
      launch();
    } else {
      events.one("kernel_ready.Kernel", launch);
    }
  }

  return { load_ipython_extension: load_ipython_extension };
});
