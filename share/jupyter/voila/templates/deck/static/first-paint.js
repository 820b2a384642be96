// A panel's first paint (issue 18): the page arrives holding, for each demo panel, a copy
// of what its widgets will show (featurize.panels._first_paint). Its figures come as
// pictures, or are drawn here with plotly.js as soon as the cells are read (the template
// calls start() after them, before Voila's own code), seconds before the widgets can be; the
// live panel is then drawn unseen beneath it (the template's CSS) and shown, in one step,
// once its figures and 3-D views are drawn. Until then a click or a key on the copy is
// answered with a line saying the demo is starting (its controls are drawn disabled), except
// on a control the kernel painted frames for (a preheated kernel: a slider's nearest stops
// either side, a choice's options; featurize.panels._first_paint.control_frames): that one
// turns, the copy showing the frame of each stop, and the stop chosen is handed to the live
// control when it comes. A button pressed meanwhile is queued, and pressed on the live panel
// once any stop chosen has been handed over; unless the kernel painted what its press shows
// (the network's training): the copy then plays those frames, and the live button is told,
// so that the live panel shows their end without running the press again.
(() => {
  "use strict";
  // A live panel not drawn this long after it came is shown as it is (a browser without
  // WebGL never draws a 3-D view's canvas).
  const GIVE_WAY_AFTER_MS = 30000;
  // A live panel handed a stop is shown when its kernel has answered, or after this long.
  const HAND_OVER_MS = 5000;
  // The frames of a painted press, one after another this far apart (the live network is
  // redrawn every 20 epochs, about ten times a second; the painted run is seven frames).
  const PRESS_FRAME_MS = 250;
  // What the live button is sent when its press was shown (featurize.panels._first_paint).
  const PRESS_SHOWN = "deck-press-shown";
  const FAILED = /Error displaying widget|Javascript Error/;
  // What a frame replaces one by one; the boxes around them must be the same.
  const UNITS = ".deck-fp-control, .deck-fp-view, .deck-fp-figure, .deck-fp-unknown";

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
    let leaving = false;
    const giveWay = () => {
      if (leaving) return;
      leaving = true;
      observer.disconnect();
      clearTimeout(timer);
      // the stop a visitor turned a control to and the button pressed, first; then the next
      // frame: the live panel's last drawing is laid out before it is shown
      handOver(copy)
        .catch((error) => console.warn("first-paint.js: a turn or press not handed over", error))
        .then(() => requestAnimationFrame(() => copy.remove()));
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
    copy.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      noteItIsStarting(copy);
    });
    copy.addEventListener("keydown", (event) => {
      if (event.key === "Tab") return; // moving on to the next control
      event.preventDefault();
      noteItIsStarting(copy);
    });
  }

  function noteItIsStarting(copy) {
    if (copy.querySelector(".deck-first-paint-waiting")) return;
    note(copy, "The demo is starting: its controls work in a moment.");
  }

  function note(copy, text) {
    let line = copy.querySelector(".deck-first-paint-waiting");
    if (!line) {
      line = document.createElement("div");
      line.className = "deck-first-paint-waiting";
      line.setAttribute("role", "status");
      copy.prepend(line);
    }
    line.textContent = text;
  }

  // --- buttons: a press queued for the live panel ------------------------------------------

  const BUTTON = ".deck-fp-button[data-deck-model]";

  function armButtons(copy) {
    markButtons(copy);
    const press = (event) => {
      const button = event.target.closest && event.target.closest(BUTTON);
      if (!button || copy.deckHandedOver) return;
      event.preventDefault();
      event.stopPropagation();
      const turns = copy.deckTurns;
      const painted = turns?.presses[button.dataset.deckModel];
      if (painted && turns.moved === null) { // painted with every control where it is
        play(copy, turns, button.dataset.deckModel, painted);
        return;
      }
      copy.deckQueued = button.dataset.deckModel;
      markButtons(copy);
      note(copy, `“${button.textContent}” is queued: it runs as soon as the demo is connected.`);
    };
    copy.addEventListener("pointerdown", press, true);
    copy.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") press(event);
    }, true);
  }

  function markButtons(copy) {
    for (const button of copy.querySelectorAll(BUTTON)) {
      const queued = button.dataset.deckModel === copy.deckQueued;
      button.disabled = Boolean(copy.deckHandedOver);
      button.classList.toggle("deck-fp-queued", queued);
      button.setAttribute("aria-pressed", String(queued));
    }
  }

  // --- controls with frames: sliders and choices ----------------------------------------

  function armControls(copy) {
    const script = copy.querySelector("script.deck-first-paint-controls");
    const pressScript = copy.querySelector("script.deck-first-paint-presses");
    if (!script && !pressScript) return;
    const panel = copy.querySelector(".deck-fp-panel");
    const turns = {
      controls: script ? JSON.parse(script.textContent) : [],
      presses: Object.fromEntries((pressScript ? JSON.parse(pressScript.textContent) : [])
        .map((press) => [press.model_id, press.frames])),
      figures: JSON.parse(copy.querySelector("script.deck-first-paint-figures").textContent),
      firstHtml: panel.outerHTML, // before any figure is drawn into it
      firstPictures: [...panel.querySelectorAll(".deck-fp-figure")].map(
        (place) => (place.classList.contains("deck-fp-picture") ? place.innerHTML : null)),
      moved: null, // the control away from its first stop (one at a time)
      stop: null, // its stop
      pressed: null, // the button whose painted press is played (no turning after it)
      frame: null, // the frame shown (null: the first paint), known by frameKey
      frameKey: "first",
      shown: [], // figure i shows: the frameKey of the frame drawn
      drawing: Promise.resolve(),
      handedOver: false,
    };
    copy.deckTurns = turns;
    markTurnable(copy, turns);
    // before sayItIsStarting's listeners (capture): a turn answered is not a click refused
    copy.addEventListener("keydown", (event) => onKey(copy, turns, event), true);
    copy.addEventListener("pointerdown", (event) => onPointer(copy, turns, event), true);
    copy.addEventListener("change", (event) => onChange(copy, turns, event), true);
  }

  const CONTROL = "[data-deck-control]";

  function controlOf(event) {
    return (event.target.closest && event.target.closest(CONTROL)) || null;
  }

  function turnableIndex(turns, control) {
    if (!control || turns.handedOver || turns.pressed !== null) return null;
    const index = Number(control.dataset.deckControl);
    if (!turns.controls[index]) return null;
    // one at a time: another's frames were painted with this one at its first stop
    return turns.moved === null || turns.moved === index ? index : null;
  }

  function markTurnable(copy, turns) {
    for (const control of copy.querySelectorAll(CONTROL)) {
      const index = turnableIndex(turns, control);
      control.classList.toggle("deck-fp-turnable", index !== null);
      const select = control.querySelector(".deck-fp-select");
      if (select) select.disabled = index === null;
      for (const choice of control.querySelectorAll(".deck-fp-choice")) {
        if (index === null) choice.removeAttribute("tabindex");
        else {
          choice.tabIndex = choice.classList.contains("deck-fp-chosen") ? 0 : -1;
          choice.setAttribute("role", "radio");
          choice.setAttribute("aria-checked", String(choice.classList.contains("deck-fp-chosen")));
        }
      }
      const handle = control.querySelector(".deck-fp-handle");
      if (!handle) continue;
      if (index === null) {
        handle.removeAttribute("tabindex");
        continue;
      }
      const slider = turns.controls[index];
      handle.tabIndex = 0;
      handle.setAttribute("role", "slider");
      handle.setAttribute("aria-label", control.querySelector(".deck-fp-label")?.textContent || "slider");
      const readout = control.querySelector(".deck-fp-readout");
      if (readout) handle.setAttribute("aria-valuetext", readout.textContent);
      handle.setAttribute("aria-valuenow", String(currentStop(turns, index)));
      handle.setAttribute("aria-valuemax", String(slider.values.length - 1));
    }
  }

  function currentStop(turns, index) {
    return turns.moved === index ? turns.stop : turns.controls[index].start;
  }

  const KEY_STEPS = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 };

  function onKey(copy, turns, event) {
    const index = turnableIndex(turns, controlOf(event));
    if (index === null) return;
    const target = event.target;
    if (target.classList.contains("deck-fp-select")) {
      event.stopPropagation(); // the browser's own list: its choice comes as a change
      return;
    }
    const onChoice = target.classList.contains("deck-fp-choice");
    if (!onChoice && !target.classList.contains("deck-fp-handle")) return;
    const last = turns.controls[index].values.length - 1;
    const now = currentStop(turns, index);
    const picked = onChoice && (event.key === "Enter" || event.key === " ")
      ? [...target.parentElement.children].indexOf(target) : null;
    const wanted = picked ?? (event.key in KEY_STEPS ? now + KEY_STEPS[event.key]
      : event.key === "Home" ? 0 : event.key === "End" ? last : null);
    if (wanted === null) return;
    event.preventDefault();
    event.stopPropagation();
    turn(copy, turns, index, Math.min(Math.max(wanted, 0), last));
  }

  function onChange(copy, turns, event) {
    const index = turnableIndex(turns, controlOf(event));
    if (index === null || !event.target.classList.contains("deck-fp-select")) return;
    event.stopPropagation();
    turn(copy, turns, index, event.target.selectedIndex);
  }

  function onPointer(copy, turns, event) {
    const control = controlOf(event);
    const index = turnableIndex(turns, control);
    if (index === null) return;
    if (event.target.closest(".deck-fp-select")) {
      event.stopPropagation(); // the browser opens its list; the choice comes as a change
      return;
    }
    const choice = event.target.closest(".deck-fp-choice");
    if (choice) {
      event.preventDefault();
      event.stopPropagation();
      turn(copy, turns, index, [...choice.parentElement.children].indexOf(choice));
      return;
    }
    if (!event.target.closest(".deck-fp-track")) return;
    event.preventDefault();
    event.stopPropagation();
    const last = turns.controls[index].values.length - 1;
    // the handle grabbed moves with the pointer from where it is (a click leaves it there);
    // the track clicked elsewhere sends it to the stop under the pointer
    const grabbed = event.target.classList.contains("deck-fp-handle");
    const [from, fromX] = [currentStop(turns, index), event.clientX];
    const stopAt = (clientX) => {
      // the control's track now: a frame may have replaced the element
      const track = copy.querySelector(`[data-deck-control="${index}"] .deck-fp-track`);
      const box = track.getBoundingClientRect();
      const stop = grabbed ? from + Math.round(((clientX - fromX) / box.width) * last)
        : Math.round(((clientX - box.left) / box.width) * last);
      return Math.min(Math.max(stop, 0), last);
    };
    if (!grabbed) turn(copy, turns, index, stopAt(event.clientX));
    copy.querySelector(`[data-deck-control="${index}"] .deck-fp-handle`)?.focus();
    const move = (e) => turn(copy, turns, index, stopAt(e.clientX));
    const up = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
  }

  // Show control `index` at `stop`; a slider at the nearest stop painted on the way there, a
  // choice where it was (and say the rest waits for the kernel).
  function turn(copy, turns, index, stop) {
    const control = turns.controls[index];
    let shown = stop;
    if (stop !== control.start && !(stop in control.frames)) {
      noteItIsStarting(copy);
      const step = stop > control.start ? -1 : 1;
      if (control.kind === "choice") shown = currentStop(turns, index);
      else while (shown !== control.start && !(shown in control.frames)) shown += step;
    }
    const focused = document.activeElement;
    const hadFocus = focused?.closest?.(`[data-deck-control="${index}"]`) != null;
    if (shown === currentStop(turns, index)) {
      const select = copy.querySelector(`[data-deck-control="${index}"] .deck-fp-select`);
      if (select) select.selectedIndex = shown; // a choice not painted: the list as it was
      return;
    }
    turns.moved = shown === control.start ? null : index;
    turns.stop = shown;
    showFrame(copy, turns, turns.moved === null ? null : control.frames[shown], `${index}:${shown}`);
    if (hadFocus) {
      copy.querySelector(`[data-deck-control="${index}"] :is(.deck-fp-handle, .deck-fp-select,`
        + " .deck-fp-chosen)")?.focus();
    }
  }

  // A painted press: its frames shown one after another (a second press starts again).
  function play(copy, turns, model, frames) {
    const run = Symbol(model);
    turns.playing = run;
    turns.pressed = copy.deckPlayed = model;
    frames.forEach((frame, at) => setTimeout(() => {
      if (turns.playing === run && !turns.handedOver) {
        showFrame(copy, turns, frame, `press:${model}:${at}`);
      }
    }, at * PRESS_FRAME_MS));
  }

  // Show `frame` (null: the first paint), known by `key`: its HTML at once, its figures
  // drawn one drawing at a time, each of the frame shown when it starts.
  function showFrame(copy, turns, frame, key) {
    turns.frame = frame;
    turns.frameKey = frame ? key : "first";
    swapPanel(copy, frame ? frame.html : turns.firstHtml, turns);
    markTurnable(copy, turns);
    markButtons(copy);
    turns.drawing = turns.drawing.then(() => drawTurnedFigures(copy, turns)).catch(
      (error) => console.error("first-paint.js: a frame's figures not drawn", error));
  }

  // The panel's HTML as `html` has it: control by control where the boxes are the same (a
  // figure keeps its drawing, redrawn by drawTurnedFigures), else all of it.
  function swapPanel(copy, html, turns) {
    const panel = copy.querySelector(".deck-fp-panel");
    const next = document.createElement("div");
    next.innerHTML = html;
    const nextPanel = next.firstElementChild;
    const units = [...panel.querySelectorAll(UNITS)];
    const nextUnits = [...nextPanel.querySelectorAll(UNITS)];
    const boxes = (root) => [...root.querySelectorAll(".deck-fp-box")].map(
      (box) => `${box.className}|${box.getAttribute("style")}|${box.querySelectorAll(UNITS).length}`).join("\n");
    const alike = units.length === nextUnits.length && boxes(panel) === boxes(nextPanel)
      && units.every((unit, i) => unit.className.split(" ")[0] === nextUnits[i].className.split(" ")[0]);
    if (!alike) {
      panel.innerHTML = nextPanel.innerHTML;
      turns.shown = [];
      return;
    }
    units.forEach((unit, i) => {
      if (unit.classList.contains("deck-fp-figure")) return;
      if (unit.outerHTML !== nextUnits[i].outerHTML) unit.replaceWith(nextUnits[i]);
    });
  }

  function figureAt(turns, i) {
    const first = turns.figures[i];
    const change = turns.frame && turns.frame.figures[i];
    if (!change) return { key: "first", figure: first };
    const data = Array.isArray(change.data) ? change.data
      : first.data.map((trace, j) => change.data[j] ?? trace);
    return {
      key: turns.frameKey,
      figure: { data, layout: change.layout ?? first.layout, config: first.config },
    };
  }

  // The picture of figure i in the frame shown, if the page came with one: the first
  // paint's, or a frame's one stop from the start (drawn by the kernel before the visitor).
  function pictureAt(turns, i) {
    const frame = turns.frame;
    return frame && frame.figures[i] ? frame.pictures?.[i] : turns.firstPictures[i];
  }

  async function drawTurnedFigures(copy, turns) {
    for (const place of copy.querySelectorAll(".deck-fp-figure")) {
      if (!copy.isConnected) return;
      const i = Number(place.dataset.deckFigure);
      const { key, figure } = figureAt(turns, i);
      if (turns.shown[i] === key) continue;
      const picture = pictureAt(turns, i);
      const isPicture = place.classList.contains("deck-fp-picture");
      if (picture) { // at once: no waiting for plotly.js
        turns.shown[i] = key;
        if (isPicture && place.innerHTML === picture) continue;
        if (place.classList.contains("js-plotly-plot")) window.Plotly.purge(place);
        place.classList.add("deck-fp-picture");
        place.innerHTML = picture;
        continue;
      }
      await window.deckPlotlyLoaded;
      if (!window.Plotly || !copy.isConnected) return;
      if (figureAt(turns, i).key !== key) continue; // turned on meanwhile: the next drawing's
      turns.shown[i] = key;
      if (place.classList.contains("deck-fp-picture")) {
        place.classList.remove("deck-fp-picture");
        place.replaceChildren();
      }
      // copies: plotly keeps what it is given, and a frame is drawn again on the way back
      const { data, layout, config } = structuredClone(figure);
      await window.Plotly.react(place, data, layout, config);
    }
  }

  // The stop a visitor turned a control to, set on the live control's model (through
  // Voila's widget manager), or a painted press shown, told to the live button's; resolved
  // once the kernel has answered it or after HAND_OVER_MS; then the button pressed, sent to
  // the live button's.
  async function handOver(copy) {
    copy.deckHandedOver = true;
    markButtons(copy);
    const turns = copy.deckTurns;
    if (turns) {
      turns.handedOver = true;
      markTurnable(copy, turns);
    }
    const moved = turns && turns.moved !== null;
    if (!moved && !copy.deckQueued && !copy.deckPlayed) return;
    const manager = window.jupyterapp && window.jupyterapp.widgetManager;
    if (!manager) throw new Error("Voila's widget manager is not there");
    if (moved) {
      const control = turns.controls[turns.moved];
      const model = await manager.get_model(control.model_id);
      model.set(control.name, control.values[turns.stop]);
      await answered((callbacks) => model.save_changes(callbacks));
    }
    if (copy.deckPlayed) {
      const button = await manager.get_model(copy.deckPlayed);
      await answered((callbacks) => button.send({ event: PRESS_SHOWN }, callbacks));
    }
    if (copy.deckQueued) {
      // as ipywidgets' own button view sends a click; not waited for: what it starts (the
      // network's training, seconds) is watched on the live panel
      const button = await manager.get_model(copy.deckQueued);
      button.send({ event: "click" }, {});
    }
    // the figures' updates, sent before the kernel went idle, drawn
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  }

  // send(callbacks) sends a message to the kernel; resolved when the kernel is idle after it
  // (its answer sent) or after HAND_OVER_MS.
  function answered(send) {
    return new Promise((done) => {
      const timer = setTimeout(done, HAND_OVER_MS);
      const idle = (msg) => {
        if (msg.content.execution_state !== "idle") return;
        clearTimeout(timer);
        done();
      };
      send({ iopub: { status: idle } });
    });
  }

  async function drawFigures(copies) {
    // plotly.js, from the same file the live figures import (run on demand: the template)
    await window.deckPlotlyLoaded;
    if (!window.Plotly) {
      console.error("first-paint.js: the plotly bundle set no window.Plotly: first paints without figures");
      return;
    }
    for (const copy of copies) {
      if (!copy.isConnected) continue; // the live panel came first
      if (copy.deckTurns) { // each figure as the stop chosen shows it, after any turn's
        const turns = copy.deckTurns;
        await (turns.drawing = turns.drawing.then(() => drawTurnedFigures(copy, turns)));
        continue;
      }
      const script = copy.querySelector("script.deck-first-paint-figures");
      const figures = JSON.parse(script.textContent);
      for (const place of copy.querySelectorAll(".deck-fp-figure:not(.deck-fp-picture)")) {
        const { data, layout, config } = figures[Number(place.dataset.deckFigure)];
        await window.Plotly.newPlot(place, data, layout, config);
      }
    }
  }

  // A copy's controls, as soon as the page has read it (the template calls this after each).
  function arm(copy) {
    if (!copy || copy.dataset.deckArmed) return;
    copy.dataset.deckArmed = "yes";
    armControls(copy);
    armButtons(copy);
    giveWayWhenLive(copy);
    sayItIsStarting(copy);
  }

  function start() {
    const copies = [...document.querySelectorAll(".deck-first-paint")];
    copies.forEach(arm);
    // a figure whose picture came with the page (featurize.panels._figure_pictures) is
    // shown already; plotly.js draws the others
    if (copies.some((copy) => copy.querySelector(".deck-fp-figure:not(.deck-fp-picture)"))) {
      drawFigures(copies).catch((error) => console.error("first-paint.js: figures not drawn", error));
    }
  }

  window.deckFirstPaint = { arm, start };
})();
