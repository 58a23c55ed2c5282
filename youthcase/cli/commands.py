"""The CLI's commands: thin wrappers that read stdin, call a service and print the result."""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import OperationalError

from youthcase.config import kdf_params_for_new_vault, resolve_location
from youthcase.domain.roles import role_from_text
from youthcase.returns.disclosure import DisclosureRule
from youthcase.services.access import AccessService
from youthcase.services.accounts import AccountService, reset_password_with_recovery_key
from youthcase.services.audit import ChainHead
from youthcase.services.audit_trail import AuditTrail
from youthcase.services.backup import RestoreSecret, backup_vault, check_vault_at, restore_vault
from youthcase.services.case_import import CaseImport, ImportInvalid
from youthcase.services.demo_data import load_demo_data
from youthcase.services.errors import (
    InvalidInput,
    PermissionDenied,
    SchemaMismatch,
    VaultCorrupt,
    VaultExists,
    VaultMissing,
    YouthcaseError,
)
from youthcase.services.integrity import CheckReport
from youthcase.services.istv import IstvService
from youthcase.services.recovery import grant_with_recovery_key, recover_key_store, rotate_recovery_key
from youthcase.services.returns import ReturnService, check_output_path, parse_month
from youthcase.services.sites import SiteService
from youthcase.services.vault import LockedVault, UnlockedVault, create_vault
from youthcase.storage.files import write_atomically
from youthcase.storage.server import ServerSetupError
from youthcase.storage.server import server_init as setup_server
from youthcase.storage.server import server_upgrade as upgrade_server
from youthcase.storage.server_roles import ServerRoles


@dataclass
class Io:
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO | None = None

    def secret(self, what: str, required: bool = True) -> str:
        """One line of stdin, without its line ending; spaces inside are kept (``required``
        false: an empty string at the end of the input, for a service to refuse in its own turn).

        At a terminal the line is typed after a prompt on stderr and never echoed (as
        ``keepassxc-cli`` reads it); from a pipe it is read as it comes."""
        try:
            if self.stdin.isatty():
                line = read_without_echo(self.stdin, f"Enter {what}: ", self.stderr or sys.stderr)
            else:
                line = self.stdin.readline()
        except UnicodeDecodeError:
            raise InvalidInput(f"{what} on standard input is not UTF-8 text") from None
        if not line and required:
            raise InvalidInput(f"expected {what} on standard input")
        return line.rstrip("\r\n")

    def say(self, text: str) -> None:
        print(text, file=self.stdout)

    def note(self, text: str) -> None:
        """A line on stderr: progress, or the details before a failure's one-line summary."""
        print(text, file=self.stderr or sys.stderr, flush=True)


def read_without_echo(stream: TextIO, prompt: str, prompt_to: TextIO) -> str:
    """One line from a terminal with its echo off, restored afterwards (also on Ctrl-C).

    The prompt comes after echo is off: what is typed once it shows is never echoed (and what
    was typed before it is discarded, as ``getpass`` does)."""
    if sys.platform == "win32":  # the console: getpass reads keys without echoing them
        return getpass.getpass(prompt, stream=prompt_to) + "\n"
    import termios

    descriptor = stream.fileno()
    before = termios.tcgetattr(descriptor)
    quiet = list(before)
    quiet[3] &= ~termios.ECHO  # lflags; ICANON stays on, so the line is still edited as usual
    termios.tcsetattr(descriptor, termios.TCSAFLUSH, quiet)
    try:
        prompt_to.write(prompt)
        prompt_to.flush()
        return stream.readline()
    finally:
        termios.tcsetattr(descriptor, termios.TCSAFLUSH, before)
        prompt_to.write("\n")  # the Enter the user typed was not echoed either
        prompt_to.flush()


def _unlock(args: argparse.Namespace, io: Io, warn: bool = True) -> UnlockedVault:
    """Unlock as ``--user``; what did not verify on opening is printed as warnings on stderr
    (unless the command reports it itself, as ``audit verify`` does)."""
    vault = LockedVault(resolve_location(args.db)).unlock(args.user, io.secret("your password"))
    for problem in vault.integrity_problems if warn else ():
        io.note(f"warning: {problem}")
    return vault


def init(args: argparse.Namespace, io: Io) -> int:
    location = resolve_location(args.db)
    password = io.secret("the administrator's password")
    created = create_vault(location, args.admin, password, kdf_params_for_new_vault())
    created.vault.lock()
    io.say(f"Created the vault at {location.describe()}.")
    io.say("Recovery key (shown once). It belongs to the information-governance lead, not to an administrator:")
    io.say("it admits each site's first supervisor and resets passwords. Hand it over now; the lead can")
    io.say("take sole possession with `youthcase recovery rotate`.")
    io.say(created.recovery_key)
    return 0


def _server_url(args: argparse.Namespace) -> str:
    location = resolve_location(args.db)
    if location.url is None:
        raise InvalidInput("--db must be a postgresql:// URL: a server is set up, a vault file is not")
    return location.url


def _server_setup_error(error: ServerSetupError) -> YouthcaseError:
    kinds: dict[str, type[YouthcaseError]] = {
        "exists": VaultExists,
        "missing": VaultMissing,
        "privilege": PermissionDenied,
    }
    return kinds.get(error.kind, SchemaMismatch)(str(error))


def server_init(args: argparse.Namespace, io: Io) -> int:
    url = _server_url(args)
    try:
        version = setup_server(url)
    except ServerSetupError as error:
        raise _server_setup_error(error) from None
    except OperationalError:
        raise VaultMissing(f"cannot reach the database server {resolve_location(args.db).describe()}") from None
    roles = ServerRoles.for_url(url)
    io.say(f"Set up {resolve_location(args.db).describe()} at schema version {version}.")
    io.say(
        f"Roles: {roles.owner} (owns the schema, no login), {roles.worker}, {roles.supervisor}, {roles.admin} "
        f"(groups of the accounts' own logins), {roles.gate} (before login)."
    )
    io.say("Next: `youthcase init --db URL --admin NAME --password-stdin` with this same login.")
    return 0


def server_upgrade(args: argparse.Namespace, io: Io) -> int:
    url = _server_url(args)
    try:
        before, after = upgrade_server(url)
    except ServerSetupError as error:
        raise _server_setup_error(error) from None
    except OperationalError:
        raise VaultMissing(f"cannot reach the database server {resolve_location(args.db).describe()}") from None
    if before == after:
        io.say(f"The server is at schema version {after}; its roles, grants and policies were applied again.")
    else:
        io.say(f"Upgraded the server from schema version {before} to {after}.")
    return 0


def users_add(args: argparse.Namespace, io: Io) -> int:
    vault = _unlock(args, io)
    try:
        role = role_from_text(args.role)
        summary = AccountService(vault).add_user(
            args.new_user, role, io.secret("the temporary password"), args.site, args.full_name
        )
    finally:
        vault.lock()
    io.say(f"Added {summary.username} ({summary.role.label}); they must change the password at first login.")
    return 0


def users_passwd(args: argparse.Namespace, io: Io) -> int:
    old = io.secret("your current password")
    new = io.secret("your new password")
    vault = LockedVault(resolve_location(args.db)).unlock(args.user, old)
    try:
        AccountService(vault).change_own_password(old, new)
    finally:
        vault.lock()
    io.say("Password changed.")
    return 0


def users_list(args: argparse.Namespace, io: Io) -> int:
    vault = _unlock(args, io)
    try:
        accounts = AccountService(vault).list_users()
    finally:
        vault.lock()
    io.say(f"{'USER':<20} {'ROLE':<12} {'SITES':<20} STATUS")
    for account in accounts:
        status = (
            "disabled" if not account.active else ("temporary password" if account.must_change_password else "active")
        )
        io.say(f"{account.username:<20} {account.role.value:<12} {','.join(account.site_codes) or '-':<20} {status}")
    return 0


def users_disable(args: argparse.Namespace, io: Io) -> int:
    vault = _unlock(args, io)
    try:
        AccountService(vault).disable_user(args.target_user)
    finally:
        vault.lock()
    io.say(f"Disabled {args.target_user.strip().lower()}.")
    return 0


def users_grant(args: argparse.Namespace, io: Io) -> int:
    target, site = args.target_user.strip().lower(), args.site.strip().upper()
    if args.recovery_key_stdin:
        grant_with_recovery_key(resolve_location(args.db), io.secret("the recovery key"), target, site)
        io.say(f"Admitted {target} to the cases of {site} with the recovery key (recorded as a break-glass grant).")
        return 0
    vault = _unlock(args, io)
    try:
        AccessService(vault).grant(target, site)
    finally:
        vault.lock()
    io.say(f"Admitted {target} to the cases of {site}.")
    return 0


def users_revoke(args: argparse.Namespace, io: Io) -> int:
    vault = _unlock(args, io)
    try:
        moved = AccessService(vault).revoke(args.target_user, args.site)
    finally:
        vault.lock()
    io.say(
        f"Revoked {args.target_user.strip().lower()}'s admission to {args.site.strip().upper()}; "
        f"{moved} case(s) they held there passed to you."
    )
    return 0


def keys_rotate(args: argparse.Namespace, io: Io) -> int:
    vault = _unlock(args, io)
    try:
        count = AccessService(vault).rotate_site_key(args.site)
    finally:
        vault.lock()
    io.say(f"Rotated the key of {args.site.strip().upper()}: {count:,} case key(s) wrapped again.")
    return 0


def recovery_rotate(args: argparse.Namespace, io: Io) -> int:
    def announce(new_key: str) -> None:
        # Shown before anything is sealed to it, so no crash leaves a key nobody saw.
        io.say("New recovery key (shown once; it belongs to the information-governance lead, who keeps it")
        io.say("apart from every administrator). It replaces the current key when this command reports done;")
        io.say("if it is interrupted, the next use of either key tells which one the vault now accepts:")
        io.say(new_key)
        io.stdout.flush()

    rotate_recovery_key(resolve_location(args.db), io.secret("the current recovery key"), announce=announce)
    io.say("Done: the old recovery key no longer works.")
    return 0


def recover_keystore(args: argparse.Namespace, io: Io) -> int:
    location = resolve_location(args.db)
    recovered = recover_key_store(location, io.secret("the recovery key"), kdf_params_for_new_vault())
    if recovered.set_aside is not None:
        io.say(f"Moved the unreadable key store to {recovered.set_aside}.")
    io.say(f"Wrote a new key store for {location.describe()} (recovery key slot and file key only).")
    io.say("Give each account a new temporary password with `youthcase users reset-password --db PATH")
    io.say(f"--target-user NAME --recovery-key-stdin`: {', '.join(recovered.accounts) or 'none'}.")
    return 0


def users_reset_password(args: argparse.Namespace, io: Io) -> int:
    recovery_key = io.secret("the recovery key")
    temporary = io.secret("the new temporary password")
    reset_password_with_recovery_key(
        resolve_location(args.db), recovery_key, args.target_user, temporary, kdf_params_for_new_vault()
    )
    io.say(f"{args.target_user.strip().lower()} has a new temporary password; they must change it at their next login.")
    return 0


def sites_list(args: argparse.Namespace, io: Io) -> int:
    vault = _unlock(args, io)
    try:
        sites = SiteService(vault).list_sites()
    finally:
        vault.lock()
    for site in sites:
        io.say(f"{site.code:<8} {site.name}{'' if site.active else ' (inactive)'}")
    return 0


def sites_add(args: argparse.Namespace, io: Io) -> int:
    vault = _unlock(args, io)
    try:
        site = SiteService(vault).add_emergency_department(args.code, args.name)
    finally:
        vault.lock()
    io.say(f"Added site {site.code} ({site.name}).")
    return 0


def monthly_return(args: argparse.Namespace, io: Io) -> int:
    """Checks everything it can before asking for the password and unlocking."""
    month = parse_month(args.month)
    try:
        rule = DisclosureRule(max_suppressed=args.suppress_up_to, rounding_base=args.round_to)
    except ValueError as error:
        raise InvalidInput(f"disclosure rule: {error}") from None
    pdf, csv = Path(args.pdf), Path(args.csv)
    if pdf.resolve() == csv.resolve():
        raise InvalidInput("--pdf and --csv must be different files")
    check_output_path(pdf, "--pdf")
    check_output_path(csv, "--csv")
    vault = _unlock(args, io)
    try:
        service = ReturnService(vault)
        documents = service.produce(month, args.site, rule)
        service.save(documents, pdf, csv)
    finally:
        vault.lock()
    model = documents.model
    io.say(f"Wrote the return for {model.month.label} ({model.overall.name}) to {pdf} and {csv}.")
    io.say(f"Audit chain head: {model.chain_head}")
    return 0


def istv_extract(args: argparse.Namespace, io: Io) -> int:
    """The ISTV minimum data set of one month for the sites I supervise (or ``--site``), as CSV."""
    month = parse_month(args.month)
    out = Path(args.csv)
    check_output_path(out, "--csv")
    vault = _unlock(args, io)
    try:
        extract = IstvService(vault).extract(month, args.site)
        write_atomically(out, extract.csv())
    finally:
        vault.lock()
    sites = ", ".join(extract.site_codes)
    io.say(f"Wrote {len(extract.assaults)} assaults of {month.label} at {sites} to {out}.")
    return 0


def import_cases(args: argparse.Namespace, io: Io) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise InvalidInput(f"there is no file {path}")
    vault = _unlock(args, io)
    try:
        result = CaseImport(vault).import_file(path)
    except ImportInvalid as invalid:
        for problem in invalid.problems:
            io.note(str(problem))
        raise
    finally:
        vault.lock()
    io.say(f"imported: {result.imported}")
    io.say(f"already imported: {result.already_imported}")
    if result.repeated_in_file:
        io.say(f"repeated rows in this file (imported once): {result.repeated_in_file}")
    io.say(f"returning young people matched: {result.returning_matched}")
    return 0


def demo(args: argparse.Namespace, io: Io) -> int:
    vault = _unlock(args, io)
    try:
        # Line 2: the recovery key, which admits the demo staff; checked after the permission check,
        # so a non-administrator is told that first.
        recovery_key = io.secret("the recovery key", required=False)
        result = load_demo_data(
            vault,
            args.cases,
            args.seed,
            recovery_key,
            progress=lambda done, total: io.note(f"{done:,} / {total:,} cases"),
        )
    finally:
        vault.lock()
    counts = result.counts
    io.say(
        f"Loaded demo data (seed {result.seed}) in {result.seconds:.0f} s: {counts['case_episode']:,} cases, "
        f"{counts['young_person']:,} young people ({result.returning_cases:,} re-attendances), "
        f"{counts['contact']:,} contacts, {counts['risk_assessment']:,} risk assessments, "
        f"{counts['safeguarding_concern']:,} safeguarding concern versions, {counts['plan_goal']:,} "
        f"plan goals, {counts['follow_up']:,} follow-ups."
    )
    io.say("Demo staff and their temporary passwords (shown once; each must be changed at first login):")
    for account in result.accounts:
        io.say(f"  {account.username:<24} {account.role.label:<13} {account.site_code:<5} {account.temporary_password}")
    return 0


def audit_verify(args: argparse.Namespace, io: Io) -> int:
    try:
        expected = ChainHead.parse(args.expected_head) if args.expected_head else None
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    vault = _unlock(args, io, warn=False)
    try:
        report = AuditTrail(vault).verify(expected)
    finally:
        vault.lock()
    if not report.intact:
        raise AuditChainBroken(f"the audit trail is broken at event {report.first_broken}: {report.problem}")
    if report.record_problems:
        raise AuditChainBroken("signed records do not verify: " + "; ".join(report.record_problems))
    io.say(f"The audit trail verifies: {report.events} events, head {report.head}.")
    return 0


class AuditChainBroken(InvalidInput):
    exit_code = 11


def check(args: argparse.Namespace, io: Io) -> int:
    """Every check the keys at hand allow; one line per finding, then exit 6 when damaged."""
    username = None if args.recovery_key_stdin else args.user
    secret = io.secret("the recovery key" if username is None else "your password")
    report = check_vault_at(resolve_location(args.db), username, secret)
    _report_findings(report, io, "the vault is damaged")
    others = f"; {report.values_not_held:,} values are under keys held by others" if report.values_not_held else ""
    io.say(
        f"The vault is sound: {report.values_opened:,} encrypted values opened, "
        f"{report.events:,} audit events verified{others}."
    )
    return 0


def _report_findings(report: CheckReport, io: Io, failure: str) -> None:
    for finding in report.findings:
        io.say(str(finding))
    if not report.sound:
        raise VaultCorrupt(f"{failure}: {len(report.findings)} finding(s), listed above")


def backup(args: argparse.Namespace, io: Io) -> int:
    vault = _unlock(args, io)
    try:
        summary = backup_vault(vault, Path(args.to))
    finally:
        vault.lock()
    io.say(
        f"Backed up {summary.cases:,} cases to {summary.path} ({summary.size_bytes:,} bytes, checked); "
        f"audit head {summary.audit_head}."
    )
    return 0


def restore(args: argparse.Namespace, io: Io) -> int:
    username = None if args.recovery_key_stdin else args.user.strip().lower()
    secret = io.secret("the recovery key" if username is None else "your password")
    restored = restore_vault(Path(args.source), Path(args.db), RestoreSecret(username, secret), args.replace)
    _report_findings(
        check_vault_at(restored.location, username, secret), io, "the restored vault does not pass its checks"
    )
    io.say(
        f"Restored the backup made {restored.created_at} to {args.db}: {restored.cases:,} cases, "
        f"audit head {restored.audit_head}; it passes every check."
    )
    if restored.key_store_rebuilt:
        io.say("The backup's key store was unreadable: the restored vault has a new one with the recovery key only;")
        io.say("give each account a new temporary password with `youthcase users reset-password`.")
    return 0
