"""The command line: list, print and compare the chapter snapshots of ``Value``.

python -m micrograd versions       one line per snapshot
python -m micrograd show 5         snapshot v5, exactly as the file is
python -m micrograd diff 4 5       what changed in the code from v4 to v5, the
                                   diff the book's page shows
python -m micrograd diff --full 4 5  the same with the files' docstrings,
                                   which describe each version, compared too
"""

import argparse
import os
import re
import sys
from typing import NoReturn

from micrograd.versions import VERSIONS, diff, get_version, source

PROG = "micrograd"


class _Parser(argparse.ArgumentParser):
    # argparse prints the whole usage block before an error; one line that
    # names the problem and points at --help is easier to read in a terminal
    # and to check in a script.
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _version_number(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a version number: expected an integer from 1 to "
            f"{len(VERSIONS)}"
        ) from None
    try:
        get_version(number)
    except LookupError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return number


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="List, print and compare the snapshots of Value, one per "
        "chapter of the book.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.add_parser(
        "versions",
        help="list the snapshots: number, title, what each adds",
        description="List the snapshots: number, title, what each adds.",
    )
    show = commands.add_parser(
        "show",
        help="print one snapshot exactly as its file is",
        description="Print snapshot N exactly as its file is, so that "
        f"'{PROG} show N > value.py' makes a working copy.",
    )
    show.add_argument(
        "n", metavar="N", type=_version_number, help=f"version, 1 to {len(VERSIONS)}"
    )
    compare = commands.add_parser(
        "diff",
        help="unified diff between two snapshots, code only",
        description="Print a unified diff from snapshot OLD to snapshot NEW. "
        "By default it is the diff the book's pages show: each file's module "
        "docstring, which describes that version and is rewritten every time, "
        "is left out, and the line numbers are still those of the files.",
    )
    compare.add_argument("old", metavar="OLD", type=_version_number, help="from")
    compare.add_argument("new", metavar="NEW", type=_version_number, help="to")
    scope = compare.add_mutually_exclusive_group()
    scope.add_argument(
        "--code-only",
        dest="full",
        action="store_false",
        help="leave out the module docstrings, as the book does (the default)",
    )
    scope.add_argument(
        "--full",
        dest="full",
        action="store_true",
        help="compare the whole files, module docstrings included",
    )
    compare.set_defaults(full=False)
    return parser


def _list_versions() -> str:
    width = max(len(v.title) for v in VERSIONS)
    return "".join(f"v{v.number}  {v.title:<{width}}  {v.summary}\n" for v in VERSIONS)


#: The status of a command killed by SIGPIPE, which is what the shell
#: reports for `cat` and friends when the reader of a pipe stops reading.
BROKEN_PIPE_STATUS = 128 + 13

_NEGATIVE_NUMBER = re.compile(r"^-\d+$")
_DIFF_OPTIONS = {"--code-only", "--full"}


def _unknown_options(argv: list[str]) -> list[str]:
    # argparse reports a missing command or version before an unknown option
    # that comes first ("micrograd -x" would say a command is required), so
    # options are checked before it runs: there are none but --help and
    # diff's two.
    known = {"-", "-h", "--help"}
    if "diff" in argv:
        known |= _DIFF_OPTIONS
    unknown = []
    for argument in argv:
        if argument == "--":
            break
        if (
            argument.startswith("-")
            and argument not in known
            and not _NEGATIVE_NUMBER.match(argument)
        ):
            unknown.append(argument)
    return unknown


def _run(argv: list[str]) -> tuple[int, str]:
    parser = _build_parser()
    unknown = _unknown_options(argv)
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args = parser.parse_args(argv)
    if args.command == "versions":
        return 0, _list_versions()
    if args.command == "show":
        # The file exactly as it is: no newline added at the end.
        return 0, source(args.n)
    # The one function the book's diff directive calls too.
    return 0, diff(args.old, args.new, code_only=not args.full)


def _say(message: str) -> None:
    # stderr too may be closed; then there is nobody to tell.
    if sys.stderr is not None:
        try:
            sys.stderr.write(f"{PROG}: error: {message}\n")
            sys.stderr.flush()
        except OSError:
            pass


def _drop_stdout() -> None:
    # Python flushes stdout once more at exit and would report the same
    # failure again as "Exception ignored"; what is left goes nowhere.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status: 0 on success, 2 for bad arguments, 1 when the
    output cannot be written (standard output closed, disk full), and 141
    when the reader of a pipe stopped reading, silently, as `cat` does.
    """
    if argv is None:
        argv = sys.argv[1:]
    if sys.stdout is None:
        _say("standard output is closed; nothing can be printed")
        return 1
    try:
        try:
            status, text = _run(argv)
        except SystemExit as stop:
            # argparse exits on --help and on bad arguments; returning the
            # status instead lets callers (and tests) run main() in-process.
            status, text = (stop.code if isinstance(stop.code, int) else 2), ""
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _drop_stdout()
        return BROKEN_PIPE_STATUS
    except OSError as error:
        _drop_stdout()
        _say(f"cannot write to standard output: {error.strerror or error}")
        return 1
    return status
