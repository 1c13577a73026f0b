"""The command line, run the way a reader runs it: python -m micrograd."""

import subprocess
import sys

import pytest

from micrograd.cli import main
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
