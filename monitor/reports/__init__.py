"""Pure builders from records: what a cycle, a lot or a day says, for people to read."""
