"""Every way the journal can refuse or fail: ``JournalError`` subclasses that name the problem."""

from __future__ import annotations


class JournalError(Exception):
    """Base of every journal, key and bundle error."""


class RecordError(JournalError, ValueError):
    """A record that cannot be written: bad stream name, kind, field name or field value."""


class KeyFileError(JournalError):
    """The device key file is missing, unreadable, of the wrong type, damaged or too open."""


class PublicKeyError(JournalError, ValueError):
    """A public key that is neither a raw base64 Ed25519 key nor a PEM Ed25519 public key."""


class JournalNotFoundError(JournalError):
    """The journal file does not exist (readers never create one)."""


class JournalCorruptError(JournalError):
    """The file is not an SQLite database, or SQLite reports it damaged."""


class ForeignDatabaseError(JournalError):
    """An SQLite database that is not a lactamon journal: it is never written to."""


class JournalVersionError(JournalError):
    """A lactamon journal written by a newer schema than this software understands."""


class JournalReadOnlyError(JournalError):
    """The journal file or its directory cannot be written (the writer needs both)."""


class JournalFullError(JournalError):
    """The disk, or the configured size limit, is full: the batch stays pending in memory."""


class JournalClosedError(JournalError):
    """The journal was closed; nothing more can be appended."""


class StreamSealedError(JournalError):
    """The stream carries a seal: nothing may be appended to it."""


class BundleError(JournalError):
    """A file that is not a readable lactamon bundle, or a bundle that cannot be exported."""


class LotError(JournalError, ValueError):
    """A lot operation that cannot be done: bad lot number, unknown lot, bad bacteriology."""


class JournalBusyError(JournalError):
    """Another writer holds the journal: the daemon must be its only writer."""
