"""The Playground page's Python: a network from `micrograd.nn`, trained live.

Shipped to the browser as a top-level module of the library zip (see
bookbuild/pyodide_assets.py), like `page_runner`; the page's script calls
its functions through the worker (`call`), and each answers JSON text. It
runs under CPython too, where the tests check its numbers against a plain
training loop.

The page holds one playground at a time:

* `start(settings)` makes the data set (from `data_seed`) and the network
  (`random.seed(seed)` first, as the book does) and loads the training code;
* `train(steps, grid)` runs that code for up to `steps` steps and answers the
  losses, accuracies and weights, and the decision boundary when asked;
* `set_code(source)` swaps in the reader's edited code; an error names its
  line, and the last code that worked keeps running;
* `adjust(settings)` changes the loss, learning rate or L2 between steps;
* `gradients()`, `predictions()` and `point_graph(i)` answer what the page
  shows on request.

The training step itself is Python text (`STEP_CODE`), the loop of
chapter 11 with the two-moons notebook's loss, shown on the page and run
from there: every number of the page's network comes from `micrograd.nn`.
The decision boundary is the one exception in method, not in numbers: its
grid of scores is computed with plain floats from the network's weights (a
forward pass of `Value`s for every cell would take far too long), summed in
the order `micrograd.engine.dot` sums, so each score is the float
`net(point).data` gives.
"""

from __future__ import annotations

import json
import math
import random
import traceback
import types
from typing import Any

from micrograd import nn
from micrograd.engine import ACTIVATION_TABLE, Value, no_cycle_collection
from micrograd.examples import DATASETS

#: The name tracebacks give the training code.
CODE_FILE = "<training step>"
#: Networks with more parameters than this are not drawn as a graph.
MAX_GRAPH_PARAMETERS = 60
#: Cells along each side of the decision boundary's grid: smoothed when
#: drawn, 24 looks as good as 32, at little over half the cost, which leaves
#: room for two boundaries and ten training steps a second in the page.
GRID = 24
LOSSES = ("hinge", "squared")
_FORWARD = {row.name: row.forward for row in ACTIVATION_TABLE}
#: Settings that change while the network trains; the rest start afresh.
LIVE_SETTINGS = ("loss", "learning_rate", "l2")

#: The training step the page shows and runs: chapter 11's loop (forward
#: pass, loss, gradients zeroed, backward pass, step) with the loss and
#: learning-rate schedule of the two-moons notebook.
STEP_CODE = '''\
# One step of training. Edit it and press "Run this code".
# net is the MLP, xs and ys the points of this batch and their labels
# (-1 or 1), k the number of steps taken so far, s the settings above.
def train_step(net, xs, ys, k, s):
    scores = [net(x) for x in xs]
    if s.loss == "hinge":
        losses = [(1 - y * score).relu() for y, score in zip(ys, scores)]
    else:
        losses = [(score - y) ** 2 for y, score in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = s.l2 * sum(p * p for p in net.parameters())
    loss = data_loss + reg_loss
    net.zero_grad()
    loss.backward()
    learning_rate = s.learning_rate * (1.0 - 0.9 * min(k, 100) / 100)
    for p in net.parameters():
        p.data -= learning_rate * p.grad
    return loss
'''

#: The settings `start` takes, with their defaults: the two-moons notebook's
#: run (the reference micrograd demo's network, loss and schedule, on
#: `make_moons(100, 0.1, seed=0)` with the network drawn after
#: `random.seed(1337)`).
DEFAULTS: dict[str, Any] = {
    "dataset": "moons",
    "points": 100,
    "noise": 0.1,
    "layers": [16, 16],
    "activation": "relu",
    "loss": "hinge",
    "learning_rate": 1.0,
    "batch_size": 0,
    "l2": 1e-4,
    "data_seed": 0,
    "seed": 1337,
}


class PlaygroundError(ValueError):
    """Settings or code the playground cannot use; the message says why."""


class Playground:
    """One data set, one network, and the code that trains it."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = checked_settings(settings)
        s = self.settings
        self.points, self.labels = DATASETS[s["dataset"]](
            s["points"], s["noise"], s["data_seed"])
        random.seed(s["seed"])
        self.net = nn.MLP(2, [*s["layers"], 1], activation=s["activation"])
        self.params = self.net.parameters()
        # Mini-batches come from a generator of their own, so choosing them
        # never moves the stream the network's weights were drawn from.
        self.batches = random.Random(s["seed"])
        self.step = 0
        self.losses: list[float] = []
        self.accuracies: list[float] = []
        self.view = types.SimpleNamespace(
            loss=s["loss"], l2=s["l2"], learning_rate=s["learning_rate"])
        self.code = STEP_CODE
        self.step_function = compile_step(STEP_CODE)
        self.pending: tuple[str, Any] | None = None
        self.bounds = _bounds(self.points)

    # ---- training

    def set_code(self, source: str) -> dict[str, Any]:
        """Load edited code; it runs from the next step, if it compiles."""
        try:
            function = compile_step(source)
        except CodeError as error:
            return {"ok": False, "error": error.as_dict()}
        self.pending = (source, function)
        return {"ok": True, "error": None}

    def train(self, steps: int) -> dict[str, Any]:
        """Take up to `steps` steps; stop at the first error in new code."""
        error = None
        for _ in range(steps):
            error = self._one_step()
            if error:
                break
        return {"error": error, "code": self.code}

    def _one_step(self) -> dict[str, Any] | None:
        if self.pending:
            source, function = self.pending
        else:
            source, function = self.code, self.step_function
        xs, ys = self._batch()
        # Accuracy on every point, with the weights the step starts from (the
        # loss it returns is measured there too).
        accuracy = self.accuracy()
        try:
            with no_cycle_collection():
                loss = function(self.net, xs, ys, self.step, self.view)
                loss = _loss_number(loss)
        except Exception as failure:  # noqa: BLE001 - the reader's code may raise anything
            error = CodeError.from_exception(failure).as_dict()
            if self.pending:
                # The last good code goes on from the next step.
                self.pending = None
                error["reverted"] = True
            else:
                error["reverted"] = False
            return error
        if self.pending:
            self.code, self.step_function = source, function
            self.pending = None
        self.step += 1
        self.losses.append(loss)
        self.accuracies.append(accuracy)
        return None

    def _batch(self) -> tuple[list[list[float]], list[int]]:
        size = self.settings["batch_size"]
        if not size or size >= len(self.points):
            return self.points, self.labels
        chosen = sorted(self.batches.sample(range(len(self.points)), size))
        return [self.points[i] for i in chosen], [self.labels[i] for i in chosen]

    # ---- what the page shows

    def scores(self, points: list[list[float]]) -> list[float]:
        """The network's score for each point, in plain floats.

        Computed a neuron at a time for every point at once (one list per
        neuron, one pass over it per weight), which is several times faster
        in Python than a point at a time; each point's sum is still added
        in `dot`'s order, so each score is `net(point).data`.
        """
        columns = [[p[0] for p in points], [p[1] for p in points]]
        for layer in self.net.layers:
            outputs = []
            for n in layer.neurons:
                total = [n.b.data] * len(points)
                for w, column in zip(n.w, columns, strict=True):
                    weight = w.data
                    total = [s + weight * x for s, x in zip(total, column, strict=True)]
                if n.nonlin:
                    act = _FORWARD[n.activation]
                    total = [act(s) for s in total]
                outputs.append(total)
            columns = outputs
        return columns[0]

    def accuracy(self) -> float:
        scores = self.scores(self.points)
        pairs = zip(self.labels, scores, strict=True)
        right = sum((y > 0) == (score > 0) for y, score in pairs)
        return right / len(self.labels)

    def grid(self) -> dict[str, Any]:
        """Scores on a GRID x GRID lattice over the data, row by row from the
        top (largest y)."""
        x0, x1, y0, y1 = self.bounds
        cells = [
            [x0 + (x1 - x0) * (i + 0.5) / GRID, y1 - (y1 - y0) * (j + 0.5) / GRID]
            for j in range(GRID)
            for i in range(GRID)
        ]
        return {"size": GRID, "bounds": [x0, x1, y0, y1], "scores": self.scores(cells)}

    def weights(self) -> list[float]:
        return [p.data for p in self.params]

    def report(self, new_from: int, with_grid: bool) -> dict[str, Any]:
        answer = {
            "step": self.step,
            "losses": self.losses[new_from:],
            "accuracies": self.accuracies[new_from:],
            "weights": self.weights(),
        }
        if with_grid:
            answer["grid"] = self.grid()
        return answer

    def point_graph(self, index: int) -> dict[str, Any]:
        """The graph of one point's loss, with its data and gradients."""
        if isinstance(index, bool) or not isinstance(index, int):
            raise PlaygroundError(f"the point must be an index, got {index!r}")
        if not 0 <= index < len(self.points):
            raise PlaygroundError(
                f"there is no point {index}: the data set has {len(self.points)}")
        count = len(self.params)
        if count > MAX_GRAPH_PARAMETERS:
            return {"ok": False, "graphs": [], "error": (
                f"This network has {count} parameters; the graph of a point's loss "
                f"is drawn for networks of at most {MAX_GRAPH_PARAMETERS}"
                " (for example 2 inputs, one hidden layer of 8).")}
        # The graph is drawn on copies, so its backward pass leaves the
        # training's gradients alone.
        state = random.getstate()
        copy = nn.MLP(2, [*self.settings["layers"], 1],
                      activation=self.settings["activation"])
        random.setstate(state)
        for layer_number, layer in enumerate(copy.layers, 1):
            for neuron_number, neuron in enumerate(layer.neurons, 1):
                for weight_number, w in enumerate(neuron.w, 1):
                    w.label = f"w{layer_number}.{neuron_number}.{weight_number}"
                neuron.b.label = f"b{layer_number}.{neuron_number}"
        for mine, theirs in zip(copy.parameters(), self.params, strict=True):
            mine.data = theirs.data
        x = [Value(c) for c in self.points[index]]
        x[0].label, x[1].label = "x", "y"
        y = self.labels[index]
        score = copy(x)
        score.label = "score"
        if self.settings["loss"] == "hinge":
            loss = (1 - y * score).relu()
        else:
            loss = (score - y) ** 2
        loss.label = "loss"
        loss.backward()
        # Imported on the first click, not with the page: graphviz is a
        # noticeable part of a Python start in the browser.
        from micrograd.viz import draw_dot

        graph = draw_dot(loss)
        title = (f"The loss of point {index + 1} (label {y:+d}), "
                 f"{self.settings['loss']} loss")
        return {"ok": True, "error": None, "loss": loss.data,
                "graphs": [[title, graph.source, graph.description]]}


class CodeError(Exception):
    """An error in the training code, with the line it happened on."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    @classmethod
    def from_exception(cls, failure: BaseException) -> CodeError:
        if isinstance(failure, SyntaxError) and failure.filename == CODE_FILE:
            return cls(f"SyntaxError: {failure.msg}", failure.lineno)
        line = None
        for frame in traceback.extract_tb(failure.__traceback__):
            if frame.filename == CODE_FILE:
                line = frame.lineno
        text = f"{type(failure).__name__}: {failure}"
        return cls(text, line)

    def as_dict(self) -> dict[str, Any]:
        where = f"line {self.line}: " if self.line else ""
        return {"line": self.line, "message": where + self.message}


def compile_step(source: str) -> Any:
    """The `train_step` function that `source` defines, or a `CodeError`."""
    if not isinstance(source, str):
        raise TypeError(f"the code must be text, got {type(source).__name__}")
    namespace: dict[str, Any] = {
        "__name__": "training_step", "math": math, "random": random,
        "nn": nn, "Value": Value,
    }
    try:
        code = compile(source, CODE_FILE, "exec")
        exec(code, namespace)  # noqa: S102 - running the reader's code is the point
    except Exception as failure:  # noqa: BLE001
        raise CodeError.from_exception(failure) from None
    function = namespace.get("train_step")
    if not callable(function):
        raise CodeError(
            "the code must define train_step(net, xs, ys, k, s)", None)
    return function


def checked_settings(given: dict[str, Any]) -> dict[str, Any]:
    """`DEFAULTS` updated with `given`, each value checked."""
    if not isinstance(given, dict):
        raise TypeError(f"settings must be a dict, got {type(given).__name__}")
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise PlaygroundError(f"unknown settings: {', '.join(unknown)}")
    s = {**DEFAULTS, **given}
    if s["dataset"] not in DATASETS:
        raise PlaygroundError(
            f"dataset must be one of {', '.join(DATASETS)}, got {s['dataset']!r}")
    if s["activation"] not in nn.ACTIVATIONS:
        raise PlaygroundError(
            f"activation must be one of {', '.join(nn.ACTIVATIONS)}, "
            f"got {s['activation']!r}")
    if s["loss"] not in LOSSES:
        raise PlaygroundError(
            f"loss must be one of {', '.join(LOSSES)}, got {s['loss']!r}")
    for name, low, high in (("points", 2, 1000), ("batch_size", 0, 1000),
                            ("data_seed", 0, 2**31 - 1), ("seed", 0, 2**31 - 1)):
        s[name] = _whole(name, s[name], low, high)
    for name in ("noise", "learning_rate", "l2"):
        value = s[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PlaygroundError(f"{name} must be a number, got {value!r}")
        if not 0 <= value < math.inf:
            raise PlaygroundError(f"{name} must be 0 or more, got {value!r}")
        s[name] = float(value)
    layers = s["layers"]
    if not isinstance(layers, list) or len(layers) > 4:
        raise PlaygroundError(
            f"layers must be a list of at most 4 hidden layer widths, got {layers!r}")
    s["layers"] = [_whole("each hidden layer's width", w, 1, 32) for w in layers]
    return s


def _whole(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PlaygroundError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise PlaygroundError(f"{name} must be from {low} to {high}, got {value}")
    return value


def _loss_number(loss: Any) -> float:
    if isinstance(loss, Value):
        return float(loss.data)
    if isinstance(loss, int | float) and not isinstance(loss, bool):
        return float(loss)
    raise TypeError(
        f"train_step must return the loss (a Value or a number), got "
        f"{type(loss).__name__}")


def _bounds(points: list[list[float]]) -> tuple[float, float, float, float]:
    # The data's box with a margin, made square so the picture is not stretched.
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys), 0.5) / 2 + 0.3
    return (cx - half, cx + half, cy - half, cy + half)


# ---- the page's calls: each answers JSON text ------------------------------

_current: Playground | None = None


def _playground() -> Playground:
    if _current is None:
        raise PlaygroundError("start the playground first")
    return _current


def _answer(body: dict[str, Any]) -> str:
    # NaN and infinity are not JSON; a diverged loss is sent as null.
    return json.dumps(_without_nan(body), allow_nan=False)


def _without_nan(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _without_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nan(v) for v in value]
    return value


def start(settings_json: str = "{}") -> str:
    """Make a playground from settings (JSON text); answers what the page draws
    first: the points, the network's shape and weights, the code, the grid."""
    global _current
    try:
        _current = Playground(json.loads(settings_json))
    except (PlaygroundError, TypeError, json.JSONDecodeError) as error:
        return _answer({"ok": False, "error": str(error)})
    p = _current
    return _answer({
        "ok": True, "error": None, "settings": p.settings,
        "points": p.points, "labels": p.labels,
        "sizes": [2, *p.settings["layers"], 1],
        "code": p.code, "max_graph_parameters": MAX_GRAPH_PARAMETERS,
        **p.report(0, with_grid=True),
    })


def train(steps: int = 1, grid: bool = False) -> str:
    """Take `steps` steps; answers the new losses and accuracies, the weights,
    any error of the code, and the boundary's grid if `grid`."""
    p = _playground()
    steps = _whole("steps", steps, 1, 1000)
    before = p.step
    outcome = p.train(steps)
    return _answer({**outcome, **p.report(before, with_grid=bool(grid))})


def adjust(settings_json: str) -> str:
    """Change the loss, learning rate or L2 of the running playground; the
    next step uses them (other settings need `start`)."""
    p = _playground()
    given = json.loads(settings_json)
    if not isinstance(given, dict) or not set(given) <= set(LIVE_SETTINGS):
        return _answer({"ok": False, "error": (
            f"only {', '.join(LIVE_SETTINGS)} change while training")})
    try:
        settings = checked_settings({**p.settings, **given})
    except (PlaygroundError, TypeError) as error:
        return _answer({"ok": False, "error": str(error)})
    p.settings = settings
    for name in LIVE_SETTINGS:
        setattr(p.view, name, settings[name])
    return _answer({"ok": True, "error": None, "settings": settings})


def set_code(source: str) -> str:
    """Compile the reader's training code; it runs from the next step."""
    return _answer(_playground().set_code(source))


def gradients() -> str:
    """Each parameter's gradient from the last backward pass."""
    return _answer({"gradients": [float(p.grad) for p in _playground().params]})


def predictions() -> str:
    """Each point's predicted label (-1 or 1) and score."""
    p = _playground()
    scores = p.scores(p.points)
    return _answer({"scores": scores,
                    "predicted": [1 if s > 0 else -1 for s in scores]})


def point_graph(index: int) -> str:
    """The graph of point `index`'s loss (`graphs`, drawn by the worker)."""
    try:
        return _answer(_playground().point_graph(index))
    except PlaygroundError as error:
        return _answer({"ok": False, "graphs": [], "error": str(error)})
