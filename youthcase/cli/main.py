"""Command line: administration, scheduled jobs and tests. With no arguments it opens the GUI.

Passwords are read only from standard input (``--password-stdin``), one per line, the acting
user's first. Every failure prints one line on stderr and exits non-zero; never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from youthcase import __version__
from youthcase.services.errors import InvalidInput, YouthcaseError

# The CLI's own exit codes; the services' errors carry the others (``exit_code``). The one table of
# all of them is in docs/architecture.md ("CLI contract"), checked against these by a test.
USAGE_EXIT = 2
READ_ONLY_EXIT = 14
DISK_FULL_EXIT = 15
INTERNAL_ERROR_EXIT = 70
FILE_ERROR_EXIT = 74
INTERRUPTED_EXIT = 130

# Path options as (argparse dest, as the user spells it): the vault and the outputs, then the inputs.
_PATH_OPTIONS = (("db", "--db"), ("to", "--to"), ("pdf", "--pdf"), ("csv", "--csv"))
_INPUT_OPTIONS = (("source", "--from"), ("file", "FILE.csv"))


class UsageError(Exception):
    """What argparse would print as a usage block and exit on: one line, exit 2, from ``main``."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        help="vault file or postgresql:// URL (default: $YOUTHCASE_DB, then the user data folder)",
    )


def _add_month_report(parser: argparse.ArgumentParser, all_sites: str) -> None:
    """What a report of one month takes: a login, the month, an optional site, the CSV's path."""
    _add_login(parser)
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="the month, such as 2026-03")
    parser.add_argument("--site", metavar="CODE", help=f"one site only (default: {all_sites})")
    parser.add_argument("--csv", required=True, metavar="OUT.csv", help="where to write the CSV")


def _add_login(parser: argparse.ArgumentParser) -> None:
    _add_db(parser)
    parser.add_argument("--user", required=True, metavar="NAME", help="the acting user")
    parser.add_argument(
        "--password-stdin", action="store_true", required=True, help="read passwords from standard input, one per line"
    )


def _add_login_or_recovery(parser: argparse.ArgumentParser, who: str, recovery: str | None) -> None:
    """``--user NAME --password-stdin``, or (when ``recovery`` says what it does) ``--recovery-key-stdin``
    instead; ``main`` refuses both or neither."""
    parser.add_argument("--user", metavar="NAME", help=who)
    parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    if recovery is not None:
        parser.add_argument("--recovery-key-stdin", action="store_true", help=recovery)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="youthcase",
        description="Encrypted caseload system for hospital youth workers. "
        "Run with no arguments to open the application.",
    )
    parser.add_argument("--version", action="version", version=f"youthcase {__version__}")
    parser.add_argument("--db", metavar="PATH_OR_URL", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = sub.add_parser("init", help="create a vault and its first administrator")
    _add_db(init)
    init.add_argument("--admin", required=True, metavar="NAME")
    init.add_argument("--password-stdin", action="store_true", required=True)
    init.set_defaults(handler="init")

    server = sub.add_parser("server", help="set up or upgrade a team server (PostgreSQL)").add_subparsers(
        dest="server_command", metavar="ACTION", required=True
    )
    server_init = server.add_parser(
        "init",
        help="once, as a PostgreSQL role that may create roles and schemas: the schema under a "
        "NOLOGIN owner role, the group roles, grants and row-level policies",
    )
    server_init.add_argument("--db", required=True, metavar="URL", help="postgresql:// URL of the setup role")
    server_init.set_defaults(handler="server_init")
    server_upgrade = server.add_parser(
        "upgrade", help="bring the server's schema to this app's version (as the owner role); clients never migrate"
    )
    server_upgrade.add_argument("--db", required=True, metavar="URL", help="postgresql:// URL of the setup role")
    server_upgrade.set_defaults(handler="server_upgrade")

    users = sub.add_parser("users", help="manage staff accounts").add_subparsers(
        dest="users_command", metavar="ACTION", required=True
    )
    add = users.add_parser("add", help="add an account with a temporary password (stdin: your password, then theirs)")
    _add_login(add)
    add.add_argument("--new-user", required=True, metavar="NAME")
    add.add_argument("--role", required=True, choices=["worker", "supervisor", "admin"])
    add.add_argument(
        "--site",
        action="append",
        default=[],
        metavar="CODE",
        help="a site the user works at (repeatable); a supervisor of the site admits them to its cases",
    )
    add.add_argument("--full-name", metavar="NAME", help="shown to colleagues; stored encrypted")
    add.set_defaults(handler="users_add")

    passwd = users.add_parser("passwd", help="change your password (stdin: old, then new)")
    _add_login(passwd)
    passwd.set_defaults(handler="users_passwd")

    listing = users.add_parser("list", help="list accounts")
    _add_login(listing)
    listing.set_defaults(handler="users_list")

    disable = users.add_parser("disable", help="disable an account")
    _add_login(disable)
    disable.add_argument("--target-user", required=True, metavar="NAME")
    disable.set_defaults(handler="users_disable")

    for action, text in (
        (
            "grant",
            "admit a worker or supervisor to a site's cases (a supervisor of the site, "
            "or the recovery key for its first supervisor)",
        ),
        ("revoke", "take a person's admission to a site away (their cases there pass to you)"),
    ):
        grant = users.add_parser(action, help=text)
        _add_db(grant)
        breaking_glass = "break glass: admit with the recovery key instead of --user/--password-stdin"
        _add_login_or_recovery(grant, "the acting supervisor", breaking_glass if action == "grant" else None)
        grant.add_argument("--target-user", required=True, metavar="NAME")
        grant.add_argument("--site", required=True, metavar="CODE")
        grant.set_defaults(handler=f"users_{action}")

    reset = users.add_parser(
        "reset-password",
        help="give an account a new temporary password "
        "with the recovery key (stdin: recovery key, then the new password)",
    )
    _add_db(reset)
    reset.add_argument("--target-user", required=True, metavar="NAME")
    reset.add_argument("--recovery-key-stdin", action="store_true", required=True)
    reset.set_defaults(handler="users_reset_password")

    sites = sub.add_parser("sites", help="list or add sites").add_subparsers(
        dest="sites_command", metavar="ACTION", required=True
    )
    site_list = sites.add_parser("list", help="list sites")
    _add_login(site_list)
    site_list.set_defaults(handler="sites_list")
    site_add = sites.add_parser("add", help="add a priority A&E department")
    _add_login(site_add)
    site_add.add_argument("--code", required=True)
    site_add.add_argument("--name", required=True)
    site_add.set_defaults(handler="sites_add")

    keys = sub.add_parser("keys", help="site keys").add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    rotate = keys.add_parser("rotate", help="rotate a site's key (a supervisor of the site)")
    _add_login(rotate)
    rotate.add_argument("--site", required=True, metavar="CODE")
    rotate.set_defaults(handler="keys_rotate")

    recovery = sub.add_parser("recovery", help="the recovery key").add_subparsers(
        dest="recovery_command", metavar="ACTION", required=True
    )
    recovery_rotate = recovery.add_parser("rotate", help="replace the recovery key (prints the new one once)")
    _add_db(recovery_rotate)
    recovery_rotate.add_argument("--recovery-key-stdin", action="store_true", required=True)
    recovery_rotate.set_defaults(handler="recovery_rotate")

    recover = sub.add_parser(
        "recover-keystore",
        help="write a new key store for a local vault whose key store (.header) is lost or unreadable, "
        "from the vault file and the recovery key; every account then needs users reset-password",
    )
    _add_db(recover)
    recover.add_argument("--recovery-key-stdin", action="store_true", required=True)
    recover.set_defaults(handler="recover_keystore")

    monthly = sub.add_parser(
        "return",
        help="produce the anonymised monthly return for commissioners "
        "(supervisors and administrators): a PDF and a CSV",
    )
    _add_month_report(monthly, "every site and all sites")
    monthly.add_argument("--pdf", required=True, metavar="OUT.pdf", help="where to write the PDF")
    monthly.add_argument(
        "--suppress-up-to",
        type=int,
        default=7,
        metavar="N",
        help="counts from 1 to N are shown as * (default 7; may only be raised)",
    )
    monthly.add_argument(
        "--round-to",
        type=int,
        default=5,
        metavar="N",
        help="other counts are rounded to the nearest N (default 5; may only be raised)",
    )
    monthly.set_defaults(handler="monthly_return")

    istv = sub.add_parser(
        "istv",
        help="the ISTV minimum data set of a month (supervisors, for the sites they supervise) as CSV: "
        "arrival and assault times, method, location; no identifiers",
    )
    _add_month_report(istv, "every site you supervise")
    istv.set_defaults(handler="istv_extract")

    audit = sub.add_parser("audit", help="check the audit trail").add_subparsers(
        dest="audit_command", metavar="ACTION", required=True
    )
    verify = audit.add_parser(
        "verify",
        help="verify the signed hash chain and the signed records; exits non-zero and names the first "
        "broken entry when a row was edited, deleted, reordered or inserted",
    )
    _add_login(verify)
    verify.add_argument(
        "--expected-head",
        metavar="SEQ:DIGEST",
        help="the chain head printed on an earlier monthly return, to detect truncation",
    )
    verify.set_defaults(handler="audit_verify")

    check = sub.add_parser(
        "check",
        help="check the whole vault: page checksums, structure, every encrypted value you can open (all "
        "with the recovery key), signed records, the audit chain and the key store; exits 6 naming what is damaged",
    )
    _add_db(check)
    _add_login_or_recovery(check, "the acting user", "check with the recovery key: every value but drafts")
    check.set_defaults(handler="check")

    backup = sub.add_parser(
        "backup",
        help="write a consistent, encrypted backup of a local vault to one file (the app may be in use), "
        "then read it back and check it",
    )
    _add_login(backup)
    backup.add_argument("--to", required=True, metavar="FILE", help="the backup file (replaced atomically)")
    backup.set_defaults(handler="backup")

    restore = sub.add_parser(
        "restore",
        help="restore a backup to a new vault file (never over an existing one without --replace), then check it",
    )
    restore.add_argument("--from", dest="source", required=True, metavar="FILE", help="the backup file")
    restore.add_argument("--db", required=True, metavar="NEWPATH", help="where the restored vault goes")
    _add_login_or_recovery(restore, "an account in the backup", "use the recovery key instead")
    restore.add_argument("--replace", action="store_true", help="replace the vault already at NEWPATH")
    restore.set_defaults(handler="restore")

    importer = sub.add_parser(
        "import",
        help="import cases from a CSV file saved from the template "
        "(all rows or none; rows already imported are skipped)",
    )
    _add_login(importer)
    importer.add_argument("file", metavar="FILE.csv")
    importer.set_defaults(handler="import_cases")

    demo = sub.add_parser(
        "demo",
        help="fill a new vault with synthetic demo data over the last 24 "
        "months (administrators only: it adds demo staff and prints their "
        "temporary passwords; refused when the vault already holds cases)",
    )
    _add_login(demo)
    demo.add_argument("--cases", type=int, default=1000, metavar="N", help="how many cases (default 1000)")
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="the same seed gives the same data (default 1)")
    demo.set_defaults(handler="demo")
    return parser


def main(
    argv: Sequence[str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        _check_paths(args)
    except (UsageError, YouthcaseError) as error:
        print(f"youthcase: error: {error}", file=stderr)
        return USAGE_EXIT
    if getattr(args, "handler", None) in {"users_grant", "users_revoke", "check", "restore"}:
        by_recovery = getattr(args, "recovery_key_stdin", False)
        if by_recovery == bool(args.user or args.password_stdin) or (
            not by_recovery and not (args.user and args.password_stdin)
        ):
            print("youthcase: error: give either --user NAME --password-stdin or --recovery-key-stdin", file=stderr)
            return USAGE_EXIT
    if args.command is None:
        from youthcase.gui.app import run_gui  # Qt is imported only when the GUI is wanted

        return run_gui(args.db)
    from youthcase.cli import commands  # after the GUI branch: the services are not needed to show it

    handler: Callable[..., int] = getattr(commands, args.handler)
    try:
        return handler(args, commands.Io(stdin, stdout, stderr))
    except YouthcaseError as error:
        print(f"youthcase: error: {error}", file=stderr)
        return error.exit_code
    except OSError as error:
        code, message = file_error(error)
        print(f"youthcase: error: {message}", file=stderr)
        return code
    except KeyboardInterrupt:
        print("youthcase: interrupted; nothing was changed", file=stderr)
        return INTERRUPTED_EXIT
    except Exception as error:  # noqa: BLE001 - the contract is one line, never a traceback
        from sqlalchemy.exc import DatabaseError

        from youthcase.services.errors import VaultCorrupt
        from youthcase.services.integrity import is_damaged_page
        from youthcase.storage.engine import storage_os_error

        if isinstance(error, DatabaseError) and is_damaged_page(error):
            print(
                "youthcase: error: the vault is damaged (a page failed its check): "
                "youthcase check names what; restore the newest good backup",
                file=stderr,
            )
            return VaultCorrupt.exit_code
        storage = storage_os_error(getattr(error, "orig", error), None)
        if storage is not None:
            code, message = file_error(storage)
            print(f"youthcase: error: {message}", file=stderr)
            return code
        # Only the type: messages from lower layers could carry values we must not print.
        print(f"youthcase: internal error ({type(error).__name__}); nothing was changed", file=stderr)
        return INTERNAL_ERROR_EXIT


def _check_paths(args: argparse.Namespace) -> None:
    """Before any work: no empty path (``--db ''`` is not "the default vault"), no URL that does
    not parse, and no folder, device, pipe or socket where a file is read or written."""
    from youthcase.config import VaultLocation
    from youthcase.storage.files import NotARegularFile, refuse_non_regular

    for dest, option in _PATH_OPTIONS:
        value = getattr(args, dest, None)
        if value is None:
            continue
        if not value.strip():
            raise InvalidInput(f"{option}: the path is empty")
        url = VaultLocation.parse(value).url if dest == "db" else None
        if url is not None:
            _check_url(url)
            continue
        try:
            refuse_non_regular(Path(value), option)
        except NotARegularFile as error:
            raise InvalidInput(str(error)) from None
    for dest, option in _INPUT_OPTIONS:
        value = getattr(args, dest, None)
        if value is not None and not value.strip():
            raise InvalidInput(f"{option}: the path is empty")
        if value is not None and not os.path.isfile(value):
            what = "there is no file" if not os.path.exists(value) else "not a regular file:"
            raise InvalidInput(f"{option}: {what} {value}")


def _check_url(url: str) -> None:
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        port = make_url(url).port  # parsed lazily: a port that is not a number fails only here
        if port is not None and not 0 < port < 65536:
            raise ValueError("port out of range")
    except (ArgumentError, ValueError):
        raise InvalidInput("--db: not a valid postgresql:// URL (postgresql://USER@HOST[:PORT]/DATABASE)") from None


def file_error(error: OSError) -> tuple[int, str]:
    """The exit code and line for a failed read or write, naming a full disk or a read-only place."""
    where = error.filename
    if error.errno in {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}:
        place = f" holding {where}" if where else ""
        return DISK_FULL_EXIT, f"the disk{place} is full: free some space, then try again"
    if error.errno == errno.EROFS:
        place = f" holding {where}" if where else ""
        return READ_ONLY_EXIT, f"the disk{place} is read-only (mounted read-only): nothing can be written there"
    if error.errno in {errno.EACCES, errno.EPERM} and where:
        return READ_ONLY_EXIT, f"{_unwritable(Path(where))}: nothing can be written there"
    place = f"{where}: " if where else ""
    return FILE_ERROR_EXIT, f"a file could not be read or written: {place}{error.strerror or error}"


def _unwritable(path: Path) -> str:
    """Which is read-only (to this user): the file itself, or the folder that would hold it."""
    if path.is_dir():
        return f"the folder {path} is read-only"
    if path.exists() and not os.access(path, os.W_OK):
        return f"the file {path} is read-only"
    if not os.access(path.parent, os.W_OK):
        return f"the folder {path.parent} is read-only"
    return f"{path} cannot be written (permission denied)"


if __name__ == "__main__":
    sys.exit(main())
