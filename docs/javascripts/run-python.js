// The page's side of the Python worker (run-worker.js): one object per
// worker, which sends it messages and turns each answer into a promise.
// The messages themselves are listed at the top of run-worker.js.
//
// A worker cannot be interrupted (that needs a cross-origin isolated page),
// so Stop and Restart end it; a fatal error inside Pyodide ends it too. In
// every case the page makes a new one at the next Run.

(() => {
  const WORKER_URL = new URL("run-worker.js", document.currentScript.src);

  // An error that ends this Python: `stopped` when the reader (or leaving
  // the page) ended it, `fatal` when Python itself broke.
  function ending(message, how) {
    const error = new Error(message);
    error[how] = true;
    return error;
  }

  class Python {
    // `prepare`: page modules (run-worker.js's CALLABLE) to import as soon
    // as Python has started, so their first use does not wait for them.
    constructor(onStatus, { prepare = [] } = {}) {
      this.onStatus = onStatus;
      this.worker = new Worker(WORKER_URL, { type: "module" });
      this.pending = new Map();
      this.next = 0;
      this.bootMs = null;
      this.ended = null;
      this.worker.onmessage = ({ data }) => this.receive(data);
      this.worker.onerror = (event) => {
        event.preventDefault();
        this.die(event.message || "the worker failed to load");
      };
      this.started = this.ask({ type: "start", modules: prepare });
      // A failed start is reported by the run that waits for it.
      this.started.catch(() => {});
    }

    receive(data) {
      if (data.type === "status") return this.onStatus(data.text);
      if (data.type === "booted") {
        this.bootMs = data.ms;
        return undefined;
      }
      if (data.type === "fatal") return this.die(data.message);
      const waiting = this.pending.get(data.id);
      if (!waiting) return undefined;
      this.pending.delete(data.id);
      if (data.type === "result") waiting.resolve(data.result);
      else waiting.reject(new Error(data.message));
      return undefined;
    }

    ask(message) {
      if (this.ended) return Promise.reject(this.ended);
      const id = this.next++;
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker.postMessage({ ...message, id });
      });
    }

    run(code, kind) {
      return this.ask({ type: "run", code, kind });
    }

    // Calls `module.name(...args)` in the page's Python (a function that
    // answers JSON text; run-worker.js lists the modules); the parsed answer.
    call(module, name, ...args) {
      return this.ask({ type: "call", module, name, args });
    }

    // Empties the namespace every block runs in (page_runner.reset()).
    reset() {
      return this.ask({ type: "reset" });
    }

    get alive() {
      return !this.ended;
    }

    finish(error) {
      if (this.ended) return;
      this.ended = error;
      this.worker.terminate();
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    }

    // The reader stopped it, restarted the page's Python, or left the page.
    end(reason) {
      this.finish(ending(reason, "stopped"));
    }

    // Python broke and cannot be used again.
    die(message) {
      this.finish(ending(message, "fatal"));
    }
  }

  window.mgRun = window.mgRun || {};
  window.mgRun.Python = Python;
})();
