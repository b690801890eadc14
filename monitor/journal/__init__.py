"""The signed, hash-chained journal: every reading and event, recorded first and verifiable.

See README.md in this package for the record, canonical, signature and bundle formats.
"""

import importlib
from typing import TYPE_CHECKING, Any

from monitor.journal.errors import (
    BundleError,
    ForeignDatabaseError,
    JournalBusyError,
    JournalClosedError,
    JournalCorruptError,
    JournalError,
    JournalFullError,
    JournalNotFoundError,
    JournalReadOnlyError,
    JournalVersionError,
    KeyFileError,
    LotError,
    PublicKeyError,
    RecordError,
    StreamSealedError,
)
from monitor.journal.options import JournalOptions
from monitor.journal.reader import JournalReader
from monitor.journal.readings import reading_fields, reading_from_record
from monitor.journal.record import Record, Unreadable
from monitor.journal.session import PreviousSession, SessionState
from monitor.journal.streams import (
    DEVICE_STREAM,
    cycle_stream,
    enclosure_day_stream,
    lot_stream,
)

if TYPE_CHECKING:
    from monitor.journal.api import (
        BundleExport,
        export_lot_bundle,
        keygen,
        verify_bundle,
        verify_journal,
    )
    from monitor.journal.dossier import LotDossier, fold_lot
    from monitor.journal.keys import (
        DeviceKey,
        generate_key_file,
        key_id_of,
        load_key_file,
        parse_public_key,
        public_key_b64,
        public_key_pem,
    )
    from monitor.journal.lot_book import LotBook
    from monitor.journal.verification import (
        Finding,
        FindingKind,
        FindingSeverity,
        VerificationReport,
    )
    from monitor.journal.verify import verify_records
    from monitor.journal.writer import Journal

# The writer, the keys, verification, export and the lots' books, with all they import
# (cryptography, the clock's asyncio, bundles, trust, witnesses, the lots' rules), load when
# first asked for: a process that only reads the journal, a cycle page's child above all,
# starts in a fraction of the time.
_LAZY = {
    "BundleExport": "api",
    "export_lot_bundle": "api",
    "keygen": "api",
    "verify_bundle": "api",
    "verify_journal": "api",
    "LotDossier": "dossier",
    "fold_lot": "dossier",
    "DeviceKey": "keys",
    "generate_key_file": "keys",
    "key_id_of": "keys",
    "load_key_file": "keys",
    "parse_public_key": "keys",
    "public_key_b64": "keys",
    "public_key_pem": "keys",
    "LotBook": "lot_book",
    "Finding": "verification",
    "FindingKind": "verification",
    "FindingSeverity": "verification",
    "VerificationReport": "verification",
    "verify_records": "verify",
    "Journal": "writer",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"monitor.journal.{module}"), name)
    globals()[name] = value  # found at once the next time
    return value


__all__ = [
    "DEVICE_STREAM",
    "BundleError",
    "BundleExport",
    "DeviceKey",
    "Finding",
    "FindingKind",
    "FindingSeverity",
    "ForeignDatabaseError",
    "Journal",
    "JournalBusyError",
    "JournalClosedError",
    "JournalCorruptError",
    "JournalError",
    "JournalFullError",
    "JournalNotFoundError",
    "JournalOptions",
    "JournalReadOnlyError",
    "JournalReader",
    "JournalVersionError",
    "KeyFileError",
    "LotBook",
    "LotDossier",
    "LotError",
    "PreviousSession",
    "PublicKeyError",
    "Record",
    "RecordError",
    "SessionState",
    "StreamSealedError",
    "Unreadable",
    "VerificationReport",
    "cycle_stream",
    "enclosure_day_stream",
    "export_lot_bundle",
    "fold_lot",
    "generate_key_file",
    "key_id_of",
    "keygen",
    "load_key_file",
    "lot_stream",
    "parse_public_key",
    "public_key_b64",
    "public_key_pem",
    "reading_fields",
    "reading_from_record",
    "verify_bundle",
    "verify_journal",
    "verify_records",
]
