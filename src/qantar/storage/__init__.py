"""Where results go: Parquet (and CSV) series with their provenance, written atomically."""

from qantar.storage.series import ResultsExistError, provenance, read_series, write_run

__all__ = ["ResultsExistError", "provenance", "read_series", "write_run"]
