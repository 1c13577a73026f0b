// The Python of a page: Pyodide in a module worker, with micrograd unpacked
// into its site-packages and Graphviz (viz-js) loaded the first time a block
// draws. Every file comes from this site's assets/run/ folder; nothing is
// asked of any other host. The page ends this worker to stop a runaway block
// (interrupting Pyodide needs a cross-origin isolated page, which a static
// host cannot promise). The page's side is run-python.js.
//
// Messages in (each with an `id` that its answer repeats):
//   {id, type: "start", modules}     load Python now, and import the page
//                                    modules named (of CALLABLE); answers
//                                    {ok: true}
//   {id, type: "run", code, kind}    run one block (kind "doctest" or
//                                    "script") in the page's namespace
//   {id, type: "reset"}              empty that namespace (page_runner.reset)
//   {id, type: "call", module, name, args}
//                                    call a function of a page module (listed
//                                    in CALLABLE) that answers JSON text, e.g.
//                                    page_runner.check(code, checks); graphs in
//                                    the answer are drawn as for "run"
// Messages out:
//   {type: "status", text}           what is loading or running, for the page
//   {type: "booted", ms}             Python is ready; how long it took
//   {id, type: "result", result}     the answer to `id`; for "run" it is
//                                    page_runner's result ({ok, stdout, error,
//                                    value, graphs, examples, ran_as, ...})
//                                    plus `ms` (running), `loadMs` (loading
//                                    Graphviz), `drawMs` (drawing) and
//                                    `svgs`: [[title, svg text], ...]
//   {id, type: "failed", message}    `id` could not be done; Python still works
//   {id, type: "fatal", message}     Python broke (a fatal Pyodide error) and
//                                    cannot run anything again: the page
//                                    ends this worker and starts a new one

const ASSETS = new URL("../assets/run/", import.meta.url);
const PYODIDE = new URL("pyodide/", ASSETS);
const GRAPH_CODE = /draw_dot|\.svg\(|render_svg|Digraph|Graph\(/;

let python = null;
let viz = null;

function status(text) {
  postMessage({ type: "status", text });
}

async function startPython() {
  const started = performance.now();
  status("Loading Python (about 15 MB, once: the browser keeps it for later pages)…");
  const { loadPyodide } = await import(new URL("pyodide.mjs", PYODIDE).href);
  const pyodide = await loadPyodide({
    indexURL: PYODIDE.href,
    lockFileURL: new URL("pyodide-lock.json", PYODIDE).href,
    packageBaseUrl: PYODIDE.href,
    stdLibURL: new URL("python_stdlib.zip", PYODIDE).href,
    stdout: () => {},
    stderr: () => {},
  });
  status("Loading micrograd…");
  const response = await fetch(new URL("book-library.zip", ASSETS));
  if (!response.ok) throw new Error(`book-library.zip: HTTP ${response.status}`);
  const sitePackages = pyodide.runPython(
    "import sysconfig; sysconfig.get_paths()['purelib']",
  );
  pyodide.unpackArchive(await response.arrayBuffer(), "zip", {
    extractDir: sitePackages,
  });
  // Nothing is imported yet: each module comes in with its first use, so a
  // page that only trains a network (the Playground) never pays for doctest
  // or graphviz, about a second of the start's CPU.
  python = pyodide;
  postMessage({ type: "booted", ms: performance.now() - started });
  return pyodide;
}

let booting = null;
function ready() {
  booting ??= startPython();
  return booting;
}

// Graphviz lives in JavaScript here (viz-js), loaded before anything is
// drawn; micrograd.viz keeps doing everything around it. Set up before the
// first block runs or the first graph is drawn.
let rendererSet = false;
function useJavaScriptGraphviz(pyodide) {
  if (rendererSet) return;
  pyodide.runPython(`
import js
import micrograd.viz

micrograd.viz.use_renderer(lambda dot_source: str(js.renderDot(dot_source)))
`);
  rendererSet = true;
}

async function loadViz() {
  if (viz) return viz;
  status("Loading Graphviz (about 1 MB)…");
  const module = await import(new URL("viz/viz.js", ASSETS).href);
  viz = await module.instance();
  return viz;
}

// The same cleaning as the build (bookbuild/outputs.py): no XML prolog,
// doctype or comments, so an SVG drawn here equals the page's own.
function inlineSvg(svg) {
  return svg.replace(/<\?xml[\s\S]*?\?>|<!DOCTYPE[\s\S]*?>|<!--[\s\S]*?-->/g, "").trim();
}

globalThis.renderDot = (source) => {
  if (!viz) throw new Error("Graphviz is not loaded");
  const svg = viz.renderString(source, { format: "svg" });
  return svg;
};

async function run({ code, kind }) {
  const pyodide = await ready();
  const loading = performance.now();
  if (GRAPH_CODE.test(code)) await loadViz();
  let loadMs = performance.now() - loading;
  useJavaScriptGraphviz(pyodide);
  status("Running…");
  const started = performance.now();
  const runner = pyodide.pyimport("page_runner");
  let text;
  try {
    text = runner.run(code, kind);
  } finally {
    runner.destroy();
  }
  const ms = performance.now() - started;
  const result = JSON.parse(text);
  result.ms = ms;
  result.loadMs = loadMs;
  return draw(pyodide, result);
}

// Draws the graphs a result names ([title, DOT, text alternative] in
// `graphs`) into `svgs`, with the time it took.
async function draw(pyodide, result) {
  result.drawMs = 0;
  result.loadMs ??= 0;
  if (result.graphs && result.graphs.length) {
    const late = performance.now();
    await loadViz();
    result.loadMs += performance.now() - late;
    useJavaScriptGraphviz(pyodide);
    const drawing = performance.now();
    const drawer = pyodide.pyimport("page_runner");
    try {
      // JSON's null would reach Python as JsNull; undefined arrives as None.
      result.svgs = result.graphs.map(([title, dot, description]) => {
        try {
          return [title, inlineSvg(drawer.render(dot, description ?? undefined))];
        } catch (error) {
          result.ok = false;
          result.error = `Graphviz could not draw the graph: ${error.message}`;
          return [title, ""];
        }
      });
    } finally {
      drawer.destroy();
    }
    result.drawMs = performance.now() - drawing;
  }
  return result;
}

// Modules of the page's Python that a `call` may use: each function answers
// with JSON text. live_graph makes a block's graph live (run-live.js);
// playground trains the Playground page's network.
const CALLABLE = new Set(["page_runner", "live_graph", "playground"]);
// Those that run the book's or the reader's code, which may draw by itself
// (`draw_dot(o).svg()`); the Playground's graphs come back as DOT.
const RUN_CODE = new Set(["page_runner", "live_graph"]);

async function call({ module, name, args }) {
  if (!CALLABLE.has(module)) throw new Error(`no module ${module} to call`);
  const pyodide = await ready();
  if (RUN_CODE.has(module)) useJavaScriptGraphviz(pyodide);
  const found = pyodide.pyimport(module);
  const started = performance.now();
  let text;
  try {
    const method = found[name];
    if (typeof method !== "function") throw new Error(`${module} has no ${name}`);
    text = method(...(args || []));
  } finally {
    found.destroy();
  }
  const result = JSON.parse(text);
  if (result && typeof result === "object" && !Array.isArray(result)) {
    result.ms = performance.now() - started;
    return draw(pyodide, result);
  }
  return result;
}

async function reset() {
  const pyodide = await ready();
  const runner = pyodide.pyimport("page_runner");
  try {
    runner.reset();
  } finally {
    runner.destroy();
  }
  return { ok: true };
}

// Pyodide marks the error that broke it; every later call says it "already
// fatally failed" (or "already exited").
function isFatal(error) {
  return Boolean(
    error &&
      (error.pyodide_fatal_error ||
        /Pyodide already (fatally failed|exited)/.test(String(error.message || error))),
  );
}

const ANSWERS = {
  start: async ({ modules = [] }) => {
    const pyodide = await ready();
    for (const module of modules) {
      if (!CALLABLE.has(module)) throw new Error(`no module ${module} to prepare`);
      pyodide.pyimport(module).destroy();
    }
    return { ok: true };
  },
  run,
  reset,
  call,
};

onmessage = async ({ data }) => {
  const answer = Object.hasOwn(ANSWERS, data.type) ? ANSWERS[data.type] : null;
  try {
    if (!answer) throw new Error(`unknown message ${data.type}`);
    postMessage({ id: data.id, type: "result", result: await answer(data) });
  } catch (error) {
    const message = String((error && error.message) || error);
    postMessage({ id: data.id, type: isFatal(error) ? "fatal" : "failed", message });
  }
};
