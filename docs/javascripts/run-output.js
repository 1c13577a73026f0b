// What a run shows under its block: the transcript of a doctest, printed
// output, the error, the last value or the drawings (in tabs when there are
// several), and the one-line verdict for the block's status.
//
// Everything here comes from the worker, so text goes in as text and every
// drawing passes through DOMPurify (self-hosted, assets/run/dompurify/)
// before it reaches the page.

(() => {
  // Characters of printed output or error shown, as page_runner.MAX_OUTPUT.
  const MAX_TEXT = 20000;

  function cut(text, limit = MAX_TEXT) {
    if (text.length <= limit) return text;
    const more = (text.length - limit).toLocaleString("en-US");
    return `${text.slice(0, limit)}\n… output cut here: ${more} more characters not shown`;
  }

  function pre(text, className) {
    const element = document.createElement("pre");
    element.className = className;
    const code = document.createElement("code");
    code.textContent = cut(text);
    element.append(code);
    return element;
  }

  // "1 output", "3 outputs".
  function outputs(count) {
    return `${count} output${count === 1 ? "" : "s"}`;
  }

  // The block's state (data-mg-state) and the words its status line starts with.
  function verdict(result, kind) {
    if (kind === "doctest" && result.ran_as === "script") {
      return result.ok
        ? { state: "ok", text: "Ran as a script (it has no >>> lines now): done" }
        : { state: "failed", text: "Ran as a script (it has no >>> lines now): stopped with an error" };
    }
    if (kind !== "doctest") {
      return result.ok ? { state: "ok", text: "Done" } : { state: "failed", text: "Stopped with an error" };
    }
    const examples = result.examples || [];
    const count = examples.length;
    if (count === 0) {
      return result.error
        ? { state: "failed", text: "Stopped with an error" }
        : {
            state: "empty",
            text: "Nothing was checked: the block has no >>> lines, so nothing ran",
          };
    }
    const differ = examples.filter((example) => !example.ok).length;
    let text;
    if (differ === 0) {
      text = count === 1 ? "The 1 output matches the book" : `All ${outputs(count)} match the book`;
    } else if (count === 1) {
      text = "The 1 output differs from the book";
    } else {
      text = `${differ} of ${outputs(count)} ${differ === 1 ? "differs" : "differ"} from the book`;
    }
    return { state: result.ok && differ === 0 ? "ok" : "failed", text };
  }

  // "Run it in this page's notebook, or on your machine with pytest <file>."
  function whereToRun(element, lead) {
    const note = document.createElement("p");
    note.className = "mg-run-note";
    const notebook = document.querySelector(".mg-notebook-link a");
    note.append(lead);
    if (notebook) {
      const link = document.createElement("a");
      link.href = notebook.href;
      link.textContent = "Run it in this page's notebook";
      note.append(link, ", or on your machine with ");
    } else {
      note.append("Run it on your machine with ");
    }
    const command = document.createElement("code");
    command.textContent = `pytest ${element.dataset.mgFile}`;
    note.append(command, ".");
    return note;
  }

  const MISSING = /ModuleNotFoundError: No module named '([\w.]+)'/;

  // The drawing as DOM nodes fit for the page, or null without DOMPurify.
  // The SVG profile keeps what the build gives a drawing (its <title>,
  // role="img" and aria-label) and drops scripts, event handlers and
  // javascript: links.
  function cleanSvg(svg) {
    if (!window.DOMPurify || !window.DOMPurify.isSupported) return null;
    return window.DOMPurify.sanitize(svg, {
      USE_PROFILES: { svg: true, svgFilters: true },
      ADD_ATTR: ["role", "xml:space"],
      RETURN_DOM_FRAGMENT: true,
    });
  }

  function graph(svg) {
    const output = document.createElement("div");
    output.className = "mg-output mg-graph mg-live-graph";
    const drawing = cleanSvg(svg);
    if (drawing) output.append(drawing);
    else output.append(pre("The drawing cannot be shown: the page's sanitiser did not load.", "mg-live-error"));
    return output;
  }

  let tabSets = 0;

  // Tabs that follow the WAI-ARIA tabs pattern: one tab in the Tab order,
  // arrows, Home and End move between tabs and show each one's drawing.
  function tabs(svgs) {
    const set = ++tabSets;
    const list = document.createElement("div");
    list.className = "mg-live-tabs";
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", "Drawings made by this run");
    const buttons = [];
    const panels = svgs.map(([title, svg], index) => {
      const tab = document.createElement("button");
      tab.type = "button";
      tab.id = `mg-tab-${set}-${index}`;
      tab.setAttribute("role", "tab");
      tab.textContent = title;
      // The panel holds the drawing, as the build's tabs do, so the
      // drawing can be a button that opens it at full size (graph-zoom.js).
      const panel = document.createElement("div");
      panel.id = `mg-tabpanel-${set}-${index}`;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      tab.setAttribute("aria-controls", panel.id);
      panel.append(graph(svg));
      tab.addEventListener("click", () => select(index));
      buttons.push(tab);
      list.append(tab);
      return panel;
    });
    function select(chosen, focus = false) {
      buttons.forEach((tab, index) => {
        const on = index === chosen;
        tab.setAttribute("aria-selected", String(on));
        tab.tabIndex = on ? 0 : -1;
        panels[index].hidden = !on;
      });
      if (focus) buttons[chosen].focus();
      list.dispatchEvent(new CustomEvent("mg:shown", { bubbles: true }));
    }
    list.addEventListener("keydown", (event) => {
      const current = buttons.indexOf(document.activeElement);
      if (current < 0) return;
      const last = buttons.length - 1;
      const next = {
        ArrowRight: current === last ? 0 : current + 1,
        ArrowLeft: current === 0 ? last : current - 1,
        Home: 0,
        End: last,
      }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      select(next, true);
    });
    select(0);
    return [list, ...panels];
  }

  function graphs(svgs) {
    const holder = document.createElement("div");
    holder.className = "mg-live-graphs";
    if (svgs.length === 1 && !svgs[0][0]) holder.append(graph(svgs[0][1]));
    else holder.append(...tabs(svgs));
    return holder;
  }

  // One transcript of every example, as a console would show it; an
  // example whose output differs from the book's is set apart with both.
  function transcript(result) {
    const shown = [];
    let agreeing = [];
    const flush = () => {
      if (agreeing.length) shown.push(pre(agreeing.join("\n"), "mg-live-doctest"));
      agreeing = [];
    };
    const label = (text) => {
      const p = document.createElement("p");
      p.className = "mg-example-label";
      p.textContent = text;
      return p;
    };
    for (const example of result.examples || []) {
      const source = example.source
        .replace(/\n$/, "")
        .split("\n")
        .map((line, index) => (index ? "... " : ">>> ") + line)
        .join("\n");
      if (example.ok) {
        agreeing.push(source);
        if (example.got) agreeing.push(example.got.replace(/\n$/, ""));
        continue;
      }
      flush();
      const item = document.createElement("div");
      item.className = "mg-example mg-example-differs";
      item.append(
        pre(source, "mg-live-doctest"),
        label("The book expects:"),
        pre(example.want.replace(/\n$/, "") || "(nothing)", "mg-live-want"),
        label("This run gave:"),
        pre(example.got.replace(/\n$/, "") || "(nothing)", "mg-live-got"),
      );
      shown.push(item);
    }
    flush();
    return shown;
  }

  // When every output is the book's, the transcript would repeat the block
  // just above it: it is folded, one click away. Any difference shows open.
  function foldedWhenAllAgree(shown, result) {
    const examples = result.examples || [];
    if (!shown.length || !examples.every((example) => example.ok)) return shown;
    const details = document.createElement("details");
    details.className = "mg-live-transcript";
    const summary = document.createElement("summary");
    summary.textContent = "This run's transcript";
    details.append(summary, ...shown);
    return [details];
  }

  // Everything a run shows, for the block `element`.
  function render(result, kind, element) {
    const shown = [];
    if (kind === "doctest" && result.ran_as !== "script") {
      shown.push(...foldedWhenAllAgree(transcript(result), result));
    }
    if (result.stdout) shown.push(pre(result.stdout, "mg-live-stdout"));
    if (result.error) {
      shown.push(pre(result.error, "mg-live-error"));
      const missing = MISSING.exec(result.error);
      if (missing) {
        shown.push(
          whereToRun(element, `The page's Python has no ${missing[1].split(".")[0]} module. `),
        );
      }
    }
    const svgs = (Array.isArray(result.svgs) ? result.svgs : []).map((pair) =>
      Array.isArray(pair) ? [String(pair[0] ?? ""), String(pair[1] ?? "")] : ["", String(pair)],
    );
    if (svgs.length) shown.push(graphs(svgs));
    else if (result.value != null) shown.push(pre(String(result.value), "mg-live-value"));
    return shown;
  }

  window.mgRun = window.mgRun || {};
  window.mgRun.output = { render, verdict, whereToRun, pre, cut };
})();
