"""Bad input to micrograd.engine fails at once, with the right exception and a
message that names the problem."""

from __future__ import annotations

import operator

import pytest

from micrograd.engine import Value, dot


@pytest.mark.parametrize(("data", "kind"), [
    ("abc", "str"), (None, "NoneType"), ([1], "list"), ((1.0,), "tuple"),
    (1 + 2j, "complex"), (True, "bool"), (Value(1.0), "Value"),
])
def test_data_must_be_an_int_or_float(data: object, kind: str) -> None:
    message = f"Value data must be an int or float, got {kind}"
    with pytest.raises(TypeError, match=message):
        Value(data)


def test_float_subclasses_and_special_floats_are_accepted() -> None:
    class MyFloat(float):
        pass

    assert Value(MyFloat(2.5)).data == 2.5
    assert Value(float("inf")).data == float("inf")


def test_children_must_be_values() -> None:
    with pytest.raises(TypeError, match="_children must be Values, got float"):
        Value(1.0, (Value(1.0), 2.0), "+")


def test_op_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="_op must be a str, got int"):
        Value(1.0, (), 3)


@pytest.mark.parametrize("x", [0.0, -1.0, -1e-300])
def test_log_of_a_non_positive_number(x: float) -> None:
    message = f"log is defined for positive numbers only, got {x!r}"
    with pytest.raises(ValueError, match=message):
        Value(x).log()


def test_exp_overflow_names_the_input() -> None:
    with pytest.raises(OverflowError, match=r"exp overflows for Value\(data=1000.0\)"):
        Value(1000.0).exp()


@pytest.mark.parametrize("divide", [
    lambda x: x / 0,
    lambda x: x / 0.0,
    lambda x: x / Value(0.0),
    lambda x: 1 / Value(0),
], ids=["by int zero", "by float zero", "by Value zero", "number by Value zero"])
def test_division_by_zero(divide) -> None:
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        divide(Value(3.0))


def test_zero_to_a_negative_power() -> None:
    with pytest.raises(ZeroDivisionError, match="zero to a negative power"):
        Value(0.0) ** -1


def test_negative_base_to_a_fractional_power() -> None:
    with pytest.raises(ValueError, match=r"negative base \(-8.0\).*not a real number"):
        Value(-8.0) ** 0.5


def test_power_overflow() -> None:
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(10.0) ** 400


@pytest.mark.parametrize(("exponent", "kind"), [
    (Value(2.0), "Value"), ("2", "str"), (None, "NoneType"), (True, "bool"),
])
def test_exponent_must_be_a_number(exponent: object, kind: str) -> None:
    message = f"exponent must be an int or float, got {kind}"
    with pytest.raises(TypeError, match=message):
        Value(2.0) ** exponent


@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul,
                                operator.truediv])
@pytest.mark.parametrize("other", ["a", None, [1.0], 1j, True])
def test_unsupported_operands_raise_pythons_type_error(op, other: object) -> None:
    # The operators return NotImplemented, so Python raises its own TypeError,
    # which names Value (for sequences, str + Value, it is the sequence's).
    with pytest.raises(TypeError, match="Value"):
        op(Value(1.0), other)
    with pytest.raises(TypeError, match="Value"):
        op(other, Value(1.0))


def test_dot_checks_its_arguments() -> None:
    w = [Value(1.0), Value(2.0)]
    with pytest.raises(ValueError, match="2 weights but 3 inputs"):
        dot(w, [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="weights must be Values, got float"):
        dot([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(TypeError, match="inputs must be Values or numbers, got str"):
        dot(w, [1.0, "x"])
    with pytest.raises(TypeError, match="bias must be a Value or a number, got str"):
        dot(w, [1.0, 2.0], "b")
