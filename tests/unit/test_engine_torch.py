"""micrograd.engine.Value against PyTorch in float64: random expressions over
every operator, and the two scenarios the original engine is tested with."""

from __future__ import annotations

import math

import pytest
from expressions import programs, run_program
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from micrograd.engine import Value, dot

torch = pytest.importorskip(
    "torch",
    reason="PyTorch is not installed; `make torch` installs 2.13.0, "
    "locked for Python 3.11 only",
)

pytestmark = pytest.mark.torch


def leaf(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def relu(x):
    return x.relu()


def test_sanity_check_scenario() -> None:
    def compute(x):
        z = 2 * x + 2 + x
        q = relu(z) + z * x
        h = relu(z * z)
        return h + q + q * x

    x = Value(-4.0)
    y = compute(x)
    y.backward()
    xt = leaf(-4.0)
    yt = compute(xt)
    yt.backward()
    # Every number here is a small integer, so the results agree exactly.
    assert y.data == yt.item()
    assert x.grad == xt.grad.item()


def test_more_ops_scenario() -> None:
    def compute(a, b):
        c = a + b
        d = a * b + b**3
        c = c + c + 1
        c = c + 1 + c + (-a)
        d = d + d * 2 + relu(b + a)
        d = d + 3 * d + relu(b - a)
        e = c - d
        f = e**2
        g = f / 2.0
        return g + 10.0 / f

    a, b = Value(-4.0), Value(2.0)
    g = compute(a, b)
    g.backward()
    at, bt = leaf(-4.0), leaf(2.0)
    gt = compute(at, bt)
    gt.backward()
    assert abs(g.data - gt.item()) < 1e-6
    assert abs(a.grad - at.grad.item()) < 1e-6
    assert abs(b.grad - bt.grad.item()) < 1e-6


# ---- random expressions over every operator -----------------------------------


@settings(max_examples=200, deadline=None)
@given(program=programs(), xs=st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_random_expressions_match_torch(program, xs) -> None:
    leaves = [Value(x) for x in xs]
    out = run_program(program, leaves)
    assume(math.isfinite(out.data) and abs(out.data) < 1e100)
    out.backward()
    tleaves = [leaf(x) for x in xs]
    tout = run_program(program, tleaves)
    tout.backward()
    assert out.data == pytest.approx(tout.item(), rel=1e-12, abs=1e-12)
    for v, t in zip(leaves, tleaves, strict=True):
        assert v.grad == pytest.approx(t.grad.item(), rel=1e-9, abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(ws=st.lists(st.floats(-1, 1), min_size=1, max_size=20), data=st.data())
def test_dot_matches_torch(ws, data) -> None:
    n = len(ws)
    xs = data.draw(st.lists(st.floats(-1, 1), min_size=n, max_size=n))
    b = data.draw(st.floats(-1, 1))
    wv, xv, bv = [Value(w) for w in ws], [Value(x) for x in xs], Value(b)
    out = dot(wv, xv, bv).tanh()
    out.backward()
    wt, xt, bt = leaf(ws), leaf(xs), leaf(b)
    tout = (bt + (wt * xt).sum()).tanh()
    tout.backward()
    assert out.data == pytest.approx(tout.item(), rel=1e-12, abs=1e-14)
    assert [w.grad for w in wv] == pytest.approx(wt.grad.tolist(), rel=1e-9, abs=1e-12)
    assert [x.grad for x in xv] == pytest.approx(xt.grad.tolist(), rel=1e-9, abs=1e-12)
    assert bv.grad == pytest.approx(bt.grad.item(), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("x", [-400.0, -30.0, -1e-8, 0.0, 1e-8, 30.0, 400.0])
def test_tanh_and_sigmoid_match_torch_at_extremes(x: float) -> None:
    for name in ("tanh", "sigmoid"):
        v = Value(x)
        out = getattr(v, name)()
        out.backward()
        t = leaf(x)
        tout = getattr(t, name)()
        tout.backward()
        assert out.data == pytest.approx(tout.item(), rel=1e-15, abs=1e-300)
        assert v.grad == pytest.approx(t.grad.item(), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize(("start", "k"), [
    (0.0, 0.5), (0.0, 0), (0.0, 0.0), (0.0, 1.5), (0.0, 2), (0.0, 1), (2.0, 0),
])
def test_powers_at_zero_match_torch(start: float, k: float) -> None:
    x = Value(start)
    y = x**k
    y.backward()
    xt = leaf(start)
    yt = xt**k
    yt.backward()
    assert y.data == yt.item()
    assert x.grad == xt.grad.item()
