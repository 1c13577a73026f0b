// One page's runnable blocks and the Python they share (see run-examples.js
// for what the reader gets). A block gives the book's output however often
// it runs: before it runs, the page checks that the namespace holds exactly
// what the blocks above it leave there (each with the code it shows now,
// edited or not); if anything else ran since (this block, a later one, or a
// block since edited), the namespace is emptied and those blocks run again.

(() => {
  const { Python, Editor, output } = window.mgRun;
  const RUNNABLE = "div.language-python.highlight[data-mg-run]";

  function duration(ms) {
    if (ms < 1000) return `${Math.max(1, Math.round(ms))} ms`;
    return `${(ms / 1000).toFixed(1)} s`;
  }

  function plural(count, word) {
    return `${count} ${word}${count === 1 ? "" : "s"}`;
  }

  class Page {
    constructor(body) {
      this.blocks = [...body.querySelectorAll(RUNNABLE)].map((element) => new Block(element, this));
      this.python = null;
      // What ran in this Python's namespace since it started or was emptied,
      // in order: [{block, code}].
      this.history = [];
      // The block the reader ran, while its run (and the runs before it) go on.
      this.busy = null;
      this.stage = "";
      for (const block of this.blocks) block.setUp();
      // Other parts of the page (run-live.js) add to its blocks.
      document.dispatchEvent(new CustomEvent("mg:page", { detail: { page: this } }));
    }

    ensurePython() {
      if (!this.python || !this.python.alive) {
        this.python = new Python((text) => this.status(text), { prepare: ["page_runner"] });
        this.history = [];
      }
      return this.python;
    }

    // What the worker says goes next to the block the reader pressed; while
    // an earlier block runs, after that block's name.
    status(text) {
      if (!this.busy) return;
      if (!this.stage) this.busy.say(text);
      else if (text !== "Running…") this.busy.say(`${this.stage} ${text}`);
    }

    // What the blocks above `target` put in the namespace, as they read now.
    stepsBefore(target) {
      const steps = [];
      for (const block of this.blocks) {
        if (block === target) break;
        // An exercise's starter is the reader's answer, not the book's code.
        if (block.exercise) continue;
        steps.push({ block, code: block.runs ? block.code() : block.prelude });
      }
      return steps;
    }

    // Whether the namespace holds the first steps of `steps` and nothing else.
    holdsStartOf(steps) {
      return (
        this.history.length <= steps.length &&
        this.history.every(
          (done, index) => done.block === steps[index].block && done.code === steps[index].code,
        )
      );
    }

    // `finish(python)`, when given, replaces running `target` itself once the
    // blocks above it have run (an exercise's Check does so).
    request(target, finish = null) {
      if (this.busy) {
        if (this.busy !== target) {
          target.say(`Wait: the block at line ${this.busy.line} is running (its Stop button ends it).`);
        }
        return Promise.resolve();
      }
      this.busy = target;
      for (const block of this.blocks) block.setRunnable(false);
      target.starting();
      return this.runUpTo(target, finish).finally(() => {
        this.busy = null;
        this.stage = "";
        for (const block of this.blocks) block.setRunnable(true);
        target.stopButton.hidden = true;
      });
    }

    async runUpTo(target, finish = null) {
      const began = performance.now();
      const python = this.ensurePython();
      let startMs = 0;
      let earlierMs = 0;
      try {
        if (python.bootMs == null) {
          const waiting = performance.now();
          await python.started;
          startMs = performance.now() - waiting;
        }
        if (this.inherited) {
          // What the previous page ran is still in the namespace.
          await python.reset();
          this.inherited = false;
        }
        const steps = this.stepsBefore(target);
        let replayed = false;
        if (!this.holdsStartOf(steps)) {
          await python.reset();
          this.history = [];
          replayed = true;
        }
        const todo = steps.slice(this.history.length);
        const total = todo.filter((step) => step.block.runs).length;
        let count = 0;
        for (const step of todo) {
          if (!step.block.runs) {
            if (step.code) step.block.showPrelude(await this.tryRun(python, step.code, "script"));
            this.history.push(step);
            continue;
          }
          count += 1;
          this.stage = `Running the block at line ${step.block.line} first (${count} of ${total})…`;
          target.say(this.stage);
          const before = performance.now();
          const finished = await this.runEarlier(step, python);
          earlierMs += performance.now() - before;
          if (!finished) {
            target.say(`Not run: the block at line ${step.block.line} could not run.`);
            target.element.dataset.mgState = "blocked";
            return;
          }
        }
        this.stage = "";
        if (finish) {
          await finish(python);
          return;
        }
        target.say("Running…");
        const code = target.code();
        const result = await python.run(code, target.kind);
        this.history.push({ block: target, code });
        const parts = [];
        if (startMs >= 1) parts.push(`starting Python ${duration(startMs)}`);
        if (total) parts.push(`${plural(total, "earlier block")} ${duration(earlierMs)}`);
        if (result.loadMs >= 1) parts.push(`loading Graphviz ${duration(result.loadMs)}`);
        parts.push(`this block ${duration(result.ms || 0)}`);
        if (result.drawMs >= 1) parts.push(`drawing ${duration(result.drawMs)}`);
        const took = `${duration(performance.now() - began)} in all`;
        const again = replayed
          ? total
            ? " Ran the earlier blocks again from a clean start."
            : " Ran from a clean start."
          : "";
        const text = target.show(result);
        target.say(`${text}.${again} ${took}${parts.length > 1 ? `: ${parts.join(", ")}` : ""}.`);
      } catch (error) {
        this.failed(target, error);
      }
    }

    // A prelude's outcome; a worker that refuses it is an outcome too.
    async tryRun(python, code, kind) {
      try {
        return await python.run(code, kind);
      } catch (error) {
        if (error.stopped || error.fatal) throw error;
        return { ok: false, error: error.message };
      }
    }

    // An earlier block that fails or disagrees with the book (after an edit,
    // say) shows so, and the blocks after it run all the same, as under
    // pytest. Only a Python that cannot answer stops the chain.
    async runEarlier(step, python) {
      const block = step.block;
      block.starting(false);
      const began = performance.now();
      try {
        const result = await python.run(step.code, block.kind);
        this.history.push(step);
        const text = block.show(result);
        block.say(`${text} in ${duration(performance.now() - began)}.`);
        return true;
      } catch (error) {
        if (error.stopped || error.fatal) {
          block.idle();
          throw error;
        }
        block.element.dataset.mgState = "error";
        block.say(error.message);
        return false;
      }
    }

    failed(target, error) {
      for (const block of this.blocks) block.idle();
      if (error.stopped) return;
      target.element.dataset.mgState = "error";
      if (error.fatal) {
        this.python = null;
        this.history = [];
        target.say(
          `Python stopped working (${error.message}), and everything this page ran ` +
            "went with it; it will start again on the next Run.",
        );
        return;
      }
      target.say(error.message);
    }

    stop() {
      if (!this.python) return;
      const target = this.busy;
      this.python.end("Stopped.");
      this.python = null;
      this.history = [];
      for (const block of this.blocks) block.idle();
      if (target) {
        target.say(
          "Stopped: Python was ended, and with it everything this page had run. " +
            "Run again to start afresh.",
        );
        target.element.dataset.mgState = "stopped";
      }
    }

    restart(from) {
      const target = this.busy;
      if (this.python) this.python.end("Restarted.");
      this.python = null;
      this.history = [];
      for (const block of this.blocks) block.idle();
      if (target && target !== from) {
        target.say("Stopped: the page's Python was restarted.");
        target.element.dataset.mgState = "stopped";
      }
      from.say("Restarted: the page's Python starts clean at the next Run.");
    }

    leave() {
      if (this.python) this.python.end("Left the page.");
      this.python = null;
    }

    // Following a link inside the book (Material's instant navigation), the
    // next page keeps this page's Python, already started, and runs in a
    // namespace emptied for it (see adopt): its first Run need not wait for
    // Python to start again. A Python busy with a block is ended instead.
    handOver() {
      const python = this.python;
      this.python = null;
      if (!python || !python.alive) return null;
      if (this.busy) {
        python.end("Left the page.");
        return null;
      }
      return python;
    }

    adopt(python) {
      this.python = python;
      python.onStatus = (text) => this.status(text);
      this.history = [];
      this.inherited = true;
    }
  }

  class Block {
    constructor(element, page) {
      this.element = element;
      this.page = page;
      this.kind = element.dataset.mgRun;
      this.runs = this.kind === "doctest" || this.kind === "script";
      this.line = Number(element.dataset.mgLine);
      this.exercise = element.dataset.mgExercise || "";
      const code = element.querySelector("pre > code");
      // The page hides doctest directive comments; the build keeps the code
      // as the book runs it, with them, when they were there.
      this.original =
        element.dataset.mgSource ?? (code ? code.textContent.replace(/\n$/, "") : "");
      this.editor = null;
    }

    // The imports of a block that cannot run, which the blocks after it need.
    get prelude() {
      return this.element.dataset.mgPrelude || "";
    }

    code() {
      return this.editor ? this.editor.value : this.original;
    }

    setUp() {
      if (this.element.dataset.mgReady) return;
      this.element.dataset.mgReady = "true";
      if (!this.runs) {
        this.note = output.whereToRun(
          this.element,
          `Not runnable in the page: this block ${this.element.dataset.mgReason}. `,
        );
        this.element.after(this.note);
        return;
      }
      this.buildOutput = this.findBuildOutput();
      const bar = document.createElement("div");
      bar.className = "mg-run-bar";
      const label = `the block at line ${this.line}`;
      this.runButton = this.button("Run", `Run ${label}`, () => {
        if (this.runButton.getAttribute("aria-disabled") !== "true") this.page.request(this);
      });
      this.editButton = this.button("Edit", `Edit ${label}`, () => this.edit());
      this.resetButton = this.button("Reset", `Reset: put back the book's code of ${label}`, () =>
        this.reset(),
      );
      this.stopButton = this.button("Stop", `Stop the run of ${label}`, () => this.page.stop());
      this.restartButton = this.button("Restart", "Restart: forget everything this page ran", () =>
        this.page.restart(this),
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
      // An exercise's starter gets Check, hints and its progress (run-exercises.js).
      if (this.exercise && window.mgRun.Exercise) this.exerciseParts = new window.mgRun.Exercise(this);
    }

    // Each button's name starts with the word it shows, so that a reader
    // who says "click Restart" to speech control reaches it.
    button(text, title, action) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `md-button mg-run-${text.toLowerCase()}`;
      button.textContent = text;
      button.title = title;
      button.setAttribute("aria-label", title.startsWith(text) ? title : `${text}: ${title}`);
      button.addEventListener("click", action);
      return button;
    }

    // While any block of the page runs, Run (and an exercise's Check) stays
    // focusable but greyed out; Run then does nothing, Check says to wait.
    setRunnable(on) {
      if (!this.runs) return;
      const buttons = [this.runButton];
      if (this.exerciseParts) buttons.push(this.exerciseParts.checkButton);
      for (const button of buttons) {
        if (on) button.removeAttribute("aria-disabled");
        else button.setAttribute("aria-disabled", "true");
      }
    }

    findBuildOutput() {
      const next = this.element.nextElementSibling;
      if (!next) return null;
      if (next.matches(".mg-output")) return next;
      if (next.matches(".tabbed-set") && next.querySelector(".mg-output")) return next;
      return null;
    }

    // `code`: what the editor opens with; `focus`: false when the page opens it.
    async edit(code = this.code(), focus = true) {
      if (this.editor) {
        if (focus) this.editor.focus();
        return;
      }
      if (this.opening) return;
      this.opening = true;
      try {
        this.editor = await Editor.open(this.element, code, {
          label: `Code of the block at line ${this.line}`,
          onRun: () => this.page.request(this),
        });
      } catch (error) {
        this.say(`The editor could not load (${error.message}); press Edit to try again.`);
        return;
      } finally {
        this.opening = false;
      }
      this.resetButton.hidden = false;
      this.editButton.hidden = true;
      if (focus) this.editor.focus();
    }

    reset() {
      if (this.editor) {
        this.editor.remove();
        this.editor = null;
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
      if (this.statusLine) this.statusLine.textContent = text;
    }

    // `own`: the reader ran this block (it gets Stop); otherwise it runs
    // before the block the reader pressed.
    starting(own = true) {
      this.element.dataset.mgState = "running";
      if (own) this.stopButton.hidden = false;
      this.say(own ? "Starting…" : "Running…");
    }

    idle() {
      if (!this.runs) return;
      if (this.page.busy !== this) this.stopButton.hidden = true;
      if (this.element.dataset.mgState === "running") delete this.element.dataset.mgState;
    }

    // Shows a run's outputs; returns the words the status line starts with.
    show(result) {
      const shown = output.render(result, this.kind, this.element);
      this.live.replaceChildren(...shown);
      const drew = this.live.querySelector(".mg-graph") !== null;
      if (drew) this.live.dispatchEvent(new CustomEvent("mg:graphs", { bubbles: true, detail: { block: this } }));
      // A drawing made here stands in for the one the build made.
      if (this.buildOutput) this.buildOutput.hidden = drew;
      const { state, text } = output.verdict(result, this.kind);
      this.element.dataset.mgState = state;
      return text;
    }

    // A block that cannot run here still runs its imports (its prelude) for
    // the blocks after it; if they fail, the block says so.
    showPrelude(result) {
      if (this.preludeError) this.preludeError.remove();
      this.preludeError = null;
      if (result.ok) return;
      const holder = document.createElement("div");
      holder.className = "mg-live mg-prelude-error";
      const lead = document.createElement("p");
      lead.className = "mg-run-note";
      lead.textContent = "Its imports failed in the page's Python, so the blocks after it may fail too:";
      holder.append(lead, output.pre(result.error || "(no message)", "mg-live-error"));
      (this.note || this.element).after(holder);
      this.preludeError = holder;
    }
  }

  window.mgRun.Page = Page;
})();
