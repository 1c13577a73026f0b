// Exercises the page checks (CONTRIBUTING.md, "Exercises" and "Exercises in
// the page").
//
// The build marks each exercise's starter block with data-mg-exercise (its
// name) and data-mg-checks (the hidden checks). run-page.js gives such a
// block an `Exercise` from here, which adds:
//
// * Check: the earlier book blocks run as for Run (never a starter), then
//   page_runner.check(the reader's code, the checks) in the page's Python;
//   the verdict ("Passed" or "Not yet: ...") goes in a status region;
// * the question's hints one at a time, and its solution behind a question
//   until the reader has pressed Check once;
// * what the reader wrote and finished, kept in this browser's localStorage
//   (no cookie, nothing sent anywhere) under one key per exercise:
//   "micrograd-book:exercise:<page path>:<exercise name>", so work is kept
//   when the chapter's text around the exercise changes.
//
// It also shows, from the list the build writes (assets/exercises.json,
// bookbuild/exercise_index.py), each chapter's progress in the navigation
// and a table of it on the home page, with a button that forgets it all.
// Loaded before run-examples.js, which makes the page's blocks.

(() => {
  const PREFIX = "micrograd-book:";
  const EXERCISE = `${PREFIX}exercise:`;
  // The site's root: this file is <root>/javascripts/run-exercises.js.
  const ROOT = new URL("..", document.currentScript.src);
  const INDEX_URL = new URL("assets/exercises.json", ROOT);

  // ---- what the browser keeps ----------------------------------------------

  // The page's address relative to the site's root ("chapters/05-.../").
  function pagePath(href = window.location.href) {
    const url = new URL(href, window.location.href);
    if (url.origin !== ROOT.origin || !url.pathname.startsWith(ROOT.pathname)) return null;
    return decodeURIComponent(url.pathname.slice(ROOT.pathname.length)).replace(
      /(^|\/)index\.html$/,
      "$1",
    );
  }

  function keyOf(page, name) {
    return `${EXERCISE}${page}:${name}`;
  }

  // Storage can be switched off or full: the page works without it.
  const store = {
    read(page, name) {
      try {
        const text = window.localStorage.getItem(keyOf(page, name));
        const record = text ? JSON.parse(text) : {};
        return record && typeof record === "object" ? record : {};
      } catch {
        return {};
      }
    },
    update(page, name, changes) {
      const record = { ...this.read(page, name), ...changes };
      for (const [name, value] of Object.entries(changes)) {
        if (value === undefined) delete record[name];
      }
      try {
        if (Object.keys(record).length) {
          window.localStorage.setItem(keyOf(page, name), JSON.stringify(record));
        } else {
          window.localStorage.removeItem(keyOf(page, name));
        }
      } catch {
        // Not kept; the page still checks.
      }
      // Progress changes only when an exercise is done (not at each keystroke).
      if ("done" in changes) window.dispatchEvent(new CustomEvent("mg:progress"));
      return record;
    },
    // Every key of the book's, and only those.
    forgetAll() {
      try {
        const ours = [];
        for (let index = 0; index < window.localStorage.length; index += 1) {
          const key = window.localStorage.key(index);
          if (key && key.startsWith(PREFIX)) ours.push(key);
        }
        for (const key of ours) window.localStorage.removeItem(key);
      } catch {
        // Nothing was kept.
      }
      window.dispatchEvent(new CustomEvent("mg:progress"));
    },
  };

  function duration(ms) {
    if (ms < 1000) return `${Math.max(1, Math.round(ms))} ms`;
    return `${(ms / 1000).toFixed(1)} s`;
  }

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text != null) made.textContent = text;
    return made;
  }

  // The checks' messages name code between backticks, as the book does.
  function withCode(text) {
    return String(text)
      .split(/`([^`\n]+)`/)
      .map((part, index) => (index % 2 ? element("code", "", part) : part));
  }

  function hidden(text) {
    return element("span", "mg-visually-hidden", text);
  }

  // A question asked inside the page (never window.confirm): `yes` runs on
  // the first button; focus goes to it, and back to `returnTo` either way.
  function ask(text, yesText, noText, yes, returnTo) {
    const box = element("div", "mg-ask");
    box.setAttribute("role", "group");
    const question = element("p", "mg-ask-question", text);
    question.id = `mg-ask-${++asked}`;
    box.setAttribute("aria-labelledby", question.id);
    const yesButton = element("button", "md-button mg-ask-yes", yesText);
    const noButton = element("button", "md-button mg-ask-no", noText);
    yesButton.type = noButton.type = "button";
    const close = () => {
      box.remove();
      if (returnTo && returnTo.isConnected) returnTo.focus();
    };
    yesButton.addEventListener("click", () => {
      box.remove();
      yes();
    });
    noButton.addEventListener("click", close);
    box.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    box.append(question, yesButton, noButton);
    return { box, focus: () => yesButton.focus() };
  }
  let asked = 0;

  // ---- one exercise ------------------------------------------------------------

  class Exercise {
    constructor(block) {
      this.block = block;
      this.name = block.exercise;
      this.checks = block.element.dataset.mgChecks || "";
      this.page = pagePath();
      this.question = block.element.closest(".admonition, details");
      const next = this.question && this.question.nextElementSibling;
      this.solution = next && next.matches("details.success") ? next : null;
      this.hints = this.question
        ? [...this.question.querySelectorAll("details.tip")].filter(
            (hint) => hint.closest(".admonition, details:not(.tip)") === this.question,
          )
        : [];
      this.record = store.read(this.page, this.name);
      this.setUpCheck();
      this.setUpEditing();
      this.setUpHints();
      this.setUpSolution();
      this.showDone();
    }

    get title() {
      const title = this.question && this.question.querySelector(".admonition-title, summary");
      return title ? title.firstChild?.textContent.trim() || this.name : this.name;
    }

    save(changes) {
      this.record = store.update(this.page, this.name, changes);
    }

    setUpCheck() {
      const block = this.block;
      block.element.classList.add("mg-exercise");
      this.checkButton = block.button(
        "Check",
        `Check your answer to ${this.title} with the book's checks`,
        () => this.check(),
      );
      block.editButton.after(this.checkButton);
      block.resetButton.textContent = "Reset to the book's code";
      block.resetButton.setAttribute(
        "aria-label",
        `Reset to the book's code: put the starter of ${this.title} back`,
      );
      this.verdict = element("div", "mg-check");
      this.verdict.setAttribute("role", "status");
      block.live.after(this.verdict);
    }

    // What the reader types is kept as they type; Reset forgets it. The
    // code is read through the block once the editor has taken the change
    // in, whichever editor the page uses.
    setUpEditing() {
      const block = this.block;
      const keep = () => {
        if (this.keeping) return;
        this.keeping = setTimeout(() => {
          this.keeping = null;
          if (block.editor) this.save({ code: block.code() });
        }, 0);
      };
      for (const type of ["input", "keyup", "paste", "cut", "drop"]) {
        block.element.addEventListener(type, keep);
      }
      block.resetButton.addEventListener("click", () => {
        this.save({ code: undefined });
        this.verdict.replaceChildren();
      });
      if (typeof this.record.code === "string" && this.record.code !== block.original) {
        block.edit(this.record.code, false).then(() => {
          if (block.editor) {
            block.say("Your code from your last visit; Reset to the book's code puts the starter back.");
          }
        });
      }
    }

    check() {
      const block = this.block;
      if (block.page.busy) {
        block.page.request(block);
        return;
      }
      delete this.verdict.dataset.mgPassed;
      this.verdict.replaceChildren(element("p", "mg-check-verdict", "Checking…"));
      block.page.request(block, (python) => this.answer(python));
    }

    async answer(python) {
      const block = this.block;
      if (block.editor) this.save({ code: block.code() });
      block.say("Checking…");
      const began = performance.now();
      const result = await python.call("page_runner", "check", block.code(), this.checks);
      const ms = performance.now() - began;
      this.lastCheckMs = ms;
      const first = !this.record.checked;
      const verdict = element("p", "mg-check-verdict");
      const lead = element("strong", "", result.passed ? "Passed" : "Not yet");
      if (result.passed) {
        verdict.append(lead, `: every check agrees with your code. ${this.title} is done.`);
      } else {
        verdict.append(lead, ": ", ...withCode(result.message));
      }
      const shown = [verdict];
      if (result.stdout) {
        shown.push(
          element("p", "mg-check-label", "What your code printed:"),
          window.mgRun.output.pre(result.stdout, "mg-live-stdout"),
        );
      }
      this.verdict.replaceChildren(...shown);
      this.verdict.dataset.mgPassed = String(Boolean(result.passed));
      block.element.dataset.mgState = result.passed ? "ok" : "failed";
      block.element.dataset.mgCheckMs = String(Math.round(ms));
      this.save(result.passed ? { checked: true, done: true } : { checked: true });
      block.say(`Checked in ${duration(ms)}.`);
      this.showDone();
      if (first && this.pendingSolution) this.pendingSolution.remove();
    }

    showDone() {
      if (!this.question) return;
      const done = Boolean(this.record.done);
      this.question.dataset.mgDone = String(done);
      const title = this.question.querySelector(":scope > .admonition-title, :scope > summary");
      if (!title) return;
      let mark = title.querySelector(".mg-done-mark");
      if (done && !mark) {
        mark = element("span", "mg-done-mark");
        const tick = element("span", "", "✓ ");
        tick.setAttribute("aria-hidden", "true");
        mark.append(tick, "Done");
        title.append(" ", mark);
      } else if (!done && mark) {
        mark.remove();
      }
    }

    // Only the first hint shows until it has been opened; then the next.
    setUpHints() {
      const shownUpTo = () => Math.max(1, Math.min(this.hints.length, this.record.hints || 1));
      const update = () => {
        this.hints.forEach((hint, index) => {
          hint.hidden = index >= shownUpTo();
        });
      };
      this.hints.forEach((hint, index) => {
        hint.addEventListener("toggle", () => {
          if (hint.open && index + 2 > shownUpTo() && index + 1 < this.hints.length) {
            this.save({ hints: index + 2 });
            update();
          }
        });
      });
      update();
    }

    // Before a first Check, opening the solution asks first.
    setUpSolution() {
      if (!this.solution) return;
      const summary = this.solution.querySelector(":scope > summary");
      if (!summary) return;
      summary.addEventListener("click", (event) => {
        if (this.solution.open || this.record.checked) return;
        event.preventDefault();
        if (this.pendingSolution && this.pendingSolution.isConnected) {
          this.pendingSolution.querySelector(".mg-ask-yes").focus();
          return;
        }
        const { box, focus } = ask(
          "Show the solution before trying? Check tells you what is still wrong in your own code.",
          "Show the solution",
          "Not yet",
          () => {
            this.solution.open = true;
            summary.focus();
          },
          summary,
        );
        this.pendingSolution = box;
        this.solution.before(box);
        focus();
      });
    }
  }

  // ---- progress: the navigation and the home page ---------------------------------

  let index = null;

  function loadIndex() {
    if (!index) {
      index = fetch(INDEX_URL)
        .then((response) => {
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          return response.json();
        })
        .then((data) => (Array.isArray(data.pages) ? data.pages : []));
      // A failed load is tried again on the next page.
      index.catch(() => {
        index = null;
      });
    }
    return index;
  }

  function progressOf(entry) {
    const total = entry.exercises.length;
    const done = entry.exercises.filter(({ name }) => store.read(entry.url, name).done).length;
    return { done, total };
  }

  function showInNav(pages) {
    const byPath = new Map(pages.map((entry) => [entry.url, entry]));
    for (const link of document.querySelectorAll(".md-nav--primary a.md-nav__link[href]")) {
      const url = new URL(link.getAttribute("href"), window.location.href);
      const entry = url.hash ? null : byPath.get(pagePath(url.href));
      let badge = link.querySelector(".mg-nav-progress");
      if (!entry) {
        if (badge) badge.remove();
        continue;
      }
      const { done, total } = progressOf(entry);
      if (!badge) {
        badge = element("span", "mg-nav-progress");
        link.append(badge);
      }
      const shown = element("span", "", `${done}/${total}`);
      shown.setAttribute("aria-hidden", "true");
      badge.replaceChildren(shown, hidden(`, ${done} of ${total} exercises done`));
      badge.dataset.mgDone = String(done === total);
    }
  }

  function showOnHome(pages, holder) {
    // No class: Material styles a table without one.
    const table = element("table");
    table.append(element("caption", "", "Exercises done in this browser, chapter by chapter"));
    const head = table.createTHead().insertRow();
    for (const text of ["Chapter", "Done"]) {
      const cell = element("th", "", text);
      cell.scope = "col";
      head.append(cell);
    }
    const body = table.createTBody();
    let allDone = 0;
    let all = 0;
    for (const entry of pages) {
      const { done, total } = progressOf(entry);
      allDone += done;
      all += total;
      const row = body.insertRow();
      const name = element("th");
      name.scope = "row";
      const link = element("a", "", entry.title);
      link.href = new URL(entry.url, ROOT).href;
      name.append(link);
      const count = element("td", "", `${done} / ${total}`);
      count.dataset.mgDone = String(done === total);
      row.append(name, count);
    }
    const summary = element("p", "mg-progress-summary", `${allDone} of ${all} exercises done.`);
    const forget = element("button", "md-button mg-forget", "Forget my code and progress");
    forget.type = "button";
    const said = element("p", "mg-progress-said");
    said.setAttribute("role", "status");
    forget.addEventListener("click", () => {
      if (holder.querySelector(".mg-ask")) {
        holder.querySelector(".mg-ask-yes").focus();
        return;
      }
      const { box, focus } = ask(
        "Forget every exercise's code and progress kept in this browser? It cannot be undone.",
        "Forget everything",
        "Keep it",
        () => {
          store.forgetAll();
          const kept = holder.querySelector(".mg-progress-said");
          if (kept) kept.textContent = "Forgotten: this browser keeps nothing of the book's now.";
          const again = holder.querySelector(".mg-forget");
          if (again) again.focus();
        },
        forget,
      );
      forget.after(box);
      focus();
    });
    const previous = holder.querySelector(".mg-progress-said");
    if (previous) said.textContent = previous.textContent;
    const asking = holder.querySelector(".mg-ask");
    holder.replaceChildren(summary, table, forget, ...(asking ? [asking] : []), said);
  }

  function showProgress() {
    const holder = document.querySelector("#mg-progress");
    loadIndex()
      .then((pages) => {
        showInNav(pages);
        if (holder) showOnHome(pages, holder);
      })
      .catch(() => {
        if (holder) {
          holder.replaceChildren(
            element("p", "", "The list of the book's exercises could not be loaded, so progress cannot be shown."),
          );
        }
      });
  }

  document$.subscribe(() => showProgress());
  window.addEventListener("mg:progress", () => showProgress());
  // Another tab of the book finished an exercise, or forgot everything.
  window.addEventListener("storage", (event) => {
    if (event.key === null || event.key.startsWith(PREFIX)) showProgress();
  });

  window.mgRun = window.mgRun || {};
  window.mgRun.Exercise = Exercise;
})();
