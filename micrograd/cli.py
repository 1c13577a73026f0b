"""The command line: list, print and compare the chapter snapshots of ``Value``.

python -m micrograd versions     one line per snapshot
python -m micrograd show 5       snapshot v5, exactly as the file is
python -m micrograd diff 4 5     what changed from v4 to v5
"""

import argparse
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
        help="unified diff between two snapshots",
        description="Print a unified diff from snapshot OLD to snapshot NEW.",
    )
    compare.add_argument("old", metavar="OLD", type=_version_number, help="from")
    compare.add_argument("new", metavar="NEW", type=_version_number, help="to")
    return parser


def _list_versions() -> str:
    width = max(len(v.title) for v in VERSIONS)
    return "".join(f"v{v.number}  {v.title:<{width}}  {v.summary}\n" for v in VERSIONS)


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status: 0 on success, 2 for bad arguments.
    """
    try:
        args = _build_parser().parse_args(argv)
    except SystemExit as stop:
        # argparse exits on --help and on bad arguments; returning the
        # status instead lets callers (and tests) run main() in-process.
        return stop.code if isinstance(stop.code, int) else 2

    if args.command == "versions":
        sys.stdout.write(_list_versions())
    elif args.command == "show":
        # write, not print: print would add a newline the file does not have.
        sys.stdout.write(source(args.n))
    elif args.command == "diff":
        sys.stdout.write(diff(args.old, args.new))
    return 0
