"""The kinds of the records the journal writes itself, named without the signing code: a
reader that only tells a seal or a checkpoint from the rest loads no cryptography."""

CHECKPOINT = "checkpoint"
SEAL = "seal"
# Records the journal writes itself, stamped when written; nobody else may append them.
JOURNAL_KINDS = frozenset(
    {
        CHECKPOINT,
        SEAL,
        "journal_opened",
        "journal_reopened",
        "journal_closed",
        "stream_damaged",
        "records_lost",
        "journal_rescued",
    }
)
SIGNED_KINDS = frozenset({CHECKPOINT, SEAL})
