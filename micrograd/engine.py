"""A scalar-valued autograd engine: `Value` and its backward pass.

`Value` has the public API of the original micrograd engine (`data`,
`grad`, `+ - * / **`, `relu()`, `backward()`, `_prev`, `_op`), plus
`tanh()`, `exp()`, `log()`, `sigmoid()`, an optional `label`, and
`dot`, which makes `bias + sum(w * x)` one node.

How it is built, and why it is fast:

* A node has `__slots__` and holds no closure. In the teaching versions each
  result keeps a `_backward` closure that refers back to the result, so every
  node sits in a reference cycle: nothing is freed until the cyclic garbage
  collector finds it, and the collector ends up doing most of the work. Here a
  node refers only to its operands, so a graph is freed by reference counting
  as soon as the last name for it goes away.
* Instead of a closure, a node stores its *backward rule*: a plain function
  shared by every node that the same operation made. Each rule is written
  right below the method that computes the forward value.
* Operands live in two slots, `_a` and `_b`; whatever else a rule needs (a
  constant, an exponent) lives in `_k`, and so do the operands of a node that
  has more than two. A plain number operand is folded into the node, so
  `x * 3` is one node, not two.
* `backward()` puts the graph in order with an explicit stack, so a chain of
  a million operations needs no recursion.
* `dot` computes a neuron's `bias + sum(w * x)` as a single node whose
  rule updates all of its operands in one loop.

Bad input fails early and says what was wrong: `Value("abc")` raises
TypeError, `log` of a non-positive number ValueError, `exp` overflow
OverflowError, division by zero ZeroDivisionError. `bool` is refused as data
and as an operand: Python counts `True` as an `int`, but a boolean where a
number is expected is far more often a mistake than a wish to compute with 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

__all__ = ["Value", "dot"]

_new = object.__new__


def _is_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _kind(x: object) -> str:
    return type(x).__name__


def _node(data: float, rule: Callable, a: Value | None, b: Value | None, k: object,
          ) -> Value:
    # Results skip __init__: their data comes from arithmetic on numbers that
    # were checked on the way in, and checking again costs time on every node.
    out = _new(Value)
    out.data = data
    out.grad = 0
    out.label = ""
    out._rule = rule
    out._a = a
    out._b = b
    out._k = k
    return out


class Value:
    """A scalar that remembers how it was computed, so it can pass gradients back.

    `Value(data)` makes a leaf. `_children` and `_op` are accepted for
    compatibility with the original engine: a Value built with them lists its
    children in `_prev` and shows its `_op`, but passes no gradient to them,
    since its backward rule is unknown.

    Each operation below comes as a pair: the method that computes the result,
    and right under it the rule `rule(out, g)` that `backward()` calls with
    the result `out` and its gradient `g` to add to the operands' grads.
    """

    __slots__ = ("data", "grad", "label", "_rule", "_a", "_b", "_k")

    def __init__(self, data: float, _children: Iterable[Value] = (), _op: str = "",
                 label: str = "") -> None:
        if not _is_number(data):
            raise TypeError(f"Value data must be an int or float, got {_kind(data)}")
        children = tuple(_children)
        for child in children:
            if not isinstance(child, Value):
                raise TypeError(f"Value _children must be Values, got {_kind(child)}")
        if not isinstance(_op, str):
            raise TypeError(f"Value _op must be a str, got {_kind(_op)}")
        self.data = data
        self.grad = 0
        self.label = label
        self._a = None
        self._b = None
        if children:
            # Stored like a dot's operands (two tuples and one more), so the
            # graph walk needs no case of its own; _b keeps the _op text.
            self._rule = _opaque_backward
            self._b = _op
            self._k = (children[:-1], (), children[-1])
        else:
            # A leaf has no rule; _k keeps the _op text in case one was given.
            self._rule = None
            self._k = _op

    # ---- the graph, as the original engine shows it -------------------------

    @property
    def _prev(self) -> set[Value]:
        """The operands this value was computed from (empty for a leaf)."""
        rule = self._rule
        if rule is None:
            return set()
        a = self._a
        if a is None:
            many, more, last = self._k
            return {*many, *more, last}
        b = self._b
        return {a} if b is None else {a, b}

    @property
    def _op(self) -> str:
        """The operation that made this value, as text for graph drawings."""
        rule = self._rule
        if rule is None:
            return self._k
        if rule is _opaque_backward:
            return self._b
        # A folded constant has no node of its own, so the operation shows it.
        return _SYMBOLS[rule].format(k=self._k)

    @property
    def _backward(self) -> Callable[[], None]:
        """Apply this node's rule once, as the original engine's closure does."""
        rule = self._rule
        if rule is None:
            return _nothing
        return lambda: rule(self, self.grad)

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    # ---- a + b --------------------------------------------------------------

    def __add__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return _node(self.data + other.data, _add_backward, self, other, None)
        if _is_number(other):
            return _node(self.data + other, _add_const_backward, self, None, other)
        return NotImplemented

    @staticmethod
    def _add_backward(out: Value, g: float) -> None:
        out._a.grad += g
        out._b.grad += g

    def __radd__(self, other: float) -> Value:  # other + self
        if _is_number(other):
            return _node(other + self.data, _add_const_backward, self, None, other)
        return NotImplemented

    @staticmethod
    def _add_const_backward(out: Value, g: float) -> None:
        out._a.grad += g

    # ---- a - b and -a -------------------------------------------------------

    def __sub__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return _node(self.data - other.data, _sub_backward, self, other, None)
        if _is_number(other):
            return _node(self.data - other, _sub_const_backward, self, None, other)
        return NotImplemented

    @staticmethod
    def _sub_backward(out: Value, g: float) -> None:
        out._a.grad += g
        out._b.grad -= g

    @staticmethod
    def _sub_const_backward(out: Value, g: float) -> None:
        out._a.grad += g

    def __rsub__(self, other: float) -> Value:  # other - self
        if _is_number(other):
            return _node(other - self.data, _rsub_const_backward, self, None, other)
        return NotImplemented

    @staticmethod
    def _rsub_const_backward(out: Value, g: float) -> None:
        out._a.grad -= g

    def __neg__(self) -> Value:
        return _node(-self.data, _neg_backward, self, None, None)

    @staticmethod
    def _neg_backward(out: Value, g: float) -> None:
        out._a.grad -= g

    # ---- a * b --------------------------------------------------------------

    def __mul__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return _node(self.data * other.data, _mul_backward, self, other, None)
        if _is_number(other):
            return _node(self.data * other, _mul_const_backward, self, None, other)
        return NotImplemented

    @staticmethod
    def _mul_backward(out: Value, g: float) -> None:
        a = out._a
        b = out._b
        a.grad += b.data * g
        b.grad += a.data * g

    def __rmul__(self, other: float) -> Value:  # other * self
        if _is_number(other):
            return _node(other * self.data, _mul_const_backward, self, None, other)
        return NotImplemented

    @staticmethod
    def _mul_const_backward(out: Value, g: float) -> None:
        out._a.grad += out._k * g

    # ---- a / b --------------------------------------------------------------

    def __truediv__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            if other.data == 0:
                raise ZeroDivisionError(f"division by zero: {self!r} / {other!r}")
            return _node(self.data / other.data, _div_backward, self, other, None)
        if _is_number(other):
            if other == 0:
                raise ZeroDivisionError(f"division by zero: {self!r} / {other!r}")
            return _node(self.data / other, _div_const_backward, self, None, other)
        return NotImplemented

    @staticmethod
    def _div_backward(out: Value, g: float) -> None:
        # out = a / b: d/da = 1 / b and d/db = -a / b**2, which is -out / b.
        a = out._a
        b = out._b
        a.grad += g / b.data
        b.grad -= g * out.data / b.data

    @staticmethod
    def _div_const_backward(out: Value, g: float) -> None:
        out._a.grad += g / out._k

    def __rtruediv__(self, other: float) -> Value:  # other / self
        if _is_number(other):
            if self.data == 0:
                raise ZeroDivisionError(f"division by zero: {other!r} / {self!r}")
            return _node(other / self.data, _rdiv_const_backward, self, None, other)
        return NotImplemented

    @staticmethod
    def _rdiv_const_backward(out: Value, g: float) -> None:
        # out = k / x: d/dx = -k / x**2, which is -out / x.
        out._a.grad -= g * out.data / out._a.data

    # ---- a ** k, exp, log ---------------------------------------------------

    def __pow__(self, exponent: float) -> Value:
        # The rule treats the exponent as a constant; a Value exponent would
        # need a gradient of its own, so it is refused rather than ignored.
        if not _is_number(exponent):
            raise TypeError(
                "Value ** exponent: the exponent must be an int or float, "
                f"got {_kind(exponent)}")
        x = self.data
        try:
            data = x**exponent
        except ZeroDivisionError:
            raise ZeroDivisionError(
                f"Value ** exponent: zero to a negative power ({exponent!r})"
            ) from None
        except OverflowError:
            raise OverflowError(
                f"Value ** exponent: {x!r} ** {exponent!r} is too large for a float"
            ) from None
        if isinstance(data, complex):
            # Python's answer for a negative base and a fractional exponent.
            raise ValueError(
                f"Value ** exponent: a negative base ({x!r}) to a non-integer "
                f"power ({exponent!r}) is not a real number")
        return _node(data, _pow_backward, self, None, exponent)

    @staticmethod
    def _pow_backward(out: Value, g: float) -> None:
        k = out._k
        a = out._a
        a.grad += k * a.data ** (k - 1) * g

    def exp(self) -> Value:
        """e to the power of this value."""
        try:
            data = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp overflows for Value(data={self.data!r}): the result is "
                "too large for a float") from None
        return _node(data, _exp_backward, self, None, None)

    @staticmethod
    def _exp_backward(out: Value, g: float) -> None:
        # The derivative of e^x is e^x, already computed as out.data.
        out._a.grad += out.data * g

    def log(self) -> Value:
        """The natural logarithm; defined for positive values only."""
        x = self.data
        if x <= 0:
            raise ValueError(f"log is defined for positive numbers only, got {x!r}")
        return _node(math.log(x), _log_backward, self, None, None)

    @staticmethod
    def _log_backward(out: Value, g: float) -> None:
        out._a.grad += g / out._a.data

    # ---- activations --------------------------------------------------------

    def relu(self) -> Value:
        """max(0, x); its gradient is 1 where the output is positive, else 0."""
        x = self.data
        return _node(0 if x < 0 else x, _relu_backward, self, None, None)

    @staticmethod
    def _relu_backward(out: Value, g: float) -> None:
        if out.data > 0:
            out._a.grad += g

    def tanh(self) -> Value:
        """Hyperbolic tangent: exactly +-1.0 for large inputs, never overflows."""
        # math.tanh saturates cleanly where (e^2x - 1) / (e^2x + 1) overflows.
        return _node(math.tanh(self.data), _tanh_backward, self, None, None)

    @staticmethod
    def _tanh_backward(out: Value, g: float) -> None:
        t = out.data
        out._a.grad += (1 - t * t) * g

    def sigmoid(self) -> Value:
        """1 / (1 + e^-x), computed so that no exp() can overflow."""
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            # For negative x, e^-x could overflow; e^x cannot.
            e = math.exp(x)
            s = e / (1.0 + e)
        return _node(s, _sigmoid_backward, self, None, None)

    @staticmethod
    def _sigmoid_backward(out: Value, g: float) -> None:
        s = out.data
        out._a.grad += s * (1 - s) * g

    # ---- the backward pass --------------------------------------------------

    def backward(self) -> None:
        """Fill in `grad` of every value this one depends on.

        As in the original engine, this value's own grad is set to 1 and every
        other grad is added to. A second call without zeroing therefore does
        not simply double the gradients: the intermediate values still hold
        their grads from the first call and pass them on again. Zero every
        grad (`Module.zero_grad()`) between steps.
        """
        self.grad = 1
        for node in reversed(self._topological_order()):
            node._rule(node, node.grad)

    def _topological_order(self) -> list[Value]:
        """Every non-leaf value this one depends on, each after its operands."""
        if self._rule is None:
            return []
        order: list[Value] = []
        visited: set[Value] = set()
        stack: list[Value | None] = [self]
        push = stack.append
        pop = stack.pop
        emit = order.append
        mark = visited.add
        while stack:
            node = pop()
            if node is None:
                # This marker was pushed below a node's operands; they have all
                # been emitted, so now the node can follow them.
                emit(pop())
                continue
            if node in visited:
                continue
            mark(node)
            push(node)
            push(None)
            a = node._a
            if a is not None:
                # Leaves have nothing to do in the backward pass, so they never
                # go on the stack.
                if a._rule is not None and a not in visited:
                    push(a)
                b = node._b
                if b is not None and b._rule is not None and b not in visited:
                    push(b)
            else:
                # More than two operands: _k holds two tuples of them and one
                # more (a dot's weights, inputs and bias).
                many, more, last = node._k
                for operand in many:
                    if operand._rule is not None and operand not in visited:
                        push(operand)
                for operand in more:
                    if operand._rule is not None and operand not in visited:
                        push(operand)
                if last._rule is not None and last not in visited:
                    push(last)
        return order


def _nothing() -> None:
    return None


def _opaque_backward(out: Value, g: float) -> None:
    # Built by hand with Value(data, _children, _op): the rule is unknown.
    return None


# ---- dot: bias + sum(w * x) as one node -------------------------------------

def dot(weights: Sequence[Value], inputs: Sequence[Value | float],
        bias: Value | float = 0.0) -> Value:
    """`bias + w[0]*x[0] + w[1]*x[1] + ...` as a single node.

    The value and the gradients are those of the same sum written with `+`
    and `*` and added up in the same order, but the graph gets one node
    instead of two per term, and the backward pass updates all the operands in
    one loop. `weights` are Values; `inputs` are Values or plain numbers
    (numbers get no gradient); `bias` is a Value or a number.
    """
    ws = tuple(weights)
    for w in ws:
        if not isinstance(w, Value):
            raise TypeError(f"dot: weights must be Values, got {_kind(w)}")
    xs, of_values = _dot_inputs(inputs)
    if len(ws) != len(xs):
        raise ValueError(
            f"dot: {len(ws)} weights but {len(xs)} inputs; they must pair up")
    if not isinstance(bias, Value):
        if not _is_number(bias):
            raise TypeError(f"dot: bias must be a Value or a number, got {_kind(bias)}")
        bias = Value(bias)
    return _dot(ws, xs, of_values, bias)


def _dot_inputs(inputs: Iterable[Value | float]) -> tuple[tuple, bool]:
    """The inputs as a tuple, and True if they are Values, False if numbers.

    A mix of the two comes back as all Values (numbers become leaves), so one
    rule covers every input. A layer calls this once for all its neurons.
    """
    xs = tuple(inputs)
    if all(isinstance(x, Value) for x in xs):
        return xs, True
    if all(_is_number(x) for x in xs):
        return xs, False
    for x in xs:
        if not isinstance(x, Value) and not _is_number(x):
            raise TypeError(f"dot: inputs must be Values or numbers, got {_kind(x)}")
    return tuple(x if isinstance(x, Value) else Value(x) for x in xs), True


def _dot(ws: tuple[Value, ...], xs: tuple, of_values: bool, bias: Value) -> Value:
    # Summed term by term from the bias, in the order of bias + w0*x0 + w1*x1
    # + ..., so the result is the same float as the expression written out.
    acc = bias.data
    if of_values:
        for w, x in zip(ws, xs, strict=True):
            acc += w.data * x.data
        return _node(acc, _dot_backward, None, None, (ws, xs, bias))
    for w, x in zip(ws, xs, strict=True):
        acc += w.data * x
    return _node(acc, _dot_const_backward, None, xs, (ws, (), bias))


def _dot_backward(out: Value, g: float) -> None:
    ws, xs, bias = out._k
    for w, x in zip(ws, xs, strict=True):
        w.grad += x.data * g
        x.grad += w.data * g
    bias.grad += g


def _dot_const_backward(out: Value, g: float) -> None:
    # The inputs are plain numbers: they were kept in _b, away from the
    # Values in _k that the graph walk visits.
    ws, _, bias = out._k
    for w, x in zip(ws, out._b, strict=True):
        w.grad += x * g
    bias.grad += g


# ---- the rules by name, and how each one is drawn ---------------------------
#
# The methods above look their rules up as module globals: a global is found
# faster than a class attribute, and this runs once per node.

_add_backward = Value._add_backward
_add_const_backward = Value._add_const_backward
_sub_backward = Value._sub_backward
_sub_const_backward = Value._sub_const_backward
_rsub_const_backward = Value._rsub_const_backward
_neg_backward = Value._neg_backward
_mul_backward = Value._mul_backward
_mul_const_backward = Value._mul_const_backward
_div_backward = Value._div_backward
_div_const_backward = Value._div_const_backward
_rdiv_const_backward = Value._rdiv_const_backward
_pow_backward = Value._pow_backward
_exp_backward = Value._exp_backward
_log_backward = Value._log_backward
_relu_backward = Value._relu_backward
_tanh_backward = Value._tanh_backward
_sigmoid_backward = Value._sigmoid_backward

# What _op shows for each rule; {k} stands for the folded constant or exponent.
_SYMBOLS: dict[Callable, str] = {
    _add_backward: "+",
    _add_const_backward: "+ {k}",
    _sub_backward: "-",
    _sub_const_backward: "- {k}",
    _rsub_const_backward: "{k} -",
    _neg_backward: "neg",
    _mul_backward: "*",
    _mul_const_backward: "* {k}",
    _div_backward: "/",
    _div_const_backward: "/ {k}",
    _rdiv_const_backward: "{k} /",
    _pow_backward: "**{k}",
    _exp_backward: "exp",
    _log_backward: "log",
    _relu_backward: "ReLU",
    _tanh_backward: "tanh",
    _sigmoid_backward: "sigmoid",
    _dot_backward: "dot",
    _dot_const_backward: "dot",
}

