"""The Playground page's Python (bookbuild/playground.py) under CPython: its
steps are a plain micrograd training loop's, its data sets are seeded, its
errors name their line, and one point's loss draws as a graph."""

from __future__ import annotations

import io
import json
import math
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support import ROOT as ROOT_DIR
from support.training import SECOND, reference_run

from bookbuild import playground, pyodide_assets
from micrograd import examples
from micrograd.engine import Value


def started(settings: dict | None = None) -> dict:
    answer = json.loads(playground.start(json.dumps(settings or {})))
    assert answer["ok"], answer["error"]
    return answer


@pytest.mark.parametrize("settings", [{}, SECOND], ids=["default", "second"])
def test_twenty_steps_are_the_plain_loops(settings: dict) -> None:
    started(settings)
    answers = [json.loads(playground.train(5)) for _ in range(4)]
    losses = [v for a in answers for v in a["losses"]]
    accuracies = [v for a in answers for v in a["accuracies"]]
    want_losses, want_accuracies, net = reference_run(settings, 20)
    assert answers[-1]["step"] == 20
    assert losses == want_losses
    assert accuracies == want_accuracies
    assert answers[-1]["weights"] == [p.data for p in net.parameters()]


@pytest.mark.slow
def test_the_default_run_classifies_every_point_after_100_steps() -> None:
    # The two-moons notebook's run: MLP(2, [16, 16, 1]), 100 points, the hinge
    # loss, a learning rate falling from 1.0 to 0.1.
    first = started()
    assert first["sizes"] == [2, 16, 16, 1]
    assert len(first["weights"]) == 337
    answer = json.loads(playground.train(100))
    assert answer["step"] == 100
    assert answer["accuracies"][0] < 0.9
    assert answer["losses"][-1] < answer["losses"][0] / 10
    predicted = json.loads(playground.predictions())["predicted"]
    assert predicted == first["labels"]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_the_boundary_scores_are_the_networks(activation: str) -> None:
    started({"activation": activation, "layers": [5, 3], "points": 30})
    playground.train(3)
    p = playground._current
    grid = p.grid()
    assert len(grid["scores"]) == playground.GRID**2
    x0, x1, y0, y1 = grid["bounds"]
    xs = [x for x, _ in p.points]
    ys = [y for _, y in p.points]
    assert x0 < min(xs) and max(xs) < x1 and y0 < min(ys) and max(ys) < y1
    cell = playground.GRID + 2  # second row (from the top), third column
    point = [
        x0 + (x1 - x0) * 2.5 / playground.GRID,
        y1 - (y1 - y0) * 1.5 / playground.GRID,
    ]
    assert grid["scores"][cell] == p.net(point).data
    assert p.scores(p.points) == [p.net(x).data for x in p.points]


@pytest.mark.parametrize("name", sorted(examples.DATASETS))
def test_data_sets_are_seeded_and_labelled(name: str) -> None:
    make = examples.DATASETS[name]
    points, labels = make(40, 0.1, 3)
    assert (points, labels) == make(40, 0.1, 3)
    assert make(40, 0.1, 4)[0] != points
    assert len(points) == 40 and all(len(p) == 2 for p in points)
    assert set(labels) == {-1, 1}
    assert 10 <= labels.count(1) <= 30


def test_data_sets_have_their_shapes() -> None:
    points, labels = examples.make_circles(200, 0.0, 1)
    radius = [math.hypot(x, y) for x, y in points]
    assert all(
        abs(r - 1.0) < 1e-12 for r, y in zip(radius, labels, strict=True) if y < 0
    )
    assert all(r <= 0.5 for r, y in zip(radius, labels, strict=True) if y > 0)
    points, labels = examples.make_xor(200, 0.0, 1)
    assert all(
        (x * y > 0) == (label > 0) for (x, y), label in zip(points, labels, strict=True)
    )
    assert all(min(abs(x), abs(y)) >= 0.1 for x, y in points)
    points, labels = examples.make_blobs(200, 0.0, 1)
    upper = [x + y for (x, y), label in zip(points, labels, strict=True) if label > 0]
    assert sum(upper) / len(upper) == pytest.approx(1.2, abs=0.15)


@pytest.mark.parametrize(
    "make", [examples.make_circles, examples.make_xor, examples.make_blobs]
)
def test_data_sets_refuse_bad_input(make) -> None:
    with pytest.raises(ValueError, match="n must be a positive int"):
        make(0)
    with pytest.raises(ValueError, match="noise must be 0 or more"):
        make(10, -0.1)
    with pytest.raises(TypeError, match="noise must be a number, got str"):
        make(10, "0.1")
    with pytest.raises(TypeError, match="seed must be an int, got float"):
        make(10, 0.1, 1.5)


def test_bad_settings_are_named() -> None:
    for settings, says in [
        ({"dataset": "spirals"}, "dataset must be one of moons, circles, xor, blobs"),
        ({"layers": [16, 0]}, "each hidden layer's width must be from 1 to 32, got 0"),
        ({"learning_rate": "fast"}, "learning_rate must be a number"),
        ({"momentum": 0.9}, "unknown settings: momentum"),
        ({"loss": "log"}, "loss must be one of hinge, squared"),
    ]:
        answer = json.loads(playground.start(json.dumps(settings)))
        assert not answer["ok"]
        assert says in answer["error"]


def test_a_syntax_error_names_its_line_and_the_old_code_goes_on() -> None:
    started({"layers": [4], "points": 20})
    broken = playground.STEP_CODE.replace("net.zero_grad()", "net.zero_grad(")
    answer = json.loads(playground.set_code(broken))
    assert not answer["ok"]
    line = broken.splitlines().index("    net.zero_grad(") + 1
    assert answer["error"]["line"] in {line, line + 1}
    assert answer["error"]["message"].startswith(
        f"line {answer['error']['line']}: SyntaxError"
    )
    after = json.loads(playground.train(2))
    assert after["error"] is None and after["step"] == 2
    assert after["code"] == playground.STEP_CODE


def test_an_error_while_running_reverts_to_the_last_good_code() -> None:
    started({"layers": [4], "points": 20})
    playground.train(1)
    failing = playground.STEP_CODE.replace(
        "    loss.backward()\n", "    loss.backward()\n    raise_here = 1 / 0\n"
    )
    assert json.loads(playground.set_code(failing))["ok"]
    answer = json.loads(playground.train(3))
    line = failing.splitlines().index("    raise_here = 1 / 0") + 1
    assert answer["error"] == {
        "line": line,
        "message": f"line {line}: ZeroDivisionError: division by zero",
        "reverted": True,
    }
    assert answer["step"] == 1 and answer["code"] == playground.STEP_CODE
    assert json.loads(playground.train(2))["step"] == 3


def test_edited_code_runs_from_the_next_step() -> None:
    # Momentum, kept between steps in the code's own globals.
    momentum = playground.STEP_CODE.replace(
        "    for p in net.parameters():\n        p.data -= learning_rate * p.grad\n",
        "    for i, p in enumerate(net.parameters()):\n"
        "        velocity[i] = 0.9 * velocity.get(i, 0.0) - learning_rate * p.grad\n"
        "        p.data += velocity[i]\n",
    ).replace("def train_step", "velocity = {}\n\n\ndef train_step")
    assert momentum != playground.STEP_CODE
    started({"layers": [4], "points": 20})
    assert json.loads(playground.set_code(momentum))["ok"]
    answers = [json.loads(playground.train(1)) for _ in range(3)]
    assert all(a["error"] is None for a in answers)
    assert answers[-1]["code"] == momentum
    plain, _, _ = reference_run({"layers": [4], "points": 20}, 3)
    assert [a["losses"][0] for a in answers][:2] == plain[:2]
    assert answers[2]["losses"][0] != plain[2]


def test_code_must_define_the_step_and_return_a_loss() -> None:
    started({"layers": [4], "points": 20})
    answer = json.loads(playground.set_code("x = 1\n"))
    assert (
        answer["error"]["message"]
        == "the code must define train_step(net, xs, ys, k, s)"
    )
    assert json.loads(
        playground.set_code("def train_step(net, xs, ys, k, s):\n    return 'low'\n")
    )["ok"]
    answer = json.loads(playground.train(1))
    assert answer["error"]["message"] == (
        "TypeError: train_step must return the loss (a Value or a number), got str"
    )


def test_live_settings_change_the_next_step() -> None:
    started({"layers": [4], "points": 20})
    answer = json.loads(playground.adjust(json.dumps({"learning_rate": 0.0})))
    assert answer["ok"]
    before = json.loads(playground.train(1))["weights"]
    after = json.loads(playground.train(1))["weights"]
    assert before == after
    refused = json.loads(playground.adjust(json.dumps({"layers": [3]})))
    assert refused == {
        "ok": False,
        "error": "only loss, learning_rate, l2 change while training",
    }


def test_one_points_loss_is_drawn_with_its_gradients() -> None:
    started({"layers": [4], "points": 20, "activation": "tanh"})
    playground.train(2)
    p = playground._current
    grads_before = [q.grad for q in p.params]
    answer = json.loads(playground.point_graph(3))
    assert answer["ok"]
    [(title, dot, description)] = answer["graphs"]
    assert title == f"The loss of point 4 (label {p.labels[3]:+d}), hinge loss"
    score = p.net(p.points[3]).data
    assert answer["loss"] == max(0.0, 1 - p.labels[3] * score)
    assert "w1.1.1" in dot and "b2.1" in dot and "score" in dot
    assert description.startswith("Computation graph of")
    # The training's own gradients are left as they were.
    assert [q.grad for q in p.params] == grads_before


def test_the_graph_is_refused_for_large_networks_and_bad_points() -> None:
    started()
    answer = json.loads(playground.point_graph(0))
    assert not answer["ok"] and answer["graphs"] == []
    assert "337 parameters" in answer["error"] and "at most 60" in answer["error"]
    started({"layers": [4], "points": 20})
    answer = json.loads(playground.point_graph(20))
    assert answer["error"] == "there is no point 20: the data set has 20"


def test_a_diverged_loss_is_sent_as_null() -> None:
    started({"layers": [4], "points": 20, "loss": "squared", "learning_rate": 1e6})
    answer = json.loads(playground.train(6))
    assert None in answer["losses"] or any(v > 1e12 for v in answer["losses"])


def test_value_is_the_engines() -> None:
    # The code the page runs sees the engine's Value and the library's nn.
    assert playground.compile_step(playground.STEP_CODE).__globals__["Value"] is Value


def test_the_page_can_call_the_module() -> None:
    # Shipped as a top-level module of the library zip, and callable by the
    # worker: the page's script reaches nothing else.
    with zipfile.ZipFile(io.BytesIO(pyodide_assets.library_zip())) as archive:
        shipped = archive.read("playground.py").decode()
    assert shipped == Path(playground.__file__).read_text()
    worker = (ROOT_DIR / "docs" / "javascripts" / "run-worker.js").read_text()
    assert re.search(r'const CALLABLE = new Set\(\[[^\]]*"playground"', worker)


def test_the_playground_starts_without_doctest_or_graphviz() -> None:
    # The Playground's page imports only this module before its first step;
    # doctest and graphviz (for a point's graph, on request) would add about
    # a second of browser CPU to that start.
    code = (
        "import sys, playground\n"
        "playground.start('{}'); playground.train(2, True)\n"
        "heavy = ('doctest', 'graphviz', 'micrograd.viz', 'page_runner')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT_DIR / "bookbuild"), str(ROOT_DIR)])},
    )
    assert done.stdout.strip() == "[]"
