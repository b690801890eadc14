"""InfluxDB delivery of journal records (v1 ``/write`` and v2 APIs) and reading them back.

README.md in this folder documents the schema: measurements, tags, fields, point identity.
Import from the modules: ``factory`` (``create_writer``, ``create_reader``), ``tags``
(``Tagger``), ``errors`` (``InfluxWriteError``); importing this package costs nothing.
"""
