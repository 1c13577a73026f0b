"""A scalar-valued autograd engine: `Value` and its backward pass.

`Value` has the public API of the original micrograd engine (`data`,
`grad`, `+ - * / **`, `relu()`, `backward()`, `_prev`, `_op`,
`_backward()`), plus `tanh()`, `exp()`, `log()`, `sigmoid()`, an optional
`label`, and `dot`, which makes a neuron's `act(bias + sum(w * x))` one node.

How the file is laid out:

* Each operation is declared once, inside `Value`: the method that computes
  the result, and right under it its *backward rule*, a plain function
  `rule(out, g)` that adds the result's gradient `g` to the operands' grads.
  The decorator on the rule gives the symbol graphs show for it.
* The activations (`relu`, `tanh`, `sigmoid`) differ only in a function and
  its slope, so each is one row of `ACTIVATION_TABLE`: its name, the
  function, the slope computed from the function's output, and its symbol.
  The methods, their rules and `dot`'s fused rules are all built from it.
* A node keeps its rule instead of a closure, and its operands in slots that
  each hold one kind of thing: `_a` and `_b` the first two operand Values,
  `_more` a tuple of any further ones, `_k` a plain number the operation uses.
* `topological_order` puts a graph in order with a loop and a list used as a
  stack. It knows no operation, only where a node keeps its operands.
* Under Pyodide only, a node has a `__del__` that frees a long chain in a
  loop, because CPython's own guard against deep freeing does not act there
  (the comment above `_release_operands` explains).

Why it is fast: no closure per node (the teaching versions' closures put
every node in a reference cycle, which only the cyclic garbage collector can
free), `__slots__` so a node has no dictionary, one class for every node so
that CPython's attribute caches always hit, plain numbers folded into the
node that uses them, and one node for a whole neuron.

Numbers are checked once, where they come in. Any real number is accepted
(`int`, `float`, NumPy's scalars, anything registered as `numbers.Real`)
except `bool`: a boolean where a number is expected is far more often a
mistake than a wish to compute with 1. Numbers that are not a Python `int` or
`float` are converted to one, so the arithmetic is always Python's own.
"""

from __future__ import annotations

import gc
import math
import numbers
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import compress, filterfalse
from operator import attrgetter
from typing import NamedTuple

__all__ = ["ACTIVATIONS", "ACTIVATION_TABLE", "Activation", "Value", "dot",
           "no_cycle_collection", "topological_order"]

Rule = Callable[["Value", float], None]
_new = object.__new__
_rule_of = attrgetter("_rule")


# ---- numbers at the door -----------------------------------------------------

def _kind(x: object) -> str:
    return type(x).__name__


def _number(x: object, what: str, expected: str = "an int or float") -> int | float:
    """`x` as a Python int or float, or an error saying `what` must be `expected`."""
    kind = type(x)
    if kind is float:
        return x
    if kind is not int:
        if kind is bool or not isinstance(x, numbers.Real):
            raise TypeError(f"{what} must be {expected}, got {_kind(x)}")
        # NumPy's scalars and the like: Python's own int or float from here on.
        x = int(x) if isinstance(x, numbers.Integral) else float(x)
        if type(x) is float:
            return x
    try:
        float(x)
    except OverflowError:
        # The message must not print the int: str() of a huge one can fail.
        raise OverflowError(
            f"{what}: an int of {x.bit_length()} bits is too large for a float "
            "(the largest is about 1.8e308)") from None
    return x


def _operand(x: object) -> int | float | None:
    """`x` as a number if it is one (see `_number`), else None."""
    kind = type(x)
    if kind is float:
        return x
    if kind is not int and (kind is bool or not isinstance(x, numbers.Real)):
        return None
    return _number(x, "Value operand")


# ---- rules and nodes ---------------------------------------------------------

def _shown_as(symbol: str) -> Callable[[Rule], Rule]:
    """Give a backward rule the symbol graphs show; {k} stands for the node's _k."""
    def mark(rule: Rule) -> Rule:
        rule.symbol = symbol
        return rule
    return mark


def _result(data: float, rule: Rule, a: Value, b: Value | None = None,
            k: float | None = None) -> Value:
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
    out._more = ()
    return out


class Value:
    """A scalar that remembers how it was computed, so it can pass gradients back.

    `Value(data)` makes a leaf. Besides the arithmetic written out below,
    every row of `ACTIVATION_TABLE` gives `Value` a method of that name
    (`relu()`, `tanh()`, `sigmoid()`) with the row's docstring.

    `_children` and `_op` are accepted for
    compatibility with the original engine: a Value built with them lists its
    children in `_prev` and shows its `_op`, but passes no gradient to them,
    since its backward rule is unknown.
    """

    __slots__ = ("data", "grad", "label", "_rule", "_a", "_b", "_k", "_more")

    def __init__(self, data: float, _children: Iterable[Value] = (), _op: str = "",
                 label: str = "") -> None:
        self.data = _number(data, "Value data")
        self.grad = 0
        self.label = label
        if not isinstance(_op, str):
            raise TypeError(f"Value _op must be a str, got {_kind(_op)}")
        children = tuple(_children)
        for child in children:
            if not isinstance(child, Value):
                raise TypeError(f"Value _children must be Values, got {_kind(child)}")
        # A leaf has no rule. A hand-built node gets one that does nothing
        # but carry its _op text.
        self._rule = _recorded(_op) if children or _op else None
        self._a = None
        self._b = None
        self._k = None
        self._more = children

    # ---- the graph, as the original engine shows it

    @property
    def _prev(self) -> set[Value]:
        """The operands this value was computed from (empty for a leaf)."""
        return {v for v in (self._a, self._b, *self._more) if v is not None}

    @property
    def _op(self) -> str:
        """The operation that made this value, as text for graph drawings."""
        rule = self._rule
        if rule is None:
            return ""
        # A folded constant has no node of its own, so the operation shows it.
        return rule.symbol if self._k is None else rule.symbol.format(k=self._k)

    def _backward(self) -> None:
        """Apply this node's rule once, as the original engine's closure does."""
        if self._rule is not None:
            self._rule(self, self.grad)

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    # ---- a + b

    def __add__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return _result(self.data + other.data, Value._add, self, other)
        k = _operand(other)
        if k is None:
            return NotImplemented
        return _result(self.data + k, Value._add_k, self, None, k)

    def __radd__(self, other: float) -> Value:  # other + self
        k = _operand(other)
        if k is None:
            return NotImplemented
        return _result(k + self.data, Value._add_k, self, None, k)

    @staticmethod
    @_shown_as("+")
    def _add(out: Value, g: float) -> None:
        out._a.grad += g
        out._b.grad += g

    @staticmethod
    @_shown_as("+ {k}")
    def _add_k(out: Value, g: float) -> None:
        out._a.grad += g

    # ---- a - b, k - a and -a

    def __sub__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return _result(self.data - other.data, Value._sub, self, other)
        k = _operand(other)
        if k is None:
            return NotImplemented
        return _result(self.data - k, Value._sub_k, self, None, k)

    @staticmethod
    @_shown_as("-")
    def _sub(out: Value, g: float) -> None:
        out._a.grad += g
        out._b.grad -= g

    @staticmethod
    @_shown_as("- {k}")
    def _sub_k(out: Value, g: float) -> None:
        out._a.grad += g

    def __rsub__(self, other: float) -> Value:  # other - self
        k = _operand(other)
        if k is None:
            return NotImplemented
        return _result(k - self.data, Value._k_sub, self, None, k)

    @staticmethod
    @_shown_as("{k} -")
    def _k_sub(out: Value, g: float) -> None:
        out._a.grad -= g

    def __neg__(self) -> Value:
        return _result(-self.data, Value._neg, self)

    @staticmethod
    @_shown_as("neg")
    def _neg(out: Value, g: float) -> None:
        out._a.grad -= g

    # ---- a * b

    def __mul__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return _result(self.data * other.data, Value._mul, self, other)
        k = _operand(other)
        if k is None:
            return NotImplemented
        return _result(self.data * k, Value._mul_k, self, None, k)

    def __rmul__(self, other: float) -> Value:  # other * self
        k = _operand(other)
        if k is None:
            return NotImplemented
        return _result(k * self.data, Value._mul_k, self, None, k)

    @staticmethod
    @_shown_as("*")
    def _mul(out: Value, g: float) -> None:
        # d(a*b)/da = b and d(a*b)/db = a.
        a = out._a
        b = out._b
        a.grad += b.data * g
        b.grad += a.data * g

    @staticmethod
    @_shown_as("* {k}")
    def _mul_k(out: Value, g: float) -> None:
        out._a.grad += out._k * g

    # ---- a / b and k / a

    def __truediv__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            if other.data == 0:
                raise ZeroDivisionError(f"division by zero: {self!r} / {other!r}")
            return _result(self.data / other.data, Value._div, self, other)
        k = _operand(other)
        if k is None:
            return NotImplemented
        if k == 0:
            raise ZeroDivisionError(f"division by zero: {self!r} / {k!r}")
        return _result(self.data / k, Value._div_k, self, None, k)

    @staticmethod
    @_shown_as("/")
    def _div(out: Value, g: float) -> None:
        # out = a / b: d/da = 1 / b and d/db = -a / b**2, which is -out / b.
        a = out._a
        b = out._b
        a.grad += g / b.data
        b.grad -= g * out.data / b.data

    @staticmethod
    @_shown_as("/ {k}")
    def _div_k(out: Value, g: float) -> None:
        out._a.grad += g / out._k

    def __rtruediv__(self, other: float) -> Value:  # other / self
        k = _operand(other)
        if k is None:
            return NotImplemented
        if self.data == 0:
            raise ZeroDivisionError(f"division by zero: {k!r} / {self!r}")
        return _result(k / self.data, Value._k_div, self, None, k)

    @staticmethod
    @_shown_as("{k} /")
    def _k_div(out: Value, g: float) -> None:
        # out = k / a: d/da = -k / a**2, which is -out / a.
        a = out._a
        a.grad -= g * out.data / a.data

    # ---- a ** k

    def __pow__(self, exponent: float) -> Value:
        # The rule treats the exponent as a constant; a Value exponent would
        # need a gradient of its own, so it is refused rather than ignored.
        k = _number(exponent, "Value ** exponent: the exponent")
        x = self.data
        try:
            data = x**k
        except ZeroDivisionError:
            raise ZeroDivisionError(
                f"Value ** exponent: zero to a negative power ({k!r})") from None
        except OverflowError:
            raise OverflowError(
                f"Value ** exponent: {x!r} ** {k!r} is too large for a float") from None
        if isinstance(data, complex):
            # Python's answer for a negative base and a fractional exponent.
            raise ValueError(
                f"Value ** exponent: a negative base ({x!r}) to a non-integer "
                f"power ({k!r}) is not a real number")
        return _result(data, Value._pow, self, None, k)

    @staticmethod
    @_shown_as("**{k}")
    def _pow(out: Value, g: float) -> None:
        a = out._a
        k = out._k
        if k == 0:
            return  # x**0 is 1 everywhere, so its slope is 0, even at x = 0.
        if a.data == 0 and k < 1:
            # The slope k * x**(k - 1) grows without bound as x nears 0; like
            # PyTorch, pass on infinity rather than fail.
            a.grad += k * math.inf * g
            return
        a.grad += k * a.data ** (k - 1) * g

    # ---- exp and log

    def exp(self) -> Value:
        """e to the power of this value."""
        try:
            data = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp overflows for Value(data={self.data!r}): the result is "
                "too large for a float") from None
        return _result(data, Value._exp, self)

    @staticmethod
    @_shown_as("exp")
    def _exp(out: Value, g: float) -> None:
        # The derivative of e^x is e^x, already computed as out.data.
        out._a.grad += out.data * g

    def log(self) -> Value:
        """The natural logarithm; defined for positive values only."""
        x = self.data
        if x <= 0:
            raise ValueError(f"log is defined for positive numbers only, got {x!r}")
        return _result(math.log(x), Value._log, self)

    @staticmethod
    @_shown_as("log")
    def _log(out: Value, g: float) -> None:
        out._a.grad += g / out._a.data

    # ---- the backward pass

    def backward(self) -> None:
        """Fill in `grad` of every value this one depends on.

        As in the original engine, this value's own grad is set to 1 and every
        other grad is added to. A second call without zeroing therefore does
        not simply double the gradients: the intermediate values still hold
        their grads from the first call and pass them on again. Zero every
        grad (`Module.zero_grad()`) between steps.
        """
        self.grad = 1
        for node in reversed(topological_order(self)):
            node._rule(node, node.grad)


def topological_order(root: Value) -> list[Value]:
    """Every value `root` depends on that has a rule, each after its operands.

    A loop over a list used as a stack does the work of a recursive walk, so
    the depth of a graph costs memory, not nested calls. Leaves are left out:
    they have nothing to pass back.
    """
    order: list[Value] = []
    if root._rule is None:
        return order
    visited: set[Value] = set()
    stack: list[Value | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:
            # Pushed below a node's operands: they are all in the order now,
            # so the node can follow them.
            order.append(stack.pop())
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append(node)
        stack.append(None)
        a = node._a
        if a is not None and a._rule is not None and a not in visited:
            stack.append(a)
        b = node._b
        if b is not None and b._rule is not None and b not in visited:
            stack.append(b)
        more = node._more
        if more:
            # A neuron's node has dozens of operands: its weights, which are
            # leaves, and its inputs, which the other neurons of the layer
            # share. Both filters run in C, not one operand at a time.
            stack.extend(filterfalse(visited.__contains__,
                                     compress(more, map(_rule_of, more))))
    return order


def _recorded(text: str) -> Rule:
    # The rule of a node built by hand: it passes nothing back.
    def rule(out: Value, g: float) -> None:
        return None
    rule.symbol = text
    return rule


# ---- a neuron as one node: act(bias + w[0]*x[0] + w[1]*x[1] + ...) -----------
#
# The node keeps the bias in _a, and the weights followed by the inputs in
# _more: (w0, w1, ..., x0, x1, ...). Its rule turns the output's gradient into
# the sum's, through the activation's slope, then hands that to every term.

def _spread(out: Value, g: float) -> None:
    more = out._more
    n = len(more) // 2
    for w, x in zip(more[:n], more[n:], strict=True):
        w.grad += x.data * g
        x.grad += w.data * g
    out._a.grad += g


@_shown_as("dot")
def _dot(out: Value, g: float) -> None:
    _spread(out, g)


# ---- activations: each declared once, in ACTIVATION_TABLE -------------------
#
# A row gives everything the engine needs to know of an activation: its name
# (the method's, and `dot`'s `activation`), the function it applies, its
# slope computed from its own output, and the symbol graphs show. The code
# after the table builds, from each row, the method on `Value`, the rule of
# the node that method makes, and the rule of a `dot` node that applies it.

class Activation(NamedTuple):
    """One activation function, as `ACTIVATION_TABLE` declares it."""

    #: The method's name, and the name `dot` and `micrograd.nn` take.
    name: str
    #: y = f(x), on a plain number.
    forward: Callable[[float], float]
    #: f'(x), computed from y = f(x), which the node already holds. None
    #: means no gradient passes at all: not even a zero is added.
    slope: Callable[[float], float | None]
    #: What a graph shows for a node that applies it.
    symbol: str
    #: The method's docstring.
    doc: str


def _rectify(x: float) -> float:
    return 0 if x < 0 else x


def _relu_slope(y: float) -> int | None:
    # Where ReLU is off, the input gets nothing, as if it were not used: its
    # grad keeps its type, and an infinite gradient does not turn into NaN.
    return 1 if y > 0 else None


def _logistic(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    # For negative x, e^-x could overflow; e^x cannot.
    e = math.exp(x)
    return e / (1.0 + e)


def _tanh_slope(t: float) -> float:
    # d tanh(x) / dx = 1 - tanh(x)**2, and tanh(x) is the node's output.
    return 1 - t * t


def _sigmoid_slope(s: float) -> float:
    # d sigmoid(x) / dx = sigmoid(x) * (1 - sigmoid(x)).
    return s * (1 - s)


ACTIVATION_TABLE: tuple[Activation, ...] = (
    Activation("relu", _rectify, _relu_slope, "ReLU",
               "max(0, x); its gradient is 1 where the output is positive, else 0."),
    # math.tanh saturates cleanly where (e^2x - 1) / (e^2x + 1) overflows.
    Activation("tanh", math.tanh, _tanh_slope, "tanh",
               "Hyperbolic tangent: exactly +-1.0 for large inputs, never overflows."),
    Activation("sigmoid", _logistic, _sigmoid_slope, "sigmoid",
               "1 / (1 + e^-x), computed so that no exp() can overflow."),
)

#: The activations `dot` can apply to its sum, by name.
ACTIVATIONS: tuple[str, ...] = tuple(act.name for act in ACTIVATION_TABLE)


def _activation_rule(act: Activation) -> Rule:
    """The rule of a node that applies `act` to its one operand, `_a`."""
    slope = act.slope

    @_shown_as(act.symbol)
    def rule(out: Value, g: float) -> None:
        s = slope(out.data)
        if s is not None:
            out._a.grad += s * g
    return rule


def _dot_rule(act: Activation) -> Rule:
    """The rule of a `dot` node whose sum goes through `act`."""
    slope = act.slope

    @_shown_as(f"dot {act.symbol}")
    def rule(out: Value, g: float) -> None:
        # Through the activation's slope to the sum, then to every term.
        s = slope(out.data)
        if s is not None:
            _spread(out, s * g)
    return rule


def _activation_method(act: Activation) -> Callable[[Value], Value]:
    """`Value.<name>()`: a node holding `act.forward(self.data)`."""
    forward, rule = act.forward, _activation_rule(act)

    def method(self: Value) -> Value:
        return _result(forward(self.data), rule, self)

    method.__name__ = act.name
    method.__qualname__ = f"Value.{act.name}"
    method.__doc__ = act.doc
    return method


# For `dot`: each activation, by name, as the function applied to the sum and
# the rule of the node; None, the sum itself.
_DOT_KINDS: dict[str | None, tuple[Callable[[float], float] | None, Rule]] = {
    None: (None, _dot)}

for _act in ACTIVATION_TABLE:
    setattr(Value, _act.name, _activation_method(_act))
    _DOT_KINDS[_act.name] = (_act.forward, _dot_rule(_act))
del _act

def _all_values(items: tuple) -> bool:
    return all(isinstance(item, Value) for item in items)


_JUST_VALUE = frozenset({Value})


def dot(weights: Sequence[Value], inputs: Sequence[Value | float],
        bias: Value | float = 0.0, activation: str | None = None) -> Value:
    """`act(bias + w[0]*x[0] + w[1]*x[1] + ...)` as a single node.

    The value and the gradients are those of the same expression written with
    `+`, `*` and the activation, added up in the same order, but the graph
    gets one node instead of two per term plus one, and the backward pass
    updates all the operands in one loop. `weights` are Values; `inputs` are
    Values or plain numbers (numbers become leaves, so they get a gradient
    nobody reads); `bias` is a Value or a number; `activation` is None (the
    sum itself), "relu", "tanh" or "sigmoid".
    """
    try:
        act, rule = _DOT_KINDS[activation]
    except (KeyError, TypeError):
        raise ValueError(
            f"dot: activation must be None or one of "
            f"{', '.join(map(repr, ACTIVATIONS))}, got {activation!r}") from None
    ws = tuple(weights)
    xs = tuple(inputs)
    more = ws + xs
    # The usual case, all Values, is checked in C, one set lookup per operand;
    # only Values of a subclass, numbers among the inputs, or mistakes take
    # the long way.
    if not _JUST_VALUE.issuperset(map(type, more)):
        if not _all_values(ws):
            kind = next(_kind(w) for w in ws if not isinstance(w, Value))
            raise TypeError(f"dot: weights must be Values, got {kind}")
        xs = tuple(x if isinstance(x, Value) else Value(_number(
            x, "dot: inputs", "Values or numbers")) for x in xs)
        more = ws + xs
    if len(ws) != len(xs):
        raise ValueError(
            f"dot: {len(ws)} weights but {len(xs)} inputs; they must pair up")
    if not isinstance(bias, Value):
        bias = Value(_number(bias, "dot: bias", "a Value or a number"))
    # Summed term by term from the bias, in the order of bias + w0*x0 + w1*x1
    # + ..., so the sum is the float the written-out expression gives. (The
    # lengths were compared above, so zip need not check them again.)
    s = bias.data
    for w, x in zip(ws, xs, strict=False):
        s += w.data * x.data
    out = _result(s if act is None else act(s), rule, bias)
    out._more = more
    return out


# ---- freeing a long chain where CPython cannot guard the stack ----------------
#
# When the last name of a chain's end goes, reference counting frees the end,
# which releases its operand, which frees that one, and so on: one nested
# C call per node. CPython keeps that nesting short with its "trashcan",
# which defers the rest once the C stack runs low. Since CPython 3.14 the
# trashcan judges that by the stack pointer. Under Pyodide (WebAssembly) the
# stack pointer CPython sees is Emscripten's stack in linear memory, which
# these calls hardly use, while the calls themselves go on the JavaScript
# engine's stack, whose end CPython cannot see: the trashcan never acts, and
# freeing a chain of a few thousand nodes ends in "RangeError: Maximum call
# stack size exceeded", which kills the interpreter. (Measured in Node with
# Pyodide 314.0.7: a chain of 5,200 Values, or of 6,000 nested tuples, is
# the limit; a browser's worker stops sooner.) No way of holding operands
# helps, since every container's deallocation relies on the same trashcan.
#
# So there, and only there, a dying node hands its operands to a list, and
# the outermost of the nested deaths releases them one at a time: a node
# that dies while the list is being emptied only adds its own operands to
# it. A chain is freed in a loop, never more than two deaths deep. On other
# platforms the trashcan does its job, and nodes are freed without calling
# any Python code, which is faster.

_released: list[Value] = []
_releasing = False


def _release_operands(node: Value) -> None:
    """`Value.__del__` under Pyodide: free the operands in a loop, not nested."""
    global _releasing
    # Queued first, then taken off the node, which is being destroyed anyway.
    # No local name may hold an operand: it would be released when this call
    # returns, after the loop below, and so nested again.
    if node._a is not None:
        _released.append(node._a)
        node._a = None
    if node._b is not None:
        _released.append(node._b)
        node._b = None
    if node._more:
        _released.extend(node._more)
        node._more = ()
    if _releasing:
        return  # an outer call is emptying the list, and will get to these
    _releasing = True
    try:
        while _released:
            # The operand is dropped as soon as it is popped; if that was its
            # last reference, it dies here and only queues its own operands.
            _released.pop()
    finally:
        _releasing = False


if sys.platform == "emscripten":
    Value.__del__ = _release_operands


# ---- an opt-in for big graphs ----------------------------------------------------

@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector inside a `with` block.

    Every node is an object the collector tracks, so while a big graph is
    being built the collector keeps walking it, looking for cycles that this
    engine never makes: its graphs are freed by reference counting alone. On
    a graph of 100,000 operations that walking is a large part of the time;
    on a small one, such as a training step of a small network, a much
    smaller part (the Performance page has both). The collector is switched
    back on when the block ends, if it was on before, so cycles made by other
    code inside the block are collected then.

    Drop the graph inside the block too (let its last name go, or `del` it)
    for the whole benefit. The collector counts what was made while it was
    paused, so a graph still alive when the block ends gets walked once, by
    its first pass after the block; one freed inside is simply gone.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
