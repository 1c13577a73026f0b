// Run and edit the page's examples in the browser.
//
// The build marks every Python block (bookbuild/runnable.py): data-mg-run is
// "doctest" or "script" for a block that runs here, "no" for one that needs
// a package the browser lacks (data-mg-reason says which). This script adds
// Run, Edit, Reset, Stop and Restart to the blocks that run, and a pointer to
// the notebook and the local test command to the others.
//
// Python lives in a worker (run-worker.js), one per page: nothing is loaded
// until the reader runs a block (or points at a Run button), running block k
// first runs the earlier blocks that have not run, and leaving the page, or
// Restart, or Stop ends the worker and with it everything the page ran.

(() => {
  const WORKER_URL = new URL("run-worker.js", document.currentScript.src);
  const RUNNABLE = "div.language-python.highlight[data-mg-run]";

  let page = null;

  // ---- the worker -----------------------------------------------------------

  class Python {
    constructor(onStatus) {
      this.onStatus = onStatus;
      this.worker = new Worker(WORKER_URL, { type: "module" });
      this.pending = new Map();
      this.next = 0;
      this.startedAt = performance.now();
      this.bootMs = null;
      this.worker.onmessage = ({ data }) => {
        if (data.type === "status") return this.onStatus(data.text);
        if (data.type === "booted") {
          this.bootMs = data.ms;
          return;
        }
        const waiting = this.pending.get(data.id);
        if (!waiting) return;
        this.pending.delete(data.id);
        if (data.type === "result") waiting.resolve(data.result);
        else waiting.reject(new Error(data.message));
      };
      this.worker.onerror = (event) => {
        event.preventDefault();
        this.fail(new Error(`Python could not start: ${event.message || "worker error"}`));
      };
      this.start = this.ask({ type: "start" });
    }

    ask(message) {
      const id = this.next++;
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker.postMessage({ ...message, id });
      });
    }

    run(code, kind) {
      return this.ask({ type: "run", code, kind });
    }

    fail(error) {
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    }

    end(reason) {
      this.worker.terminate();
      const error = new Error(reason);
      error.stopped = true;
      this.fail(error);
    }
  }

  // ---- one page ---------------------------------------------------------------

  class Page {
    constructor(body) {
      this.blocks = [...body.querySelectorAll(RUNNABLE)].map((element) => new Block(element, this));
      this.python = null;
      this.ran = new Set();
      this.queue = Promise.resolve();
      this.running = null;
      for (const block of this.blocks) block.setUp();
    }

    get runnable() {
      return this.blocks.filter((block) => block.runs);
    }

    ensurePython() {
      if (!this.python) {
        this.python = new Python((text) => this.status(text));
        this.ran.clear();
      }
      return this.python;
    }

    status(text) {
      const block = this.statusBlock || this.running;
      if (block) block.say(text);
    }

    // Runs `target`, and before it every earlier block not yet run in this
    // Python, in page order; blocks that cannot run contribute their imports.
    request(target) {
      this.queue = this.queue.then(() => this.runUpTo(target));
      return this.queue;
    }

    async runUpTo(target) {
      const python = this.ensurePython();
      this.statusBlock = target;
      for (const block of this.blocks) {
        if (block === target) break;
        if (this.ran.has(block)) continue;
        if (!block.runs) {
          if (block.prelude) await python.run(block.prelude, "script").catch(() => {});
          this.ran.add(block);
          continue;
        }
        // An earlier block that fails or disagrees with the book (after an
        // edit, say) shows so, and the blocks after it run all the same, as
        // under pytest. Only an ended Python stops the chain.
        const finished = await this.runOne(block, python);
        if (!finished) {
          target.say(`Not run: the block at line ${block.line} could not run.`);
          target.element.dataset.mgState = "blocked";
          return;
        }
      }
      await this.runOne(target, python);
    }

    async runOne(block, python) {
      this.running = block;
      block.starting();
      try {
        const result = await python.run(block.code(), block.kind);
        this.ran.add(block);
        block.show(result, python);
        return true;
      } catch (error) {
        block.failed(error);
        return false;
      } finally {
        this.running = null;
      }
    }

    stop() {
      if (!this.python) return;
      const block = this.running;
      this.python.end("Stopped.");
      this.python = null;
      this.ran.clear();
      this.queue = Promise.resolve();
      for (const other of this.blocks) other.idle();
      if (block) {
        block.say(
          "Stopped: Python was ended, and with it everything this page had run. " +
            "Run again to start afresh.",
        );
        block.element.dataset.mgState = "stopped";
      }
    }

    restart(from) {
      if (this.python) this.python.end("Restarted.");
      this.python = null;
      this.ran.clear();
      this.queue = Promise.resolve();
      for (const block of this.blocks) block.idle();
      from.say("Restarted: the page's Python starts clean at the next Run.");
    }

    leave() {
      if (this.python) this.python.end("Left the page.");
      this.python = null;
    }
  }

  // ---- one block ----------------------------------------------------------------

  let editorCount = 0;

  class Block {
    constructor(element, owner) {
      this.element = element;
      this.page = owner;
      this.kind = element.dataset.mgRun;
      this.runs = this.kind === "doctest" || this.kind === "script";
      this.line = Number(element.dataset.mgLine);
      this.prelude = element.dataset.mgPrelude || "";
      const code = element.querySelector("pre > code");
      this.original = code ? code.textContent.replace(/\n$/, "") : "";
      this.editor = null;
    }

    code() {
      return this.editor ? this.editor.value : this.original;
    }

    setUp() {
      if (this.element.dataset.mgReady) return;
      this.element.dataset.mgReady = "true";
      if (!this.runs) return this.explain();
      this.buildOutput = this.findBuildOutput();
      const bar = document.createElement("div");
      bar.className = "mg-run-bar";
      const label = `the block at line ${this.line}`;
      this.runButton = this.button("Run", `Run ${label}`, () => this.page.request(this));
      this.editButton = this.button("Edit", `Edit ${label}`, () => this.edit());
      this.resetButton = this.button("Reset", `Reset: put back the book's code of ${label}`, () => this.reset());
      this.stopButton = this.button("Stop", "Stop the running block", () => this.page.stop());
      this.restartButton = this.button(
        "Restart",
        "Restart: forget everything this page ran",
        () => this.page.restart(this),
      );
      this.resetButton.hidden = true;
      this.stopButton.hidden = true;
      this.statusLine = document.createElement("span");
      this.statusLine.className = "mg-run-status";
      this.statusLine.setAttribute("role", "status");
      bar.append(
        this.runButton,
        this.editButton,
        this.resetButton,
        this.stopButton,
        this.restartButton,
        this.statusLine,
      );
      // Pointing at Run starts Python early; only then is anything loaded.
      const warm = () => this.page.ensurePython();
      this.runButton.addEventListener("pointerenter", warm, { once: true });
      this.live = document.createElement("div");
      this.live.className = "mg-live";
      this.live.setAttribute("aria-live", "polite");
      this.element.after(bar, this.live);
      this.bar = bar;
    }

    // Each button's name starts with the word it shows, so that a reader
    // who says "click Restart" to speech control reaches it.
    button(text, title, action) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `md-button mg-run-${text.toLowerCase()}`;
      button.textContent = text;
      button.title = title;
      button.setAttribute(
        "aria-label",
        title.startsWith(text) ? title : `${text}: ${title}`,
      );
      button.addEventListener("click", action);
      return button;
    }

    explain() {
      const note = document.createElement("p");
      note.className = "mg-run-note";
      const notebook = document.querySelector(".mg-notebook-link a");
      note.append(`Not runnable in the page: this block ${this.element.dataset.mgReason}. `);
      if (notebook) {
        const link = document.createElement("a");
        link.href = notebook.href;
        link.textContent = "Run it in this page's notebook";
        note.append(link, ", or on your machine with ");
      } else {
        note.append("Run it on your machine with ");
      }
      const command = document.createElement("code");
      command.textContent = `pytest ${this.element.dataset.mgFile}`;
      note.append(command, ".");
      this.element.after(note);
    }

    findBuildOutput() {
      const next = this.element.nextElementSibling;
      if (!next) return null;
      if (next.matches(".mg-output")) return next;
      if (next.matches(".tabbed-set") && next.querySelector(".mg-output")) return next;
      return null;
    }

    edit() {
      if (this.editor) {
        this.editor.focus();
        return;
      }
      const editor = document.createElement("textarea");
      editor.className = "mg-editor";
      editor.value = this.code();
      editor.spellcheck = false;
      editor.setAttribute("autocapitalize", "off");
      editor.setAttribute("autocomplete", "off");
      editor.setAttribute("aria-label", `Code of the block at line ${this.line}`);
      editor.id = `mg-editor-${++editorCount}`;
      editor.rows = Math.min(30, editor.value.split("\n").length + 1);
      editor.addEventListener("keydown", (event) => this.key(event));
      const hint = document.createElement("p");
      hint.className = "mg-editor-hint";
      hint.textContent = "Ctrl+Enter runs · Tab indents · Esc leaves the editor";
      this.hint = hint;
      this.element.classList.add("mg-editing");
      this.element.append(editor, hint);
      this.editor = editor;
      this.resetButton.hidden = false;
      this.editButton.hidden = true;
      editor.focus();
    }

    key(event) {
      const editor = this.editor;
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.page.request(this);
      } else if (event.key === "Escape") {
        event.preventDefault();
        this.runButton.focus();
      } else if (event.key === "Tab" && !event.shiftKey && !event.altKey) {
        event.preventDefault();
        editor.setRangeText("    ", editor.selectionStart, editor.selectionEnd, "end");
      }
    }

    reset() {
      if (this.editor) {
        this.editor.remove();
        this.hint.remove();
        this.editor = null;
        this.element.classList.remove("mg-editing");
      }
      this.resetButton.hidden = true;
      this.editButton.hidden = false;
      this.live.replaceChildren();
      if (this.buildOutput) this.buildOutput.hidden = false;
      delete this.element.dataset.mgState;
      this.say("The book's code is back; Run shows its output again.");
      this.editButton.focus();
    }

    say(text) {
      this.statusLine.textContent = text;
    }

    starting() {
      this.element.dataset.mgState = "running";
      this.stopButton.hidden = false;
      this.say("Running…");
    }

    idle() {
      if (!this.runs) return;
      this.stopButton.hidden = true;
      if (this.element.dataset.mgState === "running") delete this.element.dataset.mgState;
    }

    failed(error) {
      this.stopButton.hidden = true;
      if (error.stopped) return;
      this.element.dataset.mgState = "error";
      this.say(error.message);
    }

    show(result, python) {
      this.stopButton.hidden = true;
      const shown = [];
      if (this.kind === "doctest") shown.push(...this.foldedWhenAllAgree(this.transcript(result), result));
      if (result.stdout) shown.push(this.pre(result.stdout, "mg-live-stdout"));
      if (result.error) shown.push(this.pre(result.error, "mg-live-error"));
      if (result.svgs && result.svgs.length) shown.push(this.graphs(result.svgs));
      else if (result.value != null) shown.push(this.pre(result.value, "mg-live-value"));
      this.live.replaceChildren(...shown);
      if (result.svgs && result.svgs.length) {
        this.live.dispatchEvent(new CustomEvent("mg:graphs", { bubbles: true }));
      }
      // A drawing made here stands in for the one the build made.
      if (this.buildOutput) this.buildOutput.hidden = Boolean(result.svgs && result.svgs.length);
      this.element.dataset.mgState = result.ok ? "ok" : "failed";
      let text;
      if (this.kind === "doctest") {
        const examples = result.examples || [];
        const agree = examples.filter((example) => example.ok).length;
        text =
          agree === examples.length
            ? `All ${examples.length} outputs as the book shows`
            : `${examples.length - agree} of ${examples.length} outputs differ from the book`;
      } else {
        text = result.ok ? "Done" : "Stopped with an error";
      }
      const boot = python.bootMs != null && !python.reported ? ` (Python started in ${(python.bootMs / 1000).toFixed(1)} s)` : "";
      if (boot) python.reported = true;
      this.say(`${text} in ${Math.max(1, Math.round(result.ms))} ms${boot}.`);
    }

    pre(text, className) {
      const pre = document.createElement("pre");
      pre.className = className;
      const code = document.createElement("code");
      code.textContent = text;
      pre.append(code);
      return pre;
    }

    // When every output is the book's, the transcript would repeat the block
    // just above it: it is folded, one click away. Any difference shows open.
    foldedWhenAllAgree(shown, result) {
      const examples = result.examples || [];
      if (!shown.length || !examples.every((example) => example.ok)) return shown;
      const details = document.createElement("details");
      details.className = "mg-live-transcript";
      const summary = document.createElement("summary");
      summary.textContent = "This run's transcript";
      details.append(summary, ...shown);
      return [details];
    }

    // One transcript of every example, as a console would show it; an
    // example whose output differs from the book's is set apart with both.
    transcript(result) {
      const shown = [];
      let agreeing = [];
      const flush = () => {
        if (agreeing.length) shown.push(this.pre(agreeing.join("\n"), "mg-live-doctest"));
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
          this.pre(source, "mg-live-doctest"),
          label("The book expects:"),
          this.pre(example.want.replace(/\n$/, "") || "(nothing)", "mg-live-want"),
          label("This run gave:"),
          this.pre(example.got.replace(/\n$/, "") || "(nothing)", "mg-live-got"),
        );
        shown.push(item);
      }
      flush();
      return shown;
    }

    graphs(svgs) {
      const holder = document.createElement("div");
      holder.className = "mg-live-graphs";
      if (svgs.length === 1 && !svgs[0][0]) {
        holder.append(this.graph(svgs[0][1]));
        return holder;
      }
      const list = document.createElement("div");
      list.className = "mg-live-tabs";
      list.setAttribute("role", "tablist");
      const panels = svgs.map(([title, svg], index) => {
        const tab = document.createElement("button");
        tab.type = "button";
        tab.setAttribute("role", "tab");
        tab.textContent = title;
        // The panel holds the drawing, as the build's tabs do, so the
        // drawing can be a button that opens it at full size (graph-zoom.js).
        const panel = document.createElement("div");
        panel.setAttribute("role", "tabpanel");
        panel.append(this.graph(svg));
        panel.hidden = index !== 0;
        tab.setAttribute("aria-selected", String(index === 0));
        tab.addEventListener("click", () => {
          for (const other of list.children) other.setAttribute("aria-selected", "false");
          tab.setAttribute("aria-selected", "true");
          panels.forEach((p) => {
            p.hidden = p !== panel;
          });
        });
        list.append(tab);
        return panel;
      });
      holder.append(list, ...panels);
      return holder;
    }

    graph(svg) {
      const output = document.createElement("div");
      output.className = "mg-output mg-graph mg-live-graph";
      output.innerHTML = svg;
      return output;
    }
  }

  // Material swaps the page's content on instant navigation and emits again;
  // each page starts with no Python.
  document$.subscribe(({ body }) => {
    if (page) page.leave();
    page = new Page(body);
    window.mgRunPage = page;
  });
})();
