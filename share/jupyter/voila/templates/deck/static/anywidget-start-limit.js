// anywidget's start limit, lengthened: a figure whose code starts slowly still follows its
// controls, instead of freezing for the whole lesson.
//
// Upstream: docs/upstream/anywidget-init-timeout.md (for manzt/anywidget). Written for
// anywidget 0.11.0, whose Runtime (one per widget model) arms AbortSignal.timeout(2000)
// when the model is made; if the widget's code has not loaded and run its `initialize` by
// then, the model's `ready` is rejected ("[anywidget] Failed to initialize model.") and the
// model drops every message from the kernel from then on, because it waits for `ready`
// before handling one. Its view still draws, so the page looks right: the slider turns, the
// readout beside it updates, the plot never changes. The 2 s run in wall time, so one long
// task in the tab (another figure drawn, plotly.js compiled) on a busy machine outlasts
// them: the presenter's page lost figures this way under the test suite's load.
// Only anywidget's own call (its code is in the stack) gets PATIENCE_MS instead.
// tests/test_anywidget_start_limit.py reads the installed anywidget's code and fails when
// it no longer arms this limit. Delete this file (and its <script>s: both deck templates,
// share/jupyter/nbextensions/deck_rise/main.js) once anywidget starts its limit only after
// the widget's code has loaded.
(function () {
  const ANYWIDGET_START_LIMIT_MS = 2000;
  // Long enough for any machine that can show the lecture at all; a widget whose code
  // never starts still ends with anywidget's message.
  const PATIENCE_MS = 120000;
  const timeout = AbortSignal.timeout;
  if (typeof timeout !== "function") return; // a browser anywidget 0.11 does not run in
  AbortSignal.timeout = function (ms) {
    const fromAnywidget = ms === ANYWIDGET_START_LIMIT_MS && /anywidget/.test(new Error().stack);
    return timeout.call(AbortSignal, fromAnywidget ? PATIENCE_MS : ms);
  };
})();
