"""Who holds which key: the services of sealed reports, in three modules.

* ``people``: a reader's key pair, made, unwrapped, re-wrapped or replaced
  with the secret that wraps it (``incidents.keyring`` calls these at
  sign-in, on password changes and from the unlock page); the audit trail.
* ``seals``: a new report's key, sealed to its current readers, the recovery
  key and the reporter (``report_seal_new``); what is written later, sealed
  to the report's public key (``seal_for_report``); what a counselor's
  session or a receipt can read, opened for one page (``open_case``,
  ``reporter_report_key``).
* ``access``: people change (``grant_access``, ``revoke_access``,
  ``colleagues_waiting``).
* ``recovery``: the recovery sheet (``recovery_key_create``,
  ``recover_access``, ``recovery_key_replace``, ``add_missing_recovery_copies``).

Callers use ``from incidents import keys`` and ``keys.<name>``: every public
name is here. Key changes are written to the audit trail (``AuditEvent``),
never a key. See docs/sealing.md for what this protects against and what not.
"""

from .access import colleagues_waiting, grant_access, revoke_access
from .people import (
    audit_key,
    may_read_reports,
    password_kdf,
    person_key_change_passphrase,
    person_key_create,
    person_key_open,
    person_key_replace,
    person_key_rewrap,
    person_key_unlock,
    person_key_unwrap,
)
from .recovery import (
    add_missing_recovery_copies,
    recover_access,
    recovery_key_create,
    recovery_key_replace,
)
from .seals import (
    DAMAGED,
    MESSAGE_TEXT_FIELDS,
    NOTE_TEXT_FIELDS,
    REFERRAL_TEXT_FIELDS,
    REPORT_TEXT_FIELDS,
    SEALED_OUT,
    Opened,
    OpenedCase,
    _fulfil_reporter_copy,
    new_report_key,
    open_case,
    open_row,
    open_rows,
    open_value,
    readers_with_keys,
    recovery_key_for,
    release_escrow,
    report_key_for_holder,
    report_seal_new,
    reporter_report_key,
    seal_fields,
    seal_for_report,
)

__all__ = [
    "DAMAGED",
    "MESSAGE_TEXT_FIELDS",
    "NOTE_TEXT_FIELDS",
    "REFERRAL_TEXT_FIELDS",
    "REPORT_TEXT_FIELDS",
    "SEALED_OUT",
    "Opened",
    "OpenedCase",
    "_fulfil_reporter_copy",
    "add_missing_recovery_copies",
    "audit_key",
    "colleagues_waiting",
    "grant_access",
    "may_read_reports",
    "new_report_key",
    "open_case",
    "open_row",
    "open_rows",
    "open_value",
    "password_kdf",
    "person_key_change_passphrase",
    "person_key_create",
    "person_key_replace",
    "person_key_rewrap",
    "person_key_open",
    "person_key_unlock",
    "person_key_unwrap",
    "readers_with_keys",
    "recover_access",
    "recovery_key_create",
    "recovery_key_for",
    "recovery_key_replace",
    "release_escrow",
    "report_key_for_holder",
    "report_seal_new",
    "reporter_report_key",
    "revoke_access",
    "seal_fields",
    "seal_for_report",
]
