// Run and edit the page's examples in the browser.
//
// The build marks every Python block (bookbuild/runnable.py): data-mg-run is
// "doctest" or "script" for a block that runs here, "no" for one that needs
// a package the browser lacks (data-mg-reason says which). Blocks that run
// get Run, Edit, Reset, Stop and Restart; the others a pointer to the
// notebook and the local test command.
//
// Python lives in a worker: nothing is loaded until the reader runs a block
// (or points at a Run button). The parts, loaded before this file:
// run-python.js talks to the worker (run-worker.js), run-editor.js is a
// block's editor, run-output.js shows what a run gave, run-page.js runs
// blocks in order, and run-live.js makes a drawn graph live. Restart or Stop
// ends the worker and with it everything the page ran; following a link to
// another page of the book keeps the worker, with an emptied namespace.

(() => {
  let page = null;

  // Material swaps the page's content on instant navigation and emits again;
  // each page starts with a clean namespace, in the Python the last page had
  // started, if any.
  document$.subscribe(({ body }) => {
    const kept = page ? page.handOver() : null;
    page = new window.mgRun.Page(body);
    if (kept) page.adopt(kept);
  });
})();
