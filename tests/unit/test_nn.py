"""micrograd.nn: sizes, activations, zero_grad, reproducibility and errors."""

from __future__ import annotations

import math
import random

import pytest

from micrograd.engine import Value
from micrograd.nn import ACTIVATIONS, MLP, Layer, Neuron


def test_parameter_counts() -> None:
    assert len(MLP(3, [4, 4, 1]).parameters()) == 41
    assert len(MLP(2, [16, 16, 1]).parameters()) == 337
    assert len(Layer(3, 4).parameters()) == 16
    assert len(Neuron(5).parameters()) == 6


def test_bias_starts_at_zero_and_weights_in_range() -> None:
    n = Neuron(50)
    assert n.b.data == 0
    assert all(-1 <= w.data <= 1 for w in n.w)


@pytest.mark.parametrize(("activation", "function"), [
    ("relu", lambda z: max(0.0, z)),
    ("tanh", math.tanh),
    ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
])
def test_activation_choice(activation: str, function) -> None:
    n = Neuron(2, activation=activation)
    n.w[0].data, n.w[1].data, n.b.data = 0.5, -1.5, 0.25
    for x in ([1.0, 2.0], [-1.0, -2.0]):
        z = 0.25 + 0.5 * x[0] - 1.5 * x[1]
        assert n(x).data == pytest.approx(function(z), rel=1e-15)


def test_linear_neuron_ignores_activation() -> None:
    n = Neuron(1, nonlin=False, activation="tanh")
    n.w[0].data = 3.0
    assert n([2.0]).data == 6.0


def test_mlp_activation_applies_to_hidden_layers_only() -> None:
    model = MLP(2, [3, 3, 1], activation="tanh")
    assert repr(model) == (
        "MLP of [Layer of [TanhNeuron(2), TanhNeuron(2), TanhNeuron(2)], "
        "Layer of [TanhNeuron(3), TanhNeuron(3), TanhNeuron(3)], "
        "Layer of [LinearNeuron(3)]]")
    assert all(n.activation == "tanh" for layer in model.layers for n in layer.neurons)
    assert not model.layers[-1].neurons[0].nonlin


def test_invalid_activation_names_the_choices() -> None:
    for bad in ("gelu", "", None, "ReLU"):
        with pytest.raises(ValueError, match="'relu', 'tanh', 'sigmoid'"):
            Neuron(2, activation=bad)
        with pytest.raises(ValueError, match="activation must be one of"):
            MLP(2, [2, 1], activation=bad)
    assert ACTIVATIONS == ("relu", "tanh", "sigmoid")


def test_zero_grad() -> None:
    model = MLP(3, [4, 4, 1])
    model([1.0, -2.0, 3.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


def test_training_steps_reduce_the_loss() -> None:
    random.seed(5)
    model = MLP(3, [4, 4, 1], activation="tanh")
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    losses = []
    for _ in range(30):
        loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys, strict=True))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.05 * p.grad
        losses.append(loss.data)
    assert losses[-1] < losses[0] / 4


def test_seeded_networks_are_identical() -> None:
    def build_and_run() -> tuple[list[float], float]:
        random.seed(42)
        model = MLP(2, [8, 8, 1])
        return [p.data for p in model.parameters()], model([0.3, -0.7]).data

    assert build_and_run() == build_and_run()


def test_fused_neuron_matches_the_sum_written_out() -> None:
    random.seed(11)
    model = MLP(3, [6, 6, 1], activation="tanh")
    x = [0.4, -1.2, 0.9]

    def unfused() -> Value:
        acts: list = [Value(v) for v in x]
        for layer in model.layers:
            outs = []
            for n in layer.neurons:
                total = n.b
                for w, a in zip(n.w, acts, strict=True):
                    total = total + w * a
                outs.append(total.tanh() if n.nonlin else total)
            acts = outs
        return acts[0]

    fused = model([Value(v) for v in x])
    fused.backward()
    grads_fused = [p.grad for p in model.parameters()]
    model.zero_grad()
    plain = unfused()
    plain.backward()
    grads_plain = [p.grad for p in model.parameters()]
    assert fused.data == pytest.approx(plain.data, rel=1e-12, abs=1e-15)
    assert grads_fused == pytest.approx(grads_plain, rel=1e-12, abs=1e-15)


def test_hidden_layer_one_neuron_wide() -> None:
    model = MLP(2, [1, 3])
    out = model([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3


@pytest.mark.parametrize(("build", "error", "message"), [
    (lambda: Neuron(0), ValueError, "nin must be at least 1, got 0"),
    (lambda: Neuron(-2), ValueError, "nin must be at least 1, got -2"),
    (lambda: Neuron(2.0), TypeError, "nin must be an int, got float"),
    (lambda: Neuron(True), TypeError, "nin must be an int, got bool"),
    (lambda: Layer(2, 0), ValueError, "nout must be at least 1, got 0"),
    (lambda: Layer("2", 1), TypeError, "nin must be an int, got str"),
    (lambda: MLP(0, [1]), ValueError, "nin must be at least 1, got 0"),
    (lambda: MLP(2, []), ValueError, "at least one layer width"),
    (lambda: MLP(2, 3), TypeError, "nouts must be a list of layer widths, got int"),
    (lambda: MLP(2, "16"), TypeError, "nouts must be a list of layer widths, got str"),
    (lambda: MLP(2, [16, 0, 1]), ValueError, "layer width in nouts must be at least 1"),
    (lambda: MLP(2, [16, 1.5]), TypeError, "layer width in nouts must be an int"),
])
def test_bad_sizes(build, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build()


def test_wrong_number_of_inputs() -> None:
    with pytest.raises(ValueError, match="this neuron takes 2 inputs, got 3"):
        Neuron(2)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="this layer takes 2 inputs, got 1"):
        Layer(2, 3)([1.0])
    with pytest.raises(ValueError, match="this layer takes 2 inputs, got 1"):
        MLP(2, [3, 1])([1.0])


def test_a_layer_gives_what_its_neurons_give_one_by_one() -> None:
    # A layer checks its inputs once and makes each neuron's node itself;
    # the nodes must be the ones its neurons make when called.
    random.seed(3)
    for activation in ("relu", "tanh", "sigmoid"):
        for nonlin in (True, False):
            layer = Layer(4, 3, nonlin=nonlin, activation=activation)
            xs = [Value(random.uniform(-2, 2)) for _ in range(4)]
            together = layer(xs)
            alone = [n(xs) for n in layer.neurons]
            assert [v.data for v in together] == [v.data for v in alone]
            assert [v._op for v in together] == [v._op for v in alone]
            together[0].backward()
            grads = [x.grad for x in xs]
            for x in xs:
                x.grad = 0
            alone[0].backward()
            assert [x.grad for x in xs] == grads


def test_bad_input_values() -> None:
    with pytest.raises(TypeError, match="inputs must be Values or numbers, got str"):
        MLP(2, [3, 1])([1.0, "x"])
