"""The daily sheets of the enclosures: read from the journal, signed and reviewed by people."""
