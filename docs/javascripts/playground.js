// The Playground page (playground.md): micrograd.nn trained live.
//
// Every number comes from the page's Python (run-worker.js, through
// run-python.js), where bookbuild/playground.py holds the data, the network
// and the training code; this file only asks it for steps and draws what it
// answers. Training runs in the worker, a batch of steps per call, sized so
// each call takes about a tenth of a second; the main thread parses the
// answer and paints, nothing more. The boundary's grid is asked for so that
// a new one is shown every BOUNDARY_MS or so (2.5 a second).

(() => {
  const MODULE = "playground";
  const CALL_MS = 100; // aim for calls of this length while playing
  const BOUNDARY_MS = 400; // a new boundary at most this long after the last
  const ANNOUNCE_MS = 5000; // speak the readout at most this often
  const STUCK_MS = 3000; // Reset ends a Python whose call runs longer
  const EDITOR_KEYS = "Ctrl+Enter runs this code · Tab indents · Esc then Tab leaves the editor";
  const SVG = "http://www.w3.org/2000/svg";

  function colours(root) {
    const style = getComputedStyle(root);
    const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
    return {
      positive: read("--mg-pg-positive", "#1f77b4"),
      negative: read("--mg-pg-negative", "#e8590c"),
      ink: read("--md-default-fg-color", "#000"),
      faint: read("--md-default-fg-color--lighter", "#999"),
      paper: read("--md-default-bg-color", "#fff"),
    };
  }

  function rgb(colour) {
    const probe = document.createElement("canvas").getContext("2d");
    probe.fillStyle = colour;
    const hex = probe.fillStyle;
    if (hex.startsWith("#")) {
      return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    }
    return (hex.match(/\d+/g) || [0, 0, 0]).slice(0, 3).map(Number);
  }

  function formatLoss(loss) {
    if (loss === null || loss === undefined) return "not a number";
    if (loss !== 0 && Math.abs(loss) < 0.001) return loss.toExponential(2);
    return loss.toFixed(4);
  }

  function percent(accuracy) {
    return `${Math.round(accuracy * 100)}%`;
  }

  class Playground {
    constructor(root) {
      this.root = root;
      this.el = {};
      for (const element of root.querySelectorAll("[data-mg-pg]")) {
        this.el[element.dataset.mgPg] = element;
      }
      this.form = root.querySelector("form.mg-pg-settings");
      this.python = null;
      this.queue = Promise.resolve();
      this.playing = false;
      this.chunk = 1;
      this.losses = [];
      this.accuracies = [];
      this.state = null;
      this.lastGrid = 0;
      this.stepMs = 0; // what one training step took in the last call
      this.gridMs = 0; // what computing the last boundary added to its call
      this.lastAnnounce = 0;
      this.announceTimer = null;
      this.bookCode = "";
      this.goodCode = "";
      // The code panel's editor (the book's, run-editor.js): null until it
      // loads, and for good if it cannot, when the textarea stays.
      this.editor = null;
      this.editorOpening = null;
      this.codeSeen = false;
      this.pythonBusy = true;
      this.gone = false;
      this.timings = { calls: 0, steps: 0, ms: 0, grids: 0 };
      root.hidden = false;
      // The palette toggle changes the colours the canvases were painted with.
      this.scheme = new MutationObserver(() => this.repaint());
      this.scheme.observe(document.body, { attributeFilter: ["data-md-color-scheme"] });
      this.wire();
      this.watchCodePanel();
      this.reset();
    }

    // ---- talking to Python, one call at a time

    ensurePython() {
      if (!this.python || !this.python.alive) {
        this.python = new window.mgRun.Python((text) => this.say(text));
      }
      return this.python;
    }

    call(name, ...args) {
      const job = this.queue.then(async () => {
        this.busySince = performance.now();
        try {
          return await this.ensurePython().call(MODULE, name, ...args);
        } finally {
          this.busySince = null;
        }
      });
      this.queue = job.catch(() => {});
      return job;
    }

    // A call that has run this long is taken to be stuck (edited code that
    // never returns, say): a worker cannot be interrupted, so Reset ends it
    // and the next call starts a new Python.
    endIfStuck() {
      if (this.busySince !== null && this.busySince !== undefined
          && performance.now() - this.busySince > STUCK_MS && this.python) {
        this.python.end("the reader reset a step that did not finish");
      }
    }

    say(text) {
      this.el.state.textContent = text;
    }

    // ---- the controls

    wire() {
      this.el.play.addEventListener("click", () => (this.playing ? this.pause() : this.play()));
      this.el.step.addEventListener("click", () => this.stepOnce());
      this.el.reset.addEventListener("click", () => this.reset());
      this.form.addEventListener("submit", (event) => event.preventDefault());
      this.form.addEventListener("change", (event) => this.changed(event.target));
      this.el["apply-code"].addEventListener("click", () => this.applyCode(this.codeText()));
      // A reader who reaches the textarea first gets the editor at once.
      this.el.code.addEventListener("focus", () => this.openEditor(), { once: true });
      // The textarea stands in when the editor cannot load: the same keys,
      // except that Escape leaves at once.
      this.el.code.addEventListener("keydown", (event) => {
        const area = this.el.code;
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          this.applyCode(area.value);
        } else if (event.key === "Escape") {
          event.preventDefault();
          this.el["apply-code"].focus();
        } else if (event.key === "Tab" && !event.shiftKey && !event.altKey) {
          event.preventDefault();
          area.setRangeText("    ", area.selectionStart, area.selectionEnd, "end");
        }
      });
      this.el["book-code"].addEventListener("click", () => {
        this.setCodeText(this.bookCode);
        this.applyCode(this.bookCode);
      });
      this.el["show-gradients"].addEventListener("change", () => this.refreshNetwork());
      this.el["draw-point"].addEventListener("click", () =>
        this.drawPoint(Number(this.el.point.value) - 1),
      );
      this.el.boundary.addEventListener("click", (event) => this.clicked(event));
      this.el.table.closest("details").addEventListener("toggle", (event) => {
        if (event.target.open) this.fillTable();
      });
    }

    settings() {
      const data = new FormData(this.form);
      const number = (name) => Number(data.get(name));
      const layers = String(data.get("layers") || "")
        .split(/[,\s]+/)
        .filter(Boolean)
        .map(Number);
      return {
        dataset: data.get("dataset"),
        points: number("points"),
        noise: number("noise"),
        data_seed: number("data_seed"),
        seed: number("seed"),
        layers,
        activation: data.get("activation"),
        loss: data.get("loss"),
        learning_rate: number("learning_rate"),
        batch_size: number("batch_size"),
        l2: number("l2"),
      };
    }

    async changed(target) {
      const live = ["loss", "learning_rate", "l2"];
      if (!live.includes(target.name)) {
        // A new data set or network starts from the seed again.
        await this.reset();
        return;
      }
      const all = this.settings();
      const change = Object.fromEntries(live.map((name) => [name, all[name]]));
      try {
        const answer = await this.call("adjust", JSON.stringify(change));
        this.say(answer.ok ? "Settings changed; the next step uses them." : answer.error);
      } catch (error) {
        this.say(`Python stopped: ${error.message}`);
      }
    }

    // ---- training

    async reset() {
      this.endIfStuck();
      await this.pause();
      this.say("Starting Python…");
      let answer;
      try {
        answer = await this.call("start", JSON.stringify(this.settings()));
      } catch (error) {
        this.say(`Python could not start: ${error.message}`);
        return;
      }
      if (!answer.ok) {
        this.say(`Those settings cannot be used: ${answer.error}`);
        return;
      }
      this.started = answer;
      this.bookCode ||= answer.code;
      if (!this.goodCode) {
        this.goodCode = answer.code;
        this.setCodeText(answer.code);
      } else if (this.goodCode !== answer.code) {
        // The reader's own code goes on after a reset.
        await this.applyCode(this.goodCode, true);
      }
      this.losses = [];
      this.accuracies = [];
      this.el.graph.replaceChildren();
      this.el.point.max = String(answer.points.length);
      this.buildNetwork(answer.sizes);
      this.update(answer);
      this.say("Ready.");
      const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      if (!still && !this.playedOnce) {
        this.playedOnce = true;
        this.play();
      } else {
        this.pythonSettled();
      }
    }

    async play() {
      if (this.playing) return;
      this.playing = true;
      this.el.play.textContent = "Pause";
      this.el.play.setAttribute("aria-pressed", "true");
      this.say("Training…");
      this.looping = this.loop();
    }

    async pause() {
      this.playing = false;
      this.el.play.textContent = "Play";
      this.el.play.setAttribute("aria-pressed", "false");
      if (this.looping) await this.looping;
      this.looping = null;
    }

    async loop() {
      while (this.playing && !this.gone) {
        // A boundary is asked for now if asking one call later would show
        // it more than BOUNDARY_MS after the last one, but never so often
        // that computing it takes more than a quarter of the time: on a
        // slow machine, training goes on.
        const stepsMs = this.chunk * this.stepMs;
        const later = performance.now() + stepsMs + stepsMs + this.gridMs;
        const grid = later - this.lastGrid > Math.max(BOUNDARY_MS, 4 * this.gridMs);
        const started = performance.now();
        let answer;
        try {
          answer = await this.call("train", this.chunk, grid);
        } catch (error) {
          this.playing = false;
          this.say(`Python stopped: ${error.message}`);
          break;
        }
        const ms = performance.now() - started;
        const steps = answer.losses.length;
        if (grid) this.gridMs = Math.max(0, ms - steps * this.stepMs);
        else if (steps) this.stepMs = ms / steps;
        this.timings.calls += 1;
        this.timings.steps += answer.losses.length;
        this.timings.ms += ms;
        if (!this.playing) {
          this.update(answer);
          break;
        }
        this.update(answer);
        // Failed new code was set aside and the last good code goes on; if
        // that code fails too, playing stops.
        if (answer.error && !answer.error.reverted) {
          this.playing = false;
          break;
        }
        // Size the next batch of steps so a call takes about CALL_MS.
        if (this.stepMs) {
          this.chunk = Math.max(1, Math.min(50, Math.round(CALL_MS / this.stepMs)));
        }
        // Let the page paint and take input between calls.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      if (!this.playing) {
        this.el.play.textContent = "Play";
        this.el.play.setAttribute("aria-pressed", "false");
        if (!/stopped|error|failed/i.test(this.el.state.textContent)) this.say("Paused.");
      }
    }

    async stepOnce() {
      if (this.playing) await this.pause();
      try {
        const answer = await this.call("train", 1, true);
        this.update(answer);
        if (!answer.error) this.say("Paused.");
      } catch (error) {
        this.say(`Python stopped: ${error.message}`);
      }
    }

    // ---- the reader's code

    // The editor's bundle is loaded once the code panel is on screen (or
    // near it) and Python has taken its first step, or is ready and not
    // about to play: the page's cold start never waits for it.
    watchCodePanel() {
      if (!("IntersectionObserver" in window)) {
        this.codeSeen = true;
        return;
      }
      const watcher = new IntersectionObserver((entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        watcher.disconnect();
        this.codeSeen = true;
        if (!this.pythonBusy) this.openEditor();
      }, { rootMargin: "0px 0px 200px 0px" });
      watcher.observe(this.el["code-panel"]);
    }

    pythonSettled() {
      if (!this.pythonBusy) return;
      this.pythonBusy = false;
      if (this.codeSeen) this.openEditor();
    }

    // Swaps the textarea for the book's code editor, keeping its text, its
    // error and the focus. If the bundle cannot load, the textarea stays.
    openEditor() {
      this.editorOpening ??= (async () => {
        let create;
        try {
          ({ create } = await window.mgRun.Editor.load());
        } catch (error) {
          console.warn("The code editor could not load; the plain text box stays.", error);
          return;
        }
        const area = this.el.code;
        const host = document.createElement("div");
        host.className = "mg-pg-editor";
        area.before(host);
        this.editor = create(host, {
          doc: area.value,
          label: "The training step",
          onRun: (text) => this.applyCode(text),
          describedBy: "mg-pg-code-keys mg-pg-code-error",
          lineNumbers: true,
        });
        const invalid = area.getAttribute("aria-invalid");
        if (invalid) this.editor.view.contentDOM.setAttribute("aria-invalid", invalid);
        const focused = document.activeElement === area;
        area.hidden = true;
        this.el["code-keys"].textContent = EDITOR_KEYS;
        if (focused) this.editor.focus();
      })();
      return this.editorOpening;
    }

    codeText() {
      return this.editor ? this.editor.getValue() : this.el.code.value;
    }

    setCodeText(text) {
      this.el.code.value = text;
      if (this.editor) this.editor.setValue(text);
    }

    // The element that holds the code for assistive technology: the
    // editor's text box, or the textarea.
    codeField() {
      return this.editor ? this.editor.view.contentDOM : this.el.code;
    }

    async applyCode(source, quiet = false) {
      let answer;
      try {
        answer = await this.call("set_code", source);
      } catch (error) {
        this.say(`Python stopped: ${error.message}`);
        return;
      }
      if (answer.ok) {
        this.pendingCode = source;
        this.showCodeError(null);
        if (!quiet) this.say("The next step runs this code.");
      } else {
        this.showCodeError(answer.error, false);
      }
    }

    showCodeError(error, reverted) {
      const box = this.el["code-error"];
      const code = this.codeField();
      if (!error) {
        box.textContent = "";
        code.removeAttribute("aria-invalid");
        return;
      }
      code.setAttribute("aria-invalid", "true");
      const keeps = reverted === false
        ? ""
        : " The last code that worked keeps running.";
      box.textContent = `${error.message[0].toUpperCase()}${error.message.slice(1)}.${keeps}`;
      if (error.line) this.selectLine(error.line);
    }

    // Marks the line of an error in the editor, without taking the focus.
    selectLine(line) {
      if (this.editor) {
        const { view } = this.editor;
        const { doc } = view.state;
        if (line < 1 || line > doc.lines) return;
        const { from, to } = doc.line(line);
        view.dispatch({ selection: { anchor: from, head: to }, scrollIntoView: true });
        return;
      }
      const lines = this.el.code.value.split("\n");
      const start = lines.slice(0, line - 1).reduce((n, text) => n + text.length + 1, 0);
      const end = start + (lines[line - 1] || "").length;
      this.el.code.setSelectionRange(start, end);
    }

    // ---- drawing what Python answered

    update(answer) {
      const started = performance.now();
      this.draw(answer);
      // What the page's own drawing costs the main thread, per answer.
      (this.timings.updateMs ||= []).push(performance.now() - started);
    }

    draw(answer) {
      if (answer.losses.length) this.pythonSettled();
      this.losses.push(...answer.losses);
      this.accuracies.push(...answer.accuracies);
      this.state = { ...this.state, step: answer.step, weights: answer.weights };
      if (answer.grid) {
        this.grid = answer.grid;
        this.lastGrid = performance.now();
        this.timings.grids += 1;
      }
      if (answer.error) {
        this.showCodeError(answer.error, answer.error.reverted);
        this.say(answer.error.reverted
          ? "The edited code failed; the last code that worked runs from the next step."
          : "The training code failed.");
      } else if (answer.code !== undefined) {
        if (answer.code === this.pendingCode) {
          this.goodCode = answer.code;
          this.pendingCode = null;
        }
      }
      this.readout();
      this.drawCurves();
      // The boundary and the network are repainted with each grid, at most a
      // few times a second, however fast the steps come.
      if (answer.grid || !this.playing) {
        this.drawBoundary();
        this.refreshNetwork();
      }
    }

    current() {
      const n = this.losses.length;
      return n ? { loss: this.losses[n - 1], accuracy: this.accuracies[n - 1] } : null;
    }

    readout() {
      const now = this.current();
      const step = this.state.step;
      const text = now
        ? `Step ${step} · loss ${formatLoss(now.loss)} · accuracy ${percent(now.accuracy)}`
        : `Step ${step}`;
      this.el.readout.textContent = text;
      this.announce(text.replaceAll(" · ", ", "));
    }

    // The live region speaks the latest readout, at most every ANNOUNCE_MS.
    announce(text) {
      this.pendingAnnouncement = text;
      if (this.announceTimer) return;
      const wait = Math.max(0, this.lastAnnounce + ANNOUNCE_MS - performance.now());
      this.announceTimer = setTimeout(() => {
        this.announceTimer = null;
        this.lastAnnounce = performance.now();
        this.el.announce.textContent = this.pendingAnnouncement;
      }, wait);
    }

    toCanvas(x, y) {
      const [x0, x1, y0, y1] = this.grid.bounds;
      const { width, height } = this.el.boundary;
      return [((x - x0) / (x1 - x0)) * width, ((y1 - y) / (y1 - y0)) * height];
    }

    drawBoundary() {
      const canvas = this.el.boundary;
      const grid = this.grid;
      if (!grid || !this.started) return;
      const ctx = canvas.getContext("2d");
      const palette = colours(this.root);
      const positive = rgb(palette.positive);
      const negative = rgb(palette.negative);
      const paper = rgb(palette.paper);
      // The grid's cells as pixels of a small image, scaled up smoothly.
      const cells = document.createElement("canvas");
      cells.width = grid.size;
      cells.height = grid.size;
      const image = cells.getContext("2d").createImageData(grid.size, grid.size);
      grid.scores.forEach((score, i) => {
        const s = score === null ? 0 : Math.max(-1, Math.min(1, score));
        const tint = s >= 0 ? positive : negative;
        const strength = 0.15 + 0.45 * Math.abs(s);
        for (let c = 0; c < 3; c++) {
          image.data[4 * i + c] = paper[c] + (tint[c] - paper[c]) * strength;
        }
        image.data[4 * i + 3] = 255;
      });
      cells.getContext("2d").putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(cells, 0, 0, canvas.width, canvas.height);
      const { points, labels } = this.started;
      ctx.lineWidth = 1.2;
      points.forEach(([x, y], i) => {
        const [cx, cy] = this.toCanvas(x, y);
        ctx.fillStyle = labels[i] > 0 ? palette.positive : palette.negative;
        ctx.strokeStyle = palette.paper;
        ctx.beginPath();
        if (labels[i] > 0) ctx.arc(cx, cy, 4.5, 0, 2 * Math.PI);
        else ctx.rect(cx - 4, cy - 4, 8, 8);
        ctx.fill();
        ctx.stroke();
      });
      const now = this.current();
      const right = now ? Math.round(now.accuracy * points.length) : null;
      canvas.setAttribute(
        "aria-label",
        now
          ? `Decision boundary after step ${this.state.step}: the network puts ` +
              `${right} of ${points.length} points on their own side (${percent(now.accuracy)}). ` +
              "The table below lists every point and its predicted class."
          : `Decision boundary of the untrained network over ${points.length} points.`,
      );
    }

    drawCurves() {
      const canvas = this.el.curves;
      const ctx = canvas.getContext("2d");
      const palette = colours(this.root);
      const { width, height } = canvas;
      const pad = 6;
      ctx.clearRect(0, 0, width, height);
      ctx.strokeStyle = palette.faint;
      ctx.lineWidth = 1;
      ctx.strokeRect(0.5, 0.5, width - 1, height - 1);
      const n = this.losses.length;
      if (!n) {
        canvas.setAttribute("aria-label", "Loss and accuracy: no steps yet");
        return;
      }
      const x = (i) => pad + ((width - 2 * pad) * i) / Math.max(1, n - 1);
      let top = -Infinity;
      let bottom = Infinity;
      let best = Infinity;
      for (const v of this.losses) {
        if (Number.isFinite(v)) best = Math.min(best, v);
        if (!(v > 0) || !Number.isFinite(v)) continue;
        const log = Math.log10(v);
        top = Math.max(top, log);
        bottom = Math.min(bottom, log);
      }
      if (top === -Infinity) [top, bottom] = [1, 0];
      bottom = Math.min(bottom, top - 1);
      // At most two points a pixel: a long run is drawn from a sample.
      const every = Math.max(1, Math.floor(n / (2 * width)));
      const y = (v) => {
        if (!(v > 0) || !Number.isFinite(v)) return pad;
        return pad + ((height - 2 * pad) * (top - Math.log10(v))) / (top - bottom);
      };
      const line = (values, toY, colour, dash) => {
        ctx.beginPath();
        ctx.setLineDash(dash);
        ctx.strokeStyle = colour;
        ctx.lineWidth = 2;
        ctx.moveTo(x(0), toY(values[0]));
        for (let i = every; i < n; i += every) ctx.lineTo(x(i), toY(values[i]));
        ctx.lineTo(x(n - 1), toY(values[n - 1]));
        ctx.stroke();
        ctx.setLineDash([]);
      };
      line(this.losses, y, palette.ink, []);
      line(this.accuracies, (a) => pad + (height - 2 * pad) * (1 - a), palette.positive, [5, 4]);
      const now = this.current();
      canvas.setAttribute(
        "aria-label",
        `Loss and accuracy over ${n} steps: the loss went from ${formatLoss(this.losses[0])} ` +
          `to ${formatLoss(now.loss)} (lowest ${formatLoss(best)}); the accuracy is ` +
          `${percent(now.accuracy)}.`,
      );
    }

    buildNetwork(sizes) {
      const box = this.el.network;
      const width = 600;
      const height = Math.max(160, 16 * Math.max(...sizes) + 24);
      const svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
      svg.setAttribute("role", "img");
      const gap = (width - 60) / (sizes.length - 1);
      const place = sizes.map((count, layer) =>
        Array.from({ length: count }, (_, i) => [
          30 + layer * gap,
          height / 2 + (i - (count - 1) / 2) * 16,
        ]),
      );
      // Lines in the order of net.parameters(): each neuron's weights, then
      // its bias (drawn as the neuron's ring).
      this.lines = [];
      const edges = document.createElementNS(SVG, "g");
      const nodes = document.createElementNS(SVG, "g");
      for (let layer = 1; layer < sizes.length; layer++) {
        place[layer].forEach(([nx, ny]) => {
          place[layer - 1].forEach(([px, py]) => {
            const edge = document.createElementNS(SVG, "line");
            edge.setAttribute("x1", px);
            edge.setAttribute("y1", py);
            edge.setAttribute("x2", nx);
            edge.setAttribute("y2", ny);
            edges.append(edge);
            this.lines.push(edge);
          });
          const ring = document.createElementNS(SVG, "circle");
          ring.setAttribute("cx", nx);
          ring.setAttribute("cy", ny);
          ring.setAttribute("r", 5);
          ring.setAttribute("class", "mg-pg-neuron");
          nodes.append(ring);
          this.lines.push(ring);
        });
      }
      place[0].forEach(([px, py]) => {
        const input = document.createElementNS(SVG, "circle");
        input.setAttribute("cx", px);
        input.setAttribute("cy", py);
        input.setAttribute("r", 5);
        input.setAttribute("class", "mg-pg-input");
        nodes.append(input);
      });
      svg.append(edges, nodes);
      // The value under the pointer, as a tooltip, made when asked.
      svg.addEventListener("mouseover", (event) => {
        const index = this.lines.indexOf(event.target);
        if (index < 0) return;
        const weight = this.state.weights[index];
        const grad = this.gradients ? this.gradients[index] : null;
        let title = event.target.querySelector("title");
        if (!title) {
          title = document.createElementNS(SVG, "title");
          event.target.append(title);
        }
        const kind = event.target.tagName === "circle" ? "bias" : "weight";
        title.textContent =
          `${kind} ${weight.toPrecision(4)}` + (grad === null ? "" : `, gradient ${grad.toPrecision(4)}`);
      });
      box.replaceChildren(svg);
      this.sizes = sizes;
      this.networkSvg = svg;
    }

    async refreshNetwork() {
      if (!this.networkSvg || !this.state) return;
      const showGradients = this.el["show-gradients"].checked;
      let numbers = this.state.weights;
      if (showGradients) {
        // Asked for only while the box is ticked: one more small call.
        if (this.fetchingGradients) return;
        this.fetchingGradients = true;
        try {
          this.gradients = (await this.call("gradients")).gradients;
        } finally {
          this.fetchingGradients = false;
        }
        numbers = this.gradients;
      }
      const palette = colours(this.root);
      const biggest = Math.max(1e-12, ...numbers.map((v) => Math.abs(v ?? 0)));
      numbers.forEach((value, i) => {
        const shape = this.lines[i];
        const v = value ?? 0;
        const colour = v >= 0 ? palette.positive : palette.negative;
        if (shape.tagName === "line") {
          shape.setAttribute("stroke", colour);
          shape.setAttribute("stroke-width", (0.3 + 3.5 * Math.abs(v) / biggest).toFixed(2));
        } else {
          shape.setAttribute("fill", colour);
          shape.setAttribute("fill-opacity", (0.2 + 0.8 * Math.abs(v) / biggest).toFixed(2));
        }
      });
      const what = showGradients ? "gradients" : "weights";
      this.networkSvg.setAttribute(
        "aria-label",
        `The network ${this.sizes.join(" → ")}: ${numbers.length} parameters, drawn by ` +
          `their ${what}; the largest in size is ${biggest.toPrecision(3)}.`,
      );
    }

    async fillTable() {
      const box = this.el.table;
      if (!this.started) return;
      const answer = await this.call("predictions");
      const table = document.createElement("table");
      const caption = table.createCaption();
      caption.textContent = `The ${answer.predicted.length} points after step ${this.state.step}`;
      const head = table.createTHead().insertRow();
      for (const name of ["Point", "x", "y", "Label", "Score", "Predicted"]) {
        const cell = document.createElement("th");
        cell.scope = "col";
        cell.textContent = name;
        head.append(cell);
      }
      const body = table.createTBody();
      this.started.points.forEach(([x, y], i) => {
        const row = body.insertRow();
        const label = this.started.labels[i];
        const predicted = answer.predicted[i];
        const cells = [i + 1, x.toFixed(3), y.toFixed(3), label > 0 ? "+1" : "−1",
          answer.scores[i] === null ? "—" : answer.scores[i].toFixed(3),
          `${predicted > 0 ? "+1" : "−1"}${predicted === label ? "" : " (wrong)"}`];
        cells.forEach((text) => (row.insertCell().textContent = String(text)));
      });
      box.replaceChildren(table);
    }

    // ---- one point's graph

    clicked(event) {
      if (!this.grid || !this.started) return;
      const canvas = this.el.boundary;
      const box = canvas.getBoundingClientRect();
      const px = ((event.clientX - box.left) / box.width) * canvas.width;
      const py = ((event.clientY - box.top) / box.height) * canvas.height;
      let best = -1;
      let bestDistance = 12 * 12;
      this.started.points.forEach(([x, y], i) => {
        const [cx, cy] = this.toCanvas(x, y);
        const d = (cx - px) ** 2 + (cy - py) ** 2;
        if (d < bestDistance) {
          best = i;
          bestDistance = d;
        }
      });
      if (best >= 0) {
        this.el.point.value = String(best + 1);
        this.drawPoint(best);
      }
    }

    async drawPoint(index) {
      const box = this.el.graph;
      box.textContent = "Drawing…";
      let answer;
      try {
        answer = await this.call("point_graph", index);
      } catch (error) {
        box.textContent = `Python stopped: ${error.message}`;
        return;
      }
      if (!answer.ok || !answer.svgs || !answer.svgs.length) {
        box.textContent = answer.error || "Nothing to draw.";
        return;
      }
      const [title, svg] = answer.svgs[0];
      const heading = document.createElement("p");
      heading.textContent = `${title}: loss ${formatLoss(answer.loss)}.`;
      const picture = document.createElement("div");
      picture.className = "mg-pg-graph-picture";
      if (window.DOMPurify && window.DOMPurify.isSupported) {
        picture.append(window.DOMPurify.sanitize(svg, {
          USE_PROFILES: { svg: true, svgFilters: true },
          ADD_ATTR: ["role", "xml:space"],
          RETURN_DOM_FRAGMENT: true,
        }));
      } else {
        picture.textContent = "The graph cannot be shown safely in this browser.";
      }
      box.replaceChildren(heading, picture);
      // The worker said what it loaded; the state is the training's again.
      this.say(this.playing ? "Training…" : "Paused.");
    }

    repaint() {
      if (!this.state) return;
      this.drawBoundary();
      this.drawCurves();
      this.refreshNetwork();
    }

    leave() {
      this.gone = true;
      this.scheme.disconnect();
      this.playing = false;
      if (this.announceTimer) clearTimeout(this.announceTimer);
      if (this.python) this.python.end("the page was left");
    }
  }

  let current = null;
  document$.subscribe(({ body }) => {
    if (current) current.leave();
    current = null;
    const root = body.querySelector("#mg-playground");
    if (root) current = new Playground(root);
    window.mgPlayground = current;
  });
})();
