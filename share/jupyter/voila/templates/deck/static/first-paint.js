// A panel's first paint (issue 18): the page arrives holding, for each demo panel, a copy
// of what its widgets will show (featurize.panels._first_paint). Its figures come as
// pictures, or are drawn here with plotly.js as soon as the cells are read (the template
// calls start() after them, before Voila's own code), seconds before the widgets can be; the
// live panel is then drawn unseen beneath it (the template's CSS) and shown, in one step,
// once its figures and 3-D views are drawn. Until then a click or a key on the copy is
// answered with a line saying the demo is starting (its controls are drawn disabled).
(() => {
  "use strict";
  // A live panel not drawn this long after it came is shown as it is (a browser without
  // WebGL never draws a 3-D view's canvas).
  const GIVE_WAY_AFTER_MS = 30000;
  const FAILED = /Error displaying widget|Javascript Error/;

  function liveOutput(copy) {
    return [...copy.parentElement.children].find(
      (node) => node !== copy && node.classList.contains("jp-OutputArea-output")
    );
  }

  function liveIsDrawn(copy, live) {
    if (FAILED.test(live.textContent)) return true; // show what went wrong, not the copy
    const figures = copy.querySelectorAll(".deck-fp-figure").length;
    const views = copy.querySelectorAll(".deck-fp-view").length;
    return (
      live.querySelector(".jupyter-widgets") !== null &&
      live.querySelectorAll(".js-plotly-plot .main-svg").length >= figures &&
      live.querySelectorAll("canvas").length >= views
    );
  }

  function giveWayWhenLive(copy) {
    let timer = null;
    const giveWay = () => {
      observer.disconnect();
      clearTimeout(timer);
      // the next frame: the live panel's last drawing is laid out before it is shown
      requestAnimationFrame(() => copy.remove());
    };
    const check = () => {
      const live = liveOutput(copy);
      if (!live) return; // Voila's code has not drawn it yet (or cannot: connection-lost.js)
      timer = timer ?? setTimeout(giveWay, GIVE_WAY_AFTER_MS);
      if (liveIsDrawn(copy, live)) giveWay();
    };
    const observer = new MutationObserver(check);
    observer.observe(copy.parentElement, { childList: true, subtree: true });
  }

  function sayItIsStarting(copy) {
    const answer = (event) => {
      event.preventDefault();
      if (copy.querySelector(".deck-first-paint-waiting")) return;
      const note = document.createElement("div");
      note.className = "deck-first-paint-waiting";
      note.setAttribute("role", "status");
      note.textContent = "The demo is starting: its controls work in a moment.";
      copy.prepend(note);
    };
    copy.addEventListener("pointerdown", answer);
    copy.addEventListener("keydown", answer);
  }

  async function drawFigures(copies) {
    // plotly.js, from the same file the live figures import (the template's head imports it)
    await window.deckPlotlyLoaded;
    if (!window.Plotly) {
      console.error("first-paint.js: the plotly bundle set no window.Plotly: first paints without figures");
      return;
    }
    for (const copy of copies) {
      if (!copy.isConnected) continue; // the live panel came first
      const script = copy.querySelector("script.deck-first-paint-figures");
      const figures = JSON.parse(script.textContent);
      for (const place of copy.querySelectorAll(".deck-fp-figure:not(.deck-fp-picture)")) {
        const { data, layout, config } = figures[Number(place.dataset.deckFigure)];
        await window.Plotly.newPlot(place, data, layout, config);
      }
    }
  }

  function start() {
    const copies = [...document.querySelectorAll(".deck-first-paint")];
    for (const copy of copies) {
      giveWayWhenLive(copy);
      sayItIsStarting(copy);
    }
    // a figure whose picture came with the page (featurize.panels._figure_pictures) is
    // shown already; plotly.js draws the others
    if (copies.some((copy) => copy.querySelector(".deck-fp-figure:not(.deck-fp-picture)"))) {
      drawFigures(copies).catch((error) => console.error("first-paint.js: figures not drawn", error));
    }
  }

  window.deckFirstPaint = { start };
})();
