// A graph on the page is scaled to fit the column and the window, which can
// make its text small. Clicking it (or Enter / Space when it has focus)
// opens the same drawing at its full size in a dialog that scrolls; Escape,
// the close button or a click outside the drawing closes it again.
//
// Runs on every page Material's instant navigation loads (document$), and
// on graphs added later (an "mg:graphs" event); makes one dialog per page,
// since instant navigation replaces the body.
(() => {
  const TITLE = "Open this graph at full size";

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

  function open(graph, body) {
    const dialog = dialogFor(body);
    const frame = dialog.querySelector(".mg-zoom__frame");
    const drawing = graph.querySelector("svg").cloneNode(true);
    drawing.classList.add("mg-zoom__svg");
    frame.replaceChildren(drawing);
    dialog.opener = graph;
    dialog.showModal();
    dialog.querySelector(".mg-zoom__close").focus();
  }

  function prepare(root, body) {
    for (const graph of root.querySelectorAll(".mg-output.mg-graph")) {
      if (graph.closest("dialog") || graph.hasAttribute("data-mg-zoom")) continue;
      graph.setAttribute("data-mg-zoom", "");
      graph.setAttribute("role", "button");
      graph.setAttribute("tabindex", "0");
      // The button is named by the drawing inside it (its role="img" and
      // text alternative, see micrograd.viz); what a press does is its
      // description. An aria-label here would hide the drawing's name and
      // not contain the text the drawing shows.
      graph.title = TITLE;
      graph.addEventListener("click", () => open(graph, body));
      graph.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          open(graph, body);
        }
      });
    }
  }

  document$.subscribe(({ body }) => prepare(body, body));

  // Graphs drawn later, by running a block in the page (run-examples.js),
  // open at full size like the ones the build drew.
  document.addEventListener("mg:graphs", (event) => prepare(event.target, document.body));
})();
