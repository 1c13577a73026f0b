"""Bad input: what a reader gets for each mistake, the one home of these cases.

First the mistakes in docs/errors.md's table, then the engine's other checks.

Each message must say what was wrong and what was expected, so the tests
assert on the words, not only on the exception type. The Python cases also
run as doctests on the page itself. The command-line and build cases cannot,
so the page shows transcripts in ```text blocks; the last tests here run the
real commands and require every transcript on the page to be one of them,
word for word, so the page cannot drift from what the tools print.
"""

from __future__ import annotations

import operator
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, make_book, mkdocs_build

from micrograd import engine
from micrograd.engine import dot
from micrograd.versions import v8
from micrograd.viz import MAX_DEPTH, MAX_NODES, GraphTooLargeError, draw_dot

ERRORS_PAGE = ROOT / "docs" / "errors.md"
Value = engine.Value


# ---- the library ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ("abc", "str"),
        (None, "NoneType"),
        ([1.0], "list"),
        (True, "bool"),
        (2j, "complex"),
        ((1.0,), "tuple"),
        (Value(1.0), "Value"),
    ],
)
def test_data_that_is_not_a_number_names_its_type(data: object, kind: str) -> None:
    with pytest.raises(TypeError) as error:
        Value(data)
    assert str(error.value) == f"Value data must be an int or float, got {kind}"


def test_a_value_exponent_is_refused_in_v8() -> None:
    with pytest.raises(TypeError) as error:
        v8.Value(2.0) ** v8.Value(3.0)
    message = str(error.value)
    assert "exponent must be an int or float" in message
    assert message.endswith("got Value")


def test_a_value_exponent_is_refused_in_the_engine() -> None:
    with pytest.raises(
        TypeError, match=r"exponent must be an int or float, got Value$"
    ):
        Value(2.0) ** Value(3.0)


@pytest.mark.parametrize(
    ("x", "shown"), [(0, "0"), (0.0, "0.0"), (-1.5, "-1.5"), (-1e-300, "-1e-300")]
)
def test_log_of_a_non_positive_number_names_the_number(x: float, shown: str) -> None:
    with pytest.raises(ValueError) as error:
        Value(x).log()
    assert str(error.value) == f"log is defined for positive numbers only, got {shown}"


def test_exp_overflow_names_the_input() -> None:
    with pytest.raises(OverflowError) as error:
        Value(1000).exp()
    message = str(error.value)
    assert "exp" in message
    assert "Value(data=1000)" in message
    assert "too large for a float" in message


def test_the_largest_exp_that_fits_still_works() -> None:
    assert Value(709.0).exp().data > 1e307


@pytest.mark.parametrize(
    ("divide", "shown"),
    [
        (
            lambda: Value(1.0) / Value(0),
            "Value(data=1.0, grad=0) / Value(data=0, grad=0)",
        ),
        (lambda: Value(1.0) / 0, "Value(data=1.0, grad=0) / 0"),
        (lambda: Value(1.0) / 0.0, "Value(data=1.0, grad=0) / 0.0"),
        (lambda: 1 / Value(0.0), "1 / Value(data=0.0, grad=0)"),
    ],
    ids=["value/value", "value/number", "value/float", "number/value"],
)
def test_division_by_zero_shows_both_sides(divide, shown: str) -> None:
    with pytest.raises(ZeroDivisionError) as error:
        divide()
    assert str(error.value) == f"division by zero: {shown}"


@pytest.mark.slow
def test_a_label_with_record_characters_is_drawn_as_written() -> None:
    # The label of the page's example: record syntax, an entity, a newline.
    label = "{x|y} <in>\n&amp; out"
    svg = draw_dot(Value(2.0, label=label) * 3).svg()
    texts = [_unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    first = texts.index("{x|y} <in>")
    assert texts[first + 1] == "&amp; out"
    assert "data 2.0000" in texts  # the record still has its other cells


@pytest.mark.parametrize(
    ("label", "shown"),
    [("tab\there", "U+0009, at position 3"), ("\x00", "U+0000, at position 0")],
)
def test_a_label_with_a_control_character_is_refused(label: str, shown: str) -> None:
    with pytest.raises(ValueError) as error:
        draw_dot(Value(1.0, label=label))
    message = str(error.value)
    assert message.startswith(f"draw_dot: label {label!r} has a control character")
    assert shown in message
    assert message.endswith("printable text and newlines")


def test_a_lone_surrogate_in_a_label_is_refused() -> None:
    with pytest.raises(
        ValueError, match="has a lone surrogate, U\\+DC80, at position 1"
    ):
        draw_dot(Value(1.0, label="a\udc80"))


@pytest.mark.slow
def test_a_chain_too_long_for_graphviz_is_refused_up_front() -> None:
    total = Value(0.0)
    for i in range(100_000):
        total = total + i
    with pytest.raises(GraphTooLargeError) as error:
        draw_dot(total, max_nodes=200_000)
    assert str(error.value) == (
        f"draw_dot: the graph is a chain of 100001 values, longer than the "
        f"{MAX_DEPTH} Graphviz can lay out; draw a shorter expression"
    )


def test_a_huge_graph_is_refused_with_a_clear_message() -> None:
    total = Value(0.0)
    for i in range(100_000):
        total = total + i
    with pytest.raises(GraphTooLargeError) as error:
        draw_dot(total)
    assert isinstance(error.value, ValueError)
    message = str(error.value)
    assert f"more than {MAX_NODES} values" in message
    assert "max_nodes" in message  # the way out


@pytest.mark.parametrize("rankdir", ["XY", "lr", "", "top-down", None])
def test_an_unknown_rankdir_lists_the_four_directions(rankdir: str | None) -> None:
    with pytest.raises(ValueError) as error:
        draw_dot(Value(1.0), rankdir=rankdir)
    assert str(error.value) == (
        f"draw_dot: rankdir must be one of LR, RL, TB, BT, got {rankdir!r}"
    )


def test_backward_twice_accumulates() -> None:
    # As the page explains: the second pass adds on top of everything the
    # first one left, intermediate gradients included.
    x = Value(3.0)
    z = (x * x) * 2
    z.backward()
    assert x.grad == 12.0
    z.backward()
    assert x.grad == 36.0
    x.grad = 0
    z = (x * x) * 2
    z.backward()
    assert x.grad == 12.0


# ---- the engine's other checks (not in the page's table) ---------------------


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


def test_zero_to_a_negative_power() -> None:
    with pytest.raises(ZeroDivisionError, match="zero to a negative power"):
        Value(0.0) ** -1


def test_negative_base_to_a_fractional_power() -> None:
    with pytest.raises(ValueError, match=r"negative base \(-8.0\).*not a real number"):
        Value(-8.0) ** 0.5


def test_power_overflow() -> None:
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(10.0) ** 400


@pytest.mark.parametrize(
    ("exponent", "kind"),
    [
        (Value(2.0), "Value"),
        ("2", "str"),
        (None, "NoneType"),
        (True, "bool"),
    ],
)
def test_exponent_must_be_a_number(exponent: object, kind: str) -> None:
    message = f"exponent must be an int or float, got {kind}"
    with pytest.raises(TypeError, match=message):
        Value(2.0) ** exponent


@pytest.mark.parametrize(
    "op", [operator.add, operator.sub, operator.mul, operator.truediv]
)
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


# ---- the command line and the build, as transcripts on the page -----------------


def _cli_transcript(
    *arguments: str, stdout: str | None = None
) -> tuple[subprocess.CompletedProcess, str]:
    """Run the command line as the page shows it; `stdout` names a file to
    send its output to (`> stdout`), else it is captured."""
    redirect = open(stdout, "w") if stdout else None  # noqa: SIM115
    try:
        result = subprocess.run(
            [sys.executable, "-m", "micrograd", *arguments],
            cwd=ROOT,
            stdout=redirect or subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        if redirect:
            redirect.close()
    shown = " ".join(arguments) + (f" > {stdout}" if stdout else "")
    transcript = (
        f"$ python -m micrograd {shown}\n{result.stderr}$ echo $?\n{result.returncode}"
    )
    return result, transcript


def test_cli_with_an_unknown_option_names_it() -> None:
    result, _ = _cli_transcript("-x")
    assert result.returncode == 2
    assert result.stderr == (
        "micrograd: error: unrecognized arguments: -x (see 'micrograd --help')\n"
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_cli_on_a_full_disk_says_so_in_one_line() -> None:
    result, _ = _cli_transcript("versions", stdout="/dev/full")
    assert result.returncode == 1
    assert result.stderr == (
        "micrograd: error: cannot write to standard output: No space left on device\n"
    )


def test_cli_stops_quietly_when_the_reader_does() -> None:
    reading, writing = os.pipe()
    os.close(reading)  # like `| head -3` once head has its lines
    try:
        result = subprocess.run(
            [sys.executable, "-m", "micrograd", "show", "8"],
            stdout=writing,
            stderr=subprocess.PIPE,
        )
    finally:
        os.close(writing)
    assert (result.returncode, result.stderr) == (141, b"")


def test_cli_with_a_missing_version_exits_2_with_one_line() -> None:
    result, _ = _cli_transcript("show", "9")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "no snapshot v9" in lines[0]
    assert "versions are 1 to 8" in lines[0]


# The broken page described on errors.md: a version 4 Value plus a number,
# in a block that starts on line 9; the failing statement is line 10.
BROKEN_CHAPTER = """\
# 4. tanh and a neuron

```python
>>> from micrograd.versions.v4 import Value
>>> x = Value(2.0)

```

```python
y = x + 1
```
"""

LINKING_CHAPTER = """\
# 4. tanh and a neuron

On to [the next chapter](05-backward-rule.md).
"""


def _build_transcript(
    project: Path, *extra: str
) -> tuple[subprocess.CompletedProcess, str]:
    result = mkdocs_build(project / "site", *extra, cwd=project)
    # Inside the repository the hooks name a page relative to its root;
    # this project lives elsewhere, so its own folder stands in for the root.
    stderr = result.stderr.replace(f"{project}/", "")
    reported = [
        line for line in stderr.splitlines() if line.startswith(("ERROR", "WARNING"))
    ]
    transcript = "\n".join(reported) + "\n" + result.stdout.rstrip("\n")
    return result, transcript


@pytest.fixture(scope="module")
def transcripts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What the tools really print for the three cases errors.md shows."""
    _, cli = _cli_transcript("show", "9")
    _, option = _cli_transcript("-x")
    broken = make_book(
        tmp_path_factory.mktemp("broken-block"),
        {"index.md": "# Home\n", "chapters/04-a-neuron.md": BROKEN_CHAPTER},
    )
    result, build = _build_transcript(broken)
    assert result.returncode != 0, "a failing block did not stop the build"
    linking = make_book(
        tmp_path_factory.mktemp("broken-link"),
        {"index.md": "# Home\n", "chapters/04-a-neuron.md": LINKING_CHAPTER},
    )
    result, link = _build_transcript(linking, "--strict")
    assert result.returncode != 0, "a broken link did not stop the strict build"
    found = {
        "command line": cli,
        "unknown option": option,
        "failing block": build,
        "broken link": link,
    }
    if Path("/dev/full").exists():
        found["full disk"] = _cli_transcript("versions", stdout="/dev/full")[1]
    return found


@pytest.mark.slow
def test_the_failing_block_transcript_names_file_line_and_error(
    transcripts: dict[str, str],
) -> None:
    assert BROKEN_CHAPTER.splitlines()[9] == "y = x + 1"  # line 10 fails
    assert (
        "docs/chapters/04-a-neuron.md:10: example failed: AttributeError: "
        "'int' object has no attribute 'data'"
    ) in transcripts["failing block"]
    assert transcripts["failing block"].endswith("Aborted with a BuildError!")


@pytest.mark.slow
def test_the_broken_link_transcript_names_page_and_link(
    transcripts: dict[str, str],
) -> None:
    text = transcripts["broken link"]
    assert "'chapters/04-a-neuron.md'" in text
    assert "'05-backward-rule.md'" in text
    assert "not found" in text
    assert text.endswith("in strict mode!")


@pytest.mark.slow
def test_every_transcript_on_the_page_is_a_real_one(
    transcripts: dict[str, str],
) -> None:
    shown = re.findall(r"^```text\n(.*?)\n```$", ERRORS_PAGE.read_text(), re.M | re.S)
    real = set(transcripts.values())
    stale = [block for block in shown if block not in real]
    assert not stale, (
        "errors.md shows output the tools no longer print:\n\n" + "\n\n".join(stale)
    )
    missing = [name for name, text in transcripts.items() if text not in shown]
    assert not missing, f"errors.md lacks the transcript of: {missing}"


def test_the_page_has_one_row_per_case() -> None:
    text = ERRORS_PAGE.read_text()
    table = [line for line in text.splitlines() if line.startswith("| ")][1:]
    cases = [
        'Value("abc")',
        "10**400",
        "NumPy",
        "x ** 0.5",
        "a ** b",
        ".log()",
        ".exp()",
        "a / b",
        "or a newline",
        "on 100 000 values",
        "rankdir",
        "backward()",
        "show 9",
        "-x",
        "/dev/full",
        "head -3",
        "tab, a NUL",
        "max_nodes=200_000",
        "failing block",
        "link",
    ]
    for case in cases:
        assert sum(case in row for row in table) == 1, case


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
