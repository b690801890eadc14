"""Time units of every record's stamp, in a module that imports nothing: the journal's
readers (a cycle page's child above all) use them without loading the clock's asyncio."""

NS_PER_S = 1_000_000_000
