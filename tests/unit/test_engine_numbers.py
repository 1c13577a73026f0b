"""Numbers at the edges: real numbers of any type come in as Python's own,
ints too large for a float are refused at the door with a message that
cannot fail, and powers at zero have PyTorch's gradients."""

from __future__ import annotations

import math

import pytest

from micrograd.engine import Value, dot
from micrograd.nn import MLP, Layer, Neuron

np = pytest.importorskip("numpy", reason="NumPy comes with matplotlib, a docs extra")


# ---- NumPy scalars, and anything else registered as numbers.Real ---------------

@pytest.mark.parametrize(("x", "kind"), [
    (np.float32(1.5), float), (np.float64(2.5), float), (np.float16(0.5), float),
    (np.int64(3), int), (np.int8(-2), int), (np.uint64(7), int),
])
def test_numpy_scalars_become_python_numbers_as_data(x, kind: type) -> None:
    v = Value(x)
    assert type(v.data) is kind and v.data == x


@pytest.mark.parametrize("k", [np.float32(2.0), np.int64(2), np.float64(2.0)])
def test_numpy_scalars_as_operands_and_exponents(k) -> None:
    x = Value(3.0)
    results = [x + k, k + x, x - k, k - x, x * k, k * x, x / k, k / x, x**k]
    for r in results:
        assert isinstance(r, Value) and type(r.data) is float
    assert [r.data for r in results] == [5.0, 5.0, 1.0, -1.0, 6.0, 6.0, 1.5,
                                         2 / 3, 9.0]
    (x**k).backward()
    assert x.grad == 6.0


def test_numpy_int_operand_keeps_an_int_an_int() -> None:
    out = Value(1) * np.int64(2)
    assert out.data == 2 and type(out.data) is int


def test_numpy_bool_is_refused_like_bool() -> None:
    with pytest.raises(TypeError, match="must be an int or float, got bool"):
        Value(np.bool_(True))


def test_numpy_inputs_to_dot_and_to_a_network() -> None:
    w = [Value(1.0), Value(2.0)]
    assert dot(w, np.array([3.0, 4.0], dtype=np.float32), np.int64(1)).data == 12.0
    model = MLP(np.int64(2), [np.int64(3), np.int32(1)])
    out = model(np.array([0.5, -0.5]))
    assert type(out.data) is float


@pytest.mark.parametrize(("build", "message"), [
    (lambda: Neuron(np.float32(2)), "nin must be an int, got float32"),
    (lambda: Layer(2, np.float64(3)), "nout must be an int, got float64"),
    (lambda: MLP(2, [np.float32(3), 1]),
     "layer width in nouts must be an int, got float32"),
])
def test_sizes_must_be_whole_numbers(build, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        build()


# ---- ints too large for a float ------------------------------------------------

@pytest.mark.parametrize("exponent", [400, 5000])
def test_huge_int_data_is_refused_at_the_door(exponent: int) -> None:
    big = 10**exponent
    bits = big.bit_length()
    with pytest.raises(OverflowError) as error:
        Value(big)
    assert str(error.value) == (
        f"Value data: an int of {bits} bits is too large for a float "
        "(the largest is about 1.8e308)")
    with pytest.raises(OverflowError, match=f"Value data: an int of {bits} bits"):
        Value(-big)


@pytest.mark.parametrize("use", [
    lambda x, big: x + big, lambda x, big: big - x, lambda x, big: x * big,
    lambda x, big: x / big, lambda x, big: big / x,
])
def test_huge_int_operands_are_refused_too(use) -> None:
    with pytest.raises(OverflowError, match="Value operand: an int of 16610 bits"):
        use(Value(2.0), 10**5000)


def test_huge_int_exponent_is_refused() -> None:
    with pytest.raises(OverflowError, match="the exponent: an int of 1329 bits"):
        Value(1.0) ** 10**400


def test_the_largest_int_a_float_holds_is_accepted() -> None:
    largest = int(1.7976931348623157e308)
    assert Value(largest).data == largest


# ---- powers at zero --------------------------------------------------------------

def test_square_root_at_zero_has_an_infinite_slope() -> None:
    x = Value(0.0)
    y = x**0.5
    y.backward()
    assert y.data == 0.0 and x.grad == math.inf


def test_zeroth_power_has_zero_slope_even_at_zero() -> None:
    for start in (0, 0.0, 2.5):
        x = Value(start)
        y = x**0
        y.backward()
        assert y.data == 1 and x.grad == 0


@pytest.mark.parametrize("k", [1, 1.5, 2, 3])
def test_powers_from_one_up_have_a_finite_slope_at_zero(k: float) -> None:
    x = Value(0.0)
    (x**k).backward()
    assert x.grad == k * 0.0 ** (k - 1)
