"""A person's signature on a record, in 21 CFR Part 11 terms: who, printed name, meaning, comment.

One shape for every signed act (acknowledging an alarm, creating a lot, starting a cycle).
The caller has already authenticated the person; a signature only says who signed and what
the signature means. ``fields()`` gives the record field names the journal uses for it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Signature:
    """``user`` (login), ``printed_name``, ``meaning`` (e.g. ``acknowledged``) and a comment."""

    user: str
    printed_name: str
    meaning: str
    comment: str = ""

    def fields(self) -> dict[str, str]:
        """The signature as record fields: ``user``, ``printed_name``, ``meaning``, ``comment``."""
        return {
            "user": self.user,
            "printed_name": self.printed_name,
            "meaning": self.meaning,
            "comment": self.comment,
        }
