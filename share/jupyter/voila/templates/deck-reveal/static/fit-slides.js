// Pictures and demo panels fitted to their slide, for the presenter's page (`make present`,
// the deck-reveal template) and the RISE slideshow (`make rise`, the deck_rise notebook
// extension): the two lay out the same cells under different class names.
//
// Widgets draw after reveal.js has laid the slides out, and a 3-D view made on a hidden
// slide has no size. Whenever a slide's content changes size (widgets arrive, a slide is
// shown), its pictures and panels are fitted to the slide again and a window resize event
// makes reveal.js re-centre it and NGL refit its canvas. While a relayout is pending,
// window.deckLayoutPending is true (the browser tests wait for it to clear before they
// measure a slide).
window.deckFitSlides = function (options) {
  "use strict";
  // slideHeight(): the height a slide may fill, in px of its layout. panels, pictures: CSS
  // selectors of a slide's demo panels (the outermost widget of an output) and pictures.
  const { slideHeight, panels, pictures } = options;
  // Room kept free at the slide's top and bottom edges (projector.css's padding-top).
  const EDGE = 16;
  // A panel is enlarged to fill the room under its title, but not past this: beyond it the
  // plots' lines and markers look coarse, and the text is large enough already.
  const MAX_ZOOM = 1.6;
  // A panel taller than a slide (its controls below its plots) may give up this much of its
  // size to fit: its labels' 16 px stay at least 12.8 px. A slide too full for its panel
  // beyond that is split instead (the browser tests find it cut off).
  const MIN_ZOOM = 0.8;
  // A zoom changing by less than this is left alone, so that fitting settles.
  const ZOOM_STEP = 0.01;
  // What gives a panel its width: plots, 3-D views, sliders and buttons have a fixed width;
  // its text, menus and text boxes take whatever width they are given.
  const FIXED_WIDTH = ".main-svg, canvas, .widget-slider, .widget-toggle-buttons, " +
    ".widget-button, img";
  const slides = document.querySelector(".reveal .slides");

  // The height of what a slide holds. RISE gives its slides a fixed height (95 % of the
  // window), so there the section's scrollHeight is that height, not its content's: the
  // room left for a picture then shrank by the slide's empty part at every refit (a picture
  // 451 px high where 500 px fit). The height of the children, where they add up to less.
  const contentHeight = (section) => {
    const style = getComputedStyle(section);
    let height = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
    for (const child of section.children) {
      const childStyle = getComputedStyle(child);
      if (childStyle.display === "none" || childStyle.position === "absolute") continue;
      height += child.offsetHeight + parseFloat(childStyle.marginTop) +
        parseFloat(childStyle.marginBottom);
    }
    return Math.min(section.scrollHeight, height);
  };

  const fitPictures = (section) => {
    for (const img of section.querySelectorAll(pictures)) {
      const others = contentHeight(section) - img.offsetHeight;
      img.style.maxHeight = Math.max(slideHeight() - 2 * EDGE - others, 120) + "px";
    }
  };
  const fitPanels = (section) => {
    const scale = slides.getBoundingClientRect().width / slides.offsetWidth;
    for (const panel of section.querySelectorAll(panels)) {
      // Measured at its own size every time (zoom 1, set back before anything is drawn),
      // so that fitting again finds the same zoom and the slide settles.
      const before = panel.style.zoom;
      panel.style.zoom = 1;
      const left = panel.getBoundingClientRect().left;
      let right = 0;
      for (const part of panel.querySelectorAll(FIXED_WIDTH)) {
        right = Math.max(right, part.getBoundingClientRect().right);
      }
      if (right <= left || !panel.offsetHeight) {  // not drawn yet
        panel.style.zoom = before;
        continue;
      }
      const naturalWidth = (right - left) / scale;
      const others = contentHeight(section) - panel.offsetHeight;
      const roomHeight = slideHeight() - 2 * EDGE - others;
      const roomWidth = section.clientWidth - 2 * EDGE;
      const room = Math.min(roomWidth / naturalWidth, roomHeight / panel.offsetHeight);
      const fitted = Math.max(Math.min(room, MAX_ZOOM), MIN_ZOOM);
      const previous = parseFloat(before) || 1;
      panel.style.zoom = (Math.abs(fitted - previous) > ZOOM_STEP ? fitted : previous).toFixed(3);
    }
  };
  // Only the slides whose size changed are fitted again: fitting lays the page out twice
  // per panel.
  const changed = new Set();
  let pending = null;
  window.deckLayoutPending = true;
  const relayout = (sections) => {
    sections.forEach((section) => changed.add(section));
    window.deckLayoutPending = true;
    clearTimeout(pending);
    pending = setTimeout(() => {
      for (const section of changed) {
        if (section.querySelector("section")) continue;  // a stack: its slides fit themselves
        fitPictures(section);
        fitPanels(section);
      }
      changed.clear();
      window.dispatchEvent(new Event("resize"));
      requestAnimationFrame(() => { window.deckLayoutPending = false; });
    }, 100);
  };
  const sections = () => [...document.querySelectorAll(".reveal .slides section")];
  const observer = new ResizeObserver((entries) => relayout(entries.map((e) => e.target)));
  sections().forEach((section) => observer.observe(section));
  const current = () => [...document.querySelectorAll(".reveal .slides section.present")];
  window.addEventListener("hashchange", () => relayout(current()));
  return { relayout: () => relayout(current()) };
};
