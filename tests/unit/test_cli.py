"""The command line, run the way a reader runs it: python -m micrograd."""

import os
import subprocess
import sys

import pytest

from micrograd.cli import BROKEN_PIPE_STATUS, main
from micrograd.versions import VERSIONS


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "micrograd", *args],
        capture_output=True,
        timeout=60,
    )


def test_versions_lists_one_line_each() -> None:
    result = run("versions")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert len(lines) == len(VERSIONS)
    for line, v in zip(lines, VERSIONS, strict=True):
        assert line.startswith(f"v{v.number} ")
        assert v.title in line and line.endswith(v.summary)


def test_show_prints_the_file_byte_for_byte() -> None:
    result = run("show", "5")
    assert result.returncode == 0, result.stderr
    assert result.stdout == VERSIONS[4].path.read_bytes()
    assert result.stderr == b""


def test_show_output_is_a_working_copy(tmp_path) -> None:
    (tmp_path / "value.py").write_bytes(run("show", "7").stdout)
    check = "import value; a = value.Value(3.0); b = a + a; b.backward(); print(a.grad)"
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "2.0\n"


def test_diff_shows_what_changed() -> None:
    result = run("diff", "4", "5")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert out.startswith("--- v4.py\n+++ v5.py\n")
    assert "+        self._backward = lambda: None\n" in out


def fenced_lines(markdown: str) -> list[str]:
    """The lines between a Markdown code fence's opening and closing lines."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("```"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
    return lines[start + 1 : end]


@pytest.mark.parametrize("old", range(1, len(VERSIONS)))
def test_diff_prints_what_the_page_shows(
    old: int, capsys: pytest.CaptureFixture[str]
) -> None:
    from bookbuild.directives import diff_markdown

    assert main(["diff", str(old), str(old + 1)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == fenced_lines(diff_markdown(old, old + 1))
    assert main(["diff", "--code-only", str(old), str(old + 1)]) == 0
    assert capsys.readouterr().out.splitlines() == printed


def test_diff_full_compares_the_docstrings_too() -> None:
    default = run("diff", "6", "7")
    full = run("diff", "--full", "6", "7")
    assert default.returncode == full.returncode == 0
    docstring_change = "+\"\"\"Version 7 of Value: gradients add up."
    assert docstring_change in full.stdout.decode()
    assert docstring_change not in default.stdout.decode()
    # Every changed line of the code is in both.
    code_changes = [line for line in default.stdout.decode().splitlines()
                    if line.startswith(("+ ", "- "))]
    assert len(code_changes) == 10
    assert set(code_changes) <= set(full.stdout.decode().splitlines())


def test_diff_takes_one_of_its_two_options_only() -> None:
    line = one_error_line(run("diff", "--full", "--code-only", "6", "7"))
    assert "not allowed with argument --full" in line
    line = one_error_line(run("show", "--full", "6"))
    assert line == (
        "micrograd: error: unrecognized arguments: --full (see 'micrograd --help')"
    )


def test_help_works() -> None:
    result = run("--help")
    assert result.returncode == 0
    out = result.stdout.decode()
    for command in ["versions", "show", "diff"]:
        assert command in out


def one_error_line(result: subprocess.CompletedProcess[bytes]) -> str:
    assert result.returncode == 2
    assert result.stdout == b""
    lines = [ln for ln in result.stderr.decode().splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


def test_version_out_of_range_is_one_line() -> None:
    line = one_error_line(run("show", "9"))
    assert "no snapshot v9" in line and "1 to 8" in line


def test_version_not_a_number_is_one_line() -> None:
    line = one_error_line(run("show", "abc"))
    assert "'abc'" in line and "integer from 1 to 8" in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "required: COMMAND"),
        (["show"], "required: N"),
        (["diff", "1"], "required: NEW"),
        (["diff", "0", "2"], "no snapshot v0"),
        (["diff", "1", "2.5"], "'2.5' is not a version number"),
        (["versions", "extra"], "unrecognized arguments: extra"),
    ],
)
def test_bad_arguments_exit_2_in_process(
    args: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert expected in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_main_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "1"]) == 0
    assert capsys.readouterr().out == VERSIONS[0].path.read_text(encoding="utf-8")
    assert main(["diff", "2", "2"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["--help"]) == 0


# ---- a good citizen of the shell ----------------------------------------------


def test_a_reader_that_stops_reading_is_not_an_error_to_report() -> None:
    # `micrograd show 8 | true`: the pipe's reading end is closed before the
    # command writes, so the write fails the same way every time.
    reading, writing = os.pipe()
    os.close(reading)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "micrograd", "show", "8"],
            stdout=writing,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    finally:
        os.close(writing)
    assert result.stderr == b""
    assert result.returncode == BROKEN_PIPE_STATUS == 141


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("args", [["versions"], ["show", "3"], ["--help"]])
def test_a_full_disk_is_one_line_and_status_1(args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "micrograd", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr.decode() == (
        "micrograd: error: cannot write to standard output: No space left on device\n"
    )


def test_a_closed_stdout_is_one_line_and_status_1() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "micrograd", "versions"],
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),  # Python then starts with no stdout
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.decode() == (
        "micrograd: error: standard output is closed; nothing can be printed\n"
    )


@pytest.mark.parametrize(
    "args",
    [["-x"], ["--verbose", "versions"], ["show", "-x"], ["diff", "1", "--color"]],
)
def test_an_unknown_option_is_named_wherever_it_is(args: list[str]) -> None:
    line = one_error_line(run(*args))
    unknown = next(a for a in args if a.startswith("-"))
    assert line == (
        f"micrograd: error: unrecognized arguments: {unknown} (see 'micrograd --help')"
    )
