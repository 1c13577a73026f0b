// Live graphs: a block that draws a graph of Values gets "Make it live".
// Every leaf gets a slider and a number field; moving one runs the
// chapter's own code again in the page's Python with that leaf changed
// (bookbuild/live_graph.py, through the worker's `call`), runs the
// version's backward pass and redraws. A node of the drawing, clicked or
// reached with Tab and Enter, shows its data, gradient, operation and the
// chain-rule step that gave its gradient; Step, Back and Play go through
// the backward pass one rule at a time. All numbers come from Python; this
// file only asks and shows.
//
// Without JavaScript, in print and until the live version is ready, the
// build's still figures stay as they are.

(() => {
  // A call of draw_dot itself (not my_draw_dot, not .draw_dot).
  const DRAWS = /(^|[^\w.])draw_dot\s*\(/m;
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  // Play's speeds: milliseconds between steps.
  const SPEEDS = [
    ["Slow", 1600],
    ["Medium", 900],
    ["Fast", 400],
  ];
  // Quiet time before changed numbers are read out.
  const ANNOUNCE_AFTER_MS = 800;
  // How long changed nodes stay marked.
  const MARK_MS = 1500;

  let views = 0;

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text != null) made.textContent = text;
    return made;
  }

  function button(text, label, action) {
    const made = element("button", `md-button mg-lg-${text.toLowerCase()}`, text);
    made.type = "button";
    if (label) made.setAttribute("aria-label", label.startsWith(text) ? label : `${text}: ${label}`);
    made.addEventListener("click", action);
    return made;
  }

  // The same profile the page's other drawings pass through (run-output.js).
  function cleanSvg(svg) {
    if (!window.DOMPurify || !window.DOMPurify.isSupported) return null;
    return window.DOMPurify.sanitize(svg, {
      USE_PROFILES: { svg: true, svgFilters: true },
      ADD_ATTR: ["role", "xml:space"],
      RETURN_DOM_FRAGMENT: true,
    });
  }

  function offer(block) {
    if (!block.runs || block.liveButton || !block.bar) return;
    block.liveButton = button(
      "Make it live",
      `Make it live: a slider for every input of the graph of the block at line ${block.line}`,
      () => makeLive(block),
    );
    block.liveButton.classList.add("mg-lg-make");
    block.bar.insertBefore(block.liveButton, block.statusLine);
    // Reset puts the book's code and figure back: the live view goes.
    if (block.resetButton) block.resetButton.addEventListener("click", () => dropView(block));
  }

  function dropView(block) {
    if (!block.liveView) return;
    block.liveView.remove();
    block.liveView = null;
    block.live.hidden = false;
  }

  function codesRun(page) {
    return page.history.map((step) => [step.code, step.block.runs ? step.block.kind : "script"]);
  }

  async function makeLive(block) {
    const page = block.page;
    if (page.busy) {
      block.say(`Wait: the block at line ${page.busy.line} is running.`);
      return;
    }
    const last = page.history[page.history.length - 1];
    if (!last || last.block !== block || last.code !== block.code() || !page.python || !page.python.alive) {
      await page.request(block);
    }
    const now = page.history[page.history.length - 1];
    if (!now || now.block !== block || !page.python) return;
    block.say("Making it live: running the chapter's code again…");
    let answer;
    try {
      answer = await page.python.call("live_graph", "prepare", JSON.stringify(codesRun(page)));
    } catch (error) {
      block.say(`Could not make it live: ${error.message}`);
      return;
    }
    if (!answer.ok) {
      block.say(`Could not make it live: ${answer.error}`);
      return;
    }
    dropView(block);
    block.liveView = new LiveView(block, answer);
    // The live version stands in for the still figures and the run's output.
    if (block.buildOutput) {
      block.buildOutput.hidden = true;
      // Paper gets the still figure back (live.css).
      block.buildOutput.classList.add("mg-lg-replaced");
    }
    block.live.hidden = true;
    block.say(`Live: move a slider, or choose a node of the graph (Tab, then Enter) to read its gradient.`);
    block.liveView.focusFirst();
  }

  // One block's live graphs: the main graph (and its twin, the same code
  // with the other version's rules) or, for a block that draws several,
  // one figure each.
  class LiveView {
    constructor(block, answer) {
      this.block = block;
      this.python = block.page.python;
      this.root = element("section", "mg-lg-view");
      this.root.setAttribute("aria-label", `Live graph of the block at line ${block.line}`);
      block.live.after(this.root);
      this.figures = [];
      const states = answer.live;
      const twins = new Map();
      states.forEach((state, index) => {
        if (state.id.endsWith("-twin")) twins.set(state.id.slice(0, -5), index);
      });
      states.forEach((state, index) => {
        if (state.id.endsWith("-twin")) return;
        const twinIndex = twins.get(state.id);
        const figure = new LiveFigure(this, state, answer.svgs[state.drawing], twinIndex == null ? null : {
          state: states[twinIndex],
          svg: answer.svgs[states[twinIndex].drawing],
        });
        this.figures.push(figure);
      });
    }

    focusFirst() {
      const first = this.root.querySelector("input");
      if (first) first.focus();
    }

    remove() {
      for (const figure of this.figures) figure.stop();
      this.root.remove();
    }
  }

  class LiveFigure {
    constructor(view, state, svg, twin) {
      this.view = view;
      this.id = state.id;
      this.number = ++views;
      this.state = state;
      this.twin = twin;
      this.k = state.steps;
      this.pending = null;
      this.inFlight = false;
      this.playing = null;
      this.selected = null;

      const root = element("div", "mg-lg-figure-set");
      view.root.append(root);
      if (state.title) root.append(element("h3", "mg-lg-title", state.title));
      this.root = root;

      const graphs = element("div", twin ? "mg-lg-graphs mg-lg-pair" : "mg-lg-graphs");
      this.main = this.graphBox(state, twin ? this.ruleCaption(state) : "");
      graphs.append(this.main.box);
      if (twin) {
        this.other = this.graphBox(twin.state, this.ruleCaption(twin.state));
        graphs.append(this.other.box);
      }
      root.append(graphs);

      const panel = element("div", "mg-lg-panel");
      panel.append(this.leafControls(state), this.nodeDetails(), this.stepControls(state));
      root.append(panel);
      this.announcer = element("p", "mg-lg-announce");
      this.announcer.setAttribute("aria-live", "polite");
      root.append(this.announcer);

      this.show(this.main, svg, state, null);
      if (twin) this.show(this.other, twin.svg, twin.state, null);
      this.updateStepText(null);
    }

    ruleCaption(state) {
      const name = state.version.replace("micrograd.versions.v", "version ");
      const sample = Object.values(state.nodes).flatMap((node) => node.steps).find((text) => /\.grad \+?= /.test(text)) || "";
      const adds = /\.grad \+= /.test(sample);
      return `${name}: the rules ${adds ? "add (+=)" : "assign (=)"}`;
    }

    graphBox(state, caption) {
      const box = element("figure", "mg-lg-graph-box");
      const drawing = element("div", "mg-graph mg-lg-figure");
      box.append(drawing);
      if (caption) box.append(element("figcaption", "mg-lg-caption", caption));
      return { box, drawing, state };
    }

    // ---- the leaves

    leafControls(state) {
      const set = element("fieldset", "mg-lg-leaves");
      set.append(element("legend", "", "Inputs (leaves)"));
      if (!state.leaves.length) set.append(element("p", "", "This graph has no leaves to change."));
      this.inputs = state.leaves.map((leaf) => {
        const row = element("div", "mg-lg-leaf");
        const id = `mg-lg-${this.number}-${leaf.index}`;
        const label = element("label", "", leaf.name);
        label.htmlFor = id;
        const range = document.createElement("input");
        range.type = "range";
        range.id = id;
        range.min = String(leaf.min);
        range.max = String(leaf.max);
        range.step = String(leaf.step);
        range.value = String(leaf.data);
        const number = document.createElement("input");
        number.type = "number";
        number.step = "any";
        number.value = String(leaf.data);
        number.setAttribute("aria-label", `${leaf.name}, exact value`);
        range.addEventListener("input", () => {
          number.value = range.value;
          this.request(leaf, Number(range.value));
        });
        number.addEventListener("change", () => {
          const value = Number(number.value);
          if (number.value.trim() === "" || !Number.isFinite(value)) {
            this.say(`${leaf.name} needs a number.`);
            return;
          }
          range.value = String(value);
          this.request(leaf, value);
        });
        row.append(label, range, number);
        set.append(row);
        return { leaf, range, number };
      });
      return set;
    }

    // Only the latest value waits: while one run is in flight, newer
    // moves replace each other instead of queueing.
    request(leaf, value) {
      this.pending = { leaf, value };
      if (!this.inFlight) this.pump();
    }

    async pump() {
      this.inFlight = true;
      try {
        while (this.pending) {
          const { leaf, value } = this.pending;
          this.pending = null;
          this.stopPlaying();
          const started = performance.now();
          let answer;
          try {
            answer = await this.view.python.call("live_graph", "set_leaf", this.id, leaf.index, value);
          } catch (error) {
            this.say(`Could not run it again: ${error.message}`);
            continue;
          }
          if (!answer.ok) {
            this.say(answer.error);
            continue;
          }
          this.applyAnswer(answer, true);
          // Times of the last update, read by the tests and the benchmark.
          this.root.dataset.mgLastMs = String(performance.now() - started);
          this.root.dataset.mgPythonMs = String(answer.ms || 0);
          this.root.dataset.mgDrawMs = String(answer.drawMs || 0);
          this.root.dataset.mgUpdates = String(Number(this.root.dataset.mgUpdates || 0) + 1);
          this.announceLater(leaf.name);
        }
      } finally {
        this.inFlight = false;
      }
    }

    applyAnswer(answer, changed) {
      const [state, twinState] = answer.live;
      this.state = state;
      this.k = state.steps;
      this.paint(this.main, answer, state, changed ? state.changed : null);
      if (this.twin && twinState) {
        this.twin.state = twinState;
        this.paint(this.other, answer, twinState, changed ? twinState.changed : null);
      }
      this.updateStepText(null);
      if (this.selected) this.describe(this.selected);
    }

    // ---- drawing

    show(target, svg, state, changed, step) {
      target.state = state;
      const drawing = cleanSvg(svg && svg[1]);
      target.drawing.replaceChildren();
      if (!drawing) {
        target.drawing.append(element("p", "mg-lg-error", "The drawing cannot be shown: the page's sanitiser did not load."));
        return;
      }
      target.drawing.append(drawing);
      // Its nodes are buttons: the drawing is a group of them, not one image.
      const svgElement = target.drawing.querySelector("svg");
      if (svgElement && svgElement.getAttribute("role") === "img") svgElement.setAttribute("role", "group");
      for (const group of target.drawing.querySelectorAll("g.node")) {
        const title = group.querySelector("title");
        const name = title ? title.textContent : "";
        const node = state.nodes[name];
        if (!node) continue;
        group.dataset.mgNode = name;
        group.setAttribute("tabindex", "0");
        group.setAttribute("role", "button");
        // The name starts with what the box shows (label, data, grad), so
        // a reader who sees it can say it.
        const visible = [...group.querySelectorAll("text")].map((text) => text.textContent.trim());
        group.setAttribute("aria-label", `${visible.join(" ")}: show how it was computed`);
        group.addEventListener("click", () => this.choose(target, name));
        group.addEventListener("keydown", (event) => {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            this.choose(target, name);
          }
        });
        if (changed && changed.includes(name)) this.mark(group);
        if (this.selected && this.selected.name === name && this.selected.target === target) {
          group.classList.add("mg-lg-selected");
        }
      }
      if (step && step.node) this.markStep(target, step);
    }

    // A drawing from Graphviz, or (same shape as the last one) new text in
    // the drawing on show: live_graph.py decides which.
    paint(target, answer, state, changed, step) {
      if (state.drawing != null) {
        this.show(target, answer.svgs[state.drawing], state, changed, step);
        return;
      }
      target.state = state;
      for (const group of target.drawing.querySelectorAll("g.node[data-mg-node]")) {
        const texts = state.texts[group.dataset.mgNode];
        if (!texts) continue;
        const lines = group.querySelectorAll("text");
        texts.forEach((text, index) => {
          if (lines[index]) lines[index].textContent = text;
        });
        group.setAttribute("aria-label", `${texts.join(" ")}: show how it was computed`);
        if (changed && changed.includes(group.dataset.mgNode)) this.mark(group);
      }
      for (const old of target.drawing.querySelectorAll(".mg-lg-stepping, .mg-lg-writing")) {
        old.classList.remove("mg-lg-stepping", "mg-lg-writing");
      }
      if (step && step.node) this.markStep(target, step);
      const svg = target.drawing.querySelector("svg");
      if (svg) {
        svg.setAttribute("aria-label", state.description);
        const title = svg.querySelector(":scope > title");
        if (title) title.textContent = state.description;
      }
    }

    // A drawing patched in place keeps its nodes: the mark starts again.
    mark(group) {
      const kind = reducedMotion.matches ? "mg-lg-changed-still" : "mg-lg-changed";
      group.classList.remove("mg-lg-changed", "mg-lg-changed-still");
      void group.getBoundingClientRect();
      group.classList.add(kind);
      clearTimeout(group.mgMarkTimer);
      group.mgMarkTimer = setTimeout(() => group.classList.remove(kind), MARK_MS);
    }

    markStep(target, step) {
      const node = target.drawing.querySelector(`g.node[data-mg-node="${step.node}"]`);
      if (node) node.classList.add("mg-lg-stepping");
      for (const edge of target.drawing.querySelectorAll("g.edge")) {
        const title = edge.querySelector("title");
        const text = title ? title.textContent : "";
        if (step.writes.some((written) => text === `${written}->${step.node}_op`)) {
          edge.classList.add("mg-lg-writing");
        }
      }
    }

    // ---- a node's story

    nodeDetails() {
      this.details = element("div", "mg-lg-node");
      this.details.append(element("p", "mg-lg-hint", "Choose a node of the graph to see how its gradient was computed."));
      return this.details;
    }

    choose(target, name) {
      this.selected = { target, name };
      for (const group of this.root.querySelectorAll(".mg-lg-selected")) group.classList.remove("mg-lg-selected");
      const group = target.drawing.querySelector(`g.node[data-mg-node="${name}"]`);
      if (group) group.classList.add("mg-lg-selected");
      this.describe(this.selected);
    }

    describe({ target, name }) {
      const node = target.state.nodes[name];
      if (!node) return;
      const list = element("dl", "mg-lg-facts");
      const fact = (term, value) => list.append(element("dt", "", term), element("dd", "", value));
      fact("data", node.data);
      fact("grad", node.grad == null ? "this version has no gradients" : node.grad);
      fact(
        "made by",
        node.op ? `${node.op} of ${node.operands.join(" and ")}` : "nothing: it is a leaf, an input of the graph",
      );
      const steps = element("div", "mg-lg-chain");
      if (node.steps.length) {
        for (const text of node.steps) steps.append(element("code", "", text));
        if (node.steps.length > 1) {
          const adds = node.steps.every((text) => text.includes(".grad += "));
          steps.append(
            element(
              "p",
              "",
              adds
                ? "It is used twice: both shares are added up."
                : "It is used twice, and the rules assign: the later one overwrote the earlier.",
            ),
          );
        }
      } else if (target.state.gradients === "by hand") {
        steps.append(element("p", "", "This version has no backward rules: its gradient is the one the chapter's code set by hand."));
      } else if (target.state.gradients === "none") {
        steps.append(element("p", "", "This version has no gradients yet."));
      } else {
        steps.append(element("p", "", "No rule wrote to it."));
      }
      const heading = element("h4", "", node.name);
      this.details.replaceChildren(heading, list, element("p", "mg-lg-chain-lead", "Chain rule:"), steps);
    }

    // ---- stepping through backward

    stepControls(state) {
      const box = element("div", "mg-lg-steps");
      if (!state.steps) {
        box.append(element("p", "", "This version has no backward rules to step through."));
        this.stepText = element("div");
        return box;
      }
      const bar = element("div", "mg-lg-step-bar");
      this.startButton = button("Start", "Start: zero every gradient, before the seed", () => this.stepTo(0));
      this.backButton = button("Back", "Back one step of the backward pass", () => this.stepTo(this.nextK() - 1));
      this.stepButton = button("Step", "Step: run the next rule of the backward pass", () => this.stepTo(this.nextK() + 1));
      this.endButton = button("End", "End: every rule run, as backward() leaves it", () => this.stepTo(this.state.steps));
      bar.append(this.startButton, this.backButton, this.stepButton, this.endButton);
      if (!reducedMotion.matches) {
        this.playButton = button("Play", "Play the backward pass step by step", () => this.togglePlay());
        const label = element("label", "mg-lg-speed");
        label.append("Speed ");
        this.speed = document.createElement("select");
        for (const [name, ms] of SPEEDS) {
          const option = element("option", "", name);
          option.value = String(ms);
          this.speed.append(option);
        }
        this.speed.value = String(SPEEDS[1][1]);
        label.append(this.speed);
        bar.append(this.playButton, label);
      }
      this.stepText = element("div", "mg-lg-step-text");
      box.append(bar, this.stepText);
      return box;
    }

    // Presses faster than Python answers are not lost: each asks for one
    // step past the last one asked for, and only the latest goes next.
    stepTo(k) {
      const total = this.state.steps;
      if (!total) return Promise.resolve();
      this.wantedK = Math.max(0, Math.min(total, k));
      if (!this.stepping) {
        this.stepping = this.pumpSteps().finally(() => {
          this.stepping = null;
          this.fetchingK = null;
        });
      }
      return this.stepping;
    }

    // The step the reader last asked for: waiting, on its way, or shown.
    nextK() {
      return this.wantedK ?? this.fetchingK ?? this.k;
    }

    async pumpSteps() {
      while (this.wantedK != null) {
        const target = this.wantedK;
        this.wantedK = null;
        this.fetchingK = target;
        const answers = [];
        try {
          const ids = [this.id, ...(this.twin ? [this.twin.state.id] : [])];
          for (const id of ids) answers.push(await this.view.python.call("live_graph", "step", id, target));
        } catch (error) {
          this.say(`Could not step: ${error.message}`);
          this.stopPlaying();
          return;
        }
        const failed = answers.find((answer) => !answer.ok);
        if (failed) {
          this.say(failed.error);
          this.stopPlaying();
          return;
        }
        this.k = target;
        this.state = answers[0].live[0];
        this.paint(this.main, answers[0], this.state, null, answers[0].step);
        if (this.twin) {
          this.twin.state = answers[1].live[0];
          this.paint(this.other, answers[1], this.twin.state, null, answers[1].step);
        }
        this.updateStepText(answers.map((answer) => answer.step));
        if (this.selected) this.describe(this.selected);
        if (this.k >= this.state.steps) this.stopPlaying();
      }
    }

    updateStepText(steps) {
      if (!this.stepText || !this.state.steps) return;
      const total = this.state.steps;
      const where = element("p", "mg-lg-step-count");
      where.textContent =
        this.k === 0
          ? `Step 0 of ${total}: every gradient is zero.`
          : this.k >= total
            ? `Step ${total} of ${total}: the backward pass is done.`
            : `Step ${this.k} of ${total}.`;
      const parts = [where];
      if (steps) {
        steps.forEach((step, index) => {
          if (!step || !step.lines.length) return;
          const box = element("div", "mg-lg-step-lines");
          if (steps.length > 1) box.append(element("p", "mg-lg-caption", index ? this.ruleCaption(this.twin.state) : this.ruleCaption(this.state)));
          for (const line of step.lines) box.append(element("code", "", line));
          parts.push(box);
        });
      }
      this.stepText.replaceChildren(...parts);
      if (this.backButton) {
        // aria-disabled, not disabled: a button pressed to the end keeps
        // the keyboard's focus.
        const ends = [
          [this.backButton, this.k === 0],
          [this.startButton, this.k === 0],
          [this.stepButton, this.k >= total],
          [this.endButton, this.k >= total],
        ];
        for (const [control, off] of ends) control.setAttribute("aria-disabled", String(off));
      }
      if (steps) this.say(parts.map((part) => part.textContent).join(" "));
    }

    togglePlay() {
      if (this.playing) {
        this.stopPlaying();
        return;
      }
      if (this.k >= this.state.steps) this.k = -1;
      this.playButton.textContent = "Pause";
      this.playButton.setAttribute("aria-label", "Pause the backward pass");
      const tick = async () => {
        if (!this.playing) return;
        await this.stepTo(this.k + 1);
        if (this.playing) this.playing = setTimeout(tick, Number(this.speed.value));
      };
      this.playing = setTimeout(tick, 0);
    }

    stopPlaying() {
      if (!this.playing) return;
      clearTimeout(this.playing);
      this.playing = null;
      if (this.playButton) {
        this.playButton.textContent = "Play";
        this.playButton.setAttribute("aria-label", "Play the backward pass step by step");
      }
    }

    stop() {
      this.stopPlaying();
      clearTimeout(this.announcing);
    }

    // ---- words for screen readers, not on every move

    say(text) {
      this.announcer.textContent = text;
    }

    announceLater(leafName) {
      clearTimeout(this.announcing);
      this.announcing = setTimeout(() => {
        const nodes = Object.values(this.state.nodes);
        const output = this.state.nodes[this.state.output];
        const leaf = nodes.find((node) => node.name === leafName);
        const parts = [`${leafName} = ${leaf ? leaf.data : "?"}`];
        if (output) parts.push(`${output.name} = ${output.data}`);
        if (leaf && leaf.grad != null) parts.push(`${leafName}.grad = ${leaf.grad}`);
        this.say(parts.join(", "));
      }, ANNOUNCE_AFTER_MS);
    }
  }

  document.addEventListener("mg:page", ({ detail }) => {
    for (const block of detail.page.blocks) {
      if (block.kind === "script" && DRAWS.test(block.original)) offer(block);
    }
  });

  // A block the reader ran (edited or not) whose result is a drawing: its
  // old live view is gone with the old run, and it may be made live again.
  document.addEventListener("mg:graphs", (event) => {
    const block = event.detail && event.detail.block;
    if (!block) return;
    dropView(block);
    offer(block);
  });
})();
