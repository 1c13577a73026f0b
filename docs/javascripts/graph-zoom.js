// A graph on the page is scaled to fit the column and the window. While its
// text stays readable that way (MIN_TEXT_PX and up), clicking the graph (or
// Enter / Space when it has focus) opens the same drawing at its full size
// in a dialog that scrolls; Escape, the close button or a click outside the
// drawing closes it again.
//
// A graph whose text would shrink below MIN_TEXT_PX when fitted is shown at
// its actual size instead, in a region of its own that scrolls (focusable,
// so arrow keys scroll it), with a button that switches between the actual
// size and the whole graph fitted to the column. The choice is remade when
// the window changes size or a tab shows the graph, until the reader makes it.
//
// Runs on every page Material's instant navigation loads (document$), and
// on graphs added later (an "mg:graphs" event); makes one dialog per page,
// since instant navigation replaces the body.
(() => {
  const TITLE = "Open this graph at full size";
  const MIN_TEXT_PX = 11;
  // The share of the window's height a fitted graph may take (book.css).
  const FIT_HEIGHT = 0.85;
  const CSS_PX = { pt: 4 / 3, px: 1, "": 1, in: 96, pc: 16, cm: 96 / 2.54, mm: 96 / 25.4 };

  function dialogFor(body) {
    let dialog = body.querySelector("dialog.mg-zoom");
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.className = "mg-zoom";
    dialog.setAttribute("aria-label", "Graph at full size");
    const close = document.createElement("button");
    close.type = "button";
    close.className = "mg-zoom__close";
    close.textContent = "Close";
    close.addEventListener("click", () => dialog.close());
    const frame = document.createElement("div");
    frame.className = "mg-zoom__frame mg-graph";
    dialog.append(close, frame);
    // A click on the backdrop lands on the dialog itself, not on its content.
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close();
    });
    dialog.addEventListener("close", () => {
      frame.replaceChildren();
      if (dialog.opener && dialog.opener.isConnected) dialog.opener.focus();
    });
    body.append(dialog);
    return dialog;
  }

  function open(graph) {
    const dialog = dialogFor(document.body);
    const frame = dialog.querySelector(".mg-zoom__frame");
    const drawing = graph.querySelector("svg").cloneNode(true);
    drawing.classList.add("mg-zoom__svg");
    frame.replaceChildren(drawing);
    dialog.opener = graph;
    dialog.showModal();
    dialog.querySelector(".mg-zoom__close").focus();
  }

  // ---- readable text ----------------------------------------------------------

  function length(text) {
    const match = /^([\d.]+)\s*([a-z]*)$/.exec((text || "").trim());
    if (!match || !(match[2] in CSS_PX)) return null;
    return Number(match[1]) * CSS_PX[match[2]];
  }

  // The size, in CSS pixels, of the graph's smallest text once fitted to
  // `graph`'s width and the window's height; null when it cannot be told.
  function fittedTextPx(graph, svg) {
    const box = svg.viewBox && svg.viewBox.baseVal;
    const width = length(svg.getAttribute("width"));
    const height = length(svg.getAttribute("height"));
    if (!box || !box.width || !width || !height) return null;
    const fonts = [...svg.querySelectorAll("text")].map((text) =>
      parseFloat(text.getAttribute("font-size") || "14"),
    );
    if (!fonts.length) return null;
    const scale = Math.min(1, graph.clientWidth / width, (FIT_HEIGHT * window.innerHeight) / height);
    return (Math.min(...fonts) * width * scale) / box.width;
  }

  function zoomable(graph, on) {
    if (on) {
      graph.setAttribute("data-mg-zoom", "");
      graph.setAttribute("role", "button");
      graph.title = TITLE;
    } else {
      graph.removeAttribute("data-mg-zoom");
      graph.removeAttribute("role");
      graph.removeAttribute("title");
    }
  }

  function setSize(graph, size) {
    graph.dataset.mgSize = size;
    graph.setAttribute(
      "aria-label",
      size === "fit" ? "Graph fitted to the column, small text" : "Graph at actual size, in a box that scrolls",
    );
    const button = graph.querySelector(":scope > .mg-graph__size");
    button.setAttribute("aria-pressed", String(size === "fit"));
  }

  function scrolling(graph, on) {
    let button = graph.querySelector(":scope > .mg-graph__size");
    if (on) {
      zoomable(graph, false);
      graph.setAttribute("role", "region");
      if (!button) {
        button = document.createElement("button");
        button.type = "button";
        button.className = "mg-graph__size";
        button.textContent = "Fit to the column";
        button.title = "Switch between the whole graph (small text) and its actual size";
        button.addEventListener("click", (event) => {
          event.stopPropagation();
          graph.dataset.mgChosen = "true";
          setSize(graph, graph.dataset.mgSize === "fit" ? "actual" : "fit");
        });
        graph.prepend(button);
      }
      setSize(graph, "actual");
    } else {
      if (button) button.remove();
      delete graph.dataset.mgSize;
      graph.removeAttribute("aria-label");
      zoomable(graph, true);
    }
  }

  // Picks zoom-on-click or the scrolling box for a graph on show.
  function size(graph) {
    if (graph.dataset.mgChosen || !graph.clientWidth) return;
    const svg = graph.querySelector("svg");
    const px = svg ? fittedTextPx(graph, svg) : null;
    if (px === null) return;
    const small = px < MIN_TEXT_PX;
    if (small !== Boolean(graph.dataset.mgSize)) scrolling(graph, small);
  }

  // Any change of width (the window, an admonition opened) remakes the choice.
  const watcher = new ResizeObserver((entries) => {
    for (const entry of entries) size(entry.target);
  });

  function prepare(root) {
    for (const graph of root.querySelectorAll(".mg-output.mg-graph")) {
      if (graph.closest("dialog") || graph.hasAttribute("data-mg-ready")) continue;
      graph.setAttribute("data-mg-ready", "");
      graph.setAttribute("tabindex", "0");
      // As a button, the graph is named by the drawing inside it (its
      // role="img" and text alternative, see micrograd.viz); what a press
      // does is its description. An aria-label here would hide the
      // drawing's name and not contain the text the drawing shows.
      zoomable(graph, true);
      graph.addEventListener("click", () => {
        if (graph.hasAttribute("data-mg-zoom")) open(graph);
      });
      graph.addEventListener("keydown", (event) => {
        if (event.target !== graph || !graph.hasAttribute("data-mg-zoom")) return;
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          open(graph);
        }
      });
      size(graph);
      watcher.observe(graph);
    }
  }

  function sizeAll(root) {
    for (const graph of root.querySelectorAll(".mg-output.mg-graph[data-mg-ready]")) size(graph);
  }

  document$.subscribe(({ body }) => prepare(body));

  // Graphs drawn later, by running a block in the page (run-examples.js),
  // open at full size like the ones the build drew.
  document.addEventListener("mg:graphs", (event) => prepare(event.target));
  // A graph in a tab or a closed admonition has no width until shown.
  document.addEventListener("change", (event) => {
    const set = event.target.closest && event.target.closest(".tabbed-set");
    if (set) sizeAll(set);
  });
  document.addEventListener("mg:shown", (event) => {
    if (event.target.parentElement) sizeAll(event.target.parentElement);
  });
})();
