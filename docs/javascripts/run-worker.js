// The Python of a page: Pyodide in a module worker, with micrograd unpacked
// into its site-packages and Graphviz (viz-js) loaded the first time a block
// draws. Every file comes from this site's assets/run/ folder; nothing is
// asked of any other host. The page ends this worker to stop a runaway block
// (interrupting Pyodide needs a cross-origin isolated page, which a static
// host cannot promise).
//
// Messages in:  {id, type: "run", code, kind}  and  {id, type: "reset"}
// Messages out: {type: "status", text}, {id, type: "result", result},
//               {id, type: "failed", message}

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
  pyodide.runPython(`
import book_runner
import js
import micrograd.viz

# Graphviz lives in JavaScript here (viz-js); the worker loads it before
# anything is drawn. micrograd.viz keeps doing everything around it.
micrograd.viz.use_renderer(lambda dot_source: str(js.renderDot(dot_source)))
`);
  python = pyodide;
  postMessage({ type: "booted", ms: performance.now() - started });
  return pyodide;
}

let booting = null;
function ready() {
  booting ??= startPython();
  return booting;
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
  if (GRAPH_CODE.test(code)) await loadViz();
  status("Running…");
  const started = performance.now();
  const runner = pyodide.globals.get("book_runner");
  let text;
  try {
    text = runner.run(code, kind);
  } finally {
    runner.destroy();
  }
  const ms = performance.now() - started;
  const result = JSON.parse(text);
  result.ms = ms;
  if (result.graphs && result.graphs.length) {
    await loadViz();
    const drawer = pyodide.globals.get("book_runner");
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
  }
  return result;
}

onmessage = async ({ data }) => {
  try {
    if (data.type === "start") {
      await ready();
      postMessage({ id: data.id, type: "result", result: { ok: true } });
    } else if (data.type === "run") {
      postMessage({ id: data.id, type: "result", result: await run(data) });
    } else {
      throw new Error(`unknown message ${data.type}`);
    }
  } catch (error) {
    postMessage({ id: data.id, type: "failed", message: String(error.message || error) });
  }
};
