"""Fuzz targets run on demand (``.venv/bin/pytest -s tests/fuzz``); see ``conftest.py``."""
