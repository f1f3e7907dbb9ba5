"""Two ensemble folders side by side: ``compare`` is what ``qantar compare A B`` does.

Example:
    >>> cmp = compare("runs/base", "runs/no-csto", "runs/cmp")     # doctest: +SKIP
    >>> [(r["measure"], r["difference"], r["low"], r["high"]) for r in cmp.rows]  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class Comparison:
    """What ``compare`` wrote (``compare.json``, ``compare.png`` in ``path``): per measure,
    both medians and B - A with its bootstrap 90% interval (``analysis.compare``), its runs
    paired by seed when both ran the same seeds."""

    path: Path
    a: Path
    b: Path
    runs: tuple[int, int]
    rows: list[dict]

    @property
    def figure(self) -> Path:
        return self.path / "compare.png"

    @property
    def paired(self) -> bool:
        """Whether the runs were paired by seed (``analysis.compare.same_seeds``)."""
        return bool(self.rows) and self.rows[0]["paired"]

    @property
    def runs_text(self) -> str:
        """How many runs each side has, and whether they were paired, as titles say it."""
        return f"{self.runs[1]} and {self.runs[0]} runs" + (", paired by seed" if self.paired else ", not paired")


def compare(a, b, out=None, *, overwrite: bool = False) -> Comparison:
    """Compare ensemble folders ``a`` and ``b`` (written by ``run_ensemble``) into ``out``
    (default ``runs/<time>-compare``). A folder that is not an ensemble, or has no finished
    run, is refused in one line."""
    import pyarrow.parquet as pq

    from qantar.analysis.compare import compare_records
    from qantar.api.ensemble import EnsembleFolder
    from qantar.errors import QantarInputError
    from qantar.report.scenario import compare_figure
    from qantar.storage.series import check_free, write_json

    folders = [EnsembleFolder.open(f, "compare") for f in (a, b)]
    for f in folders:
        if not f.measures:
            raise QantarInputError(f"{f.path}: this ensemble has no finished runs to compare")
    out = check_free(out or Path("runs") / f"{dt.datetime.now():%Y%m%d-%H%M%S}-compare", overwrite,
                     marker="compare.json", kind="comparison")
    rows = compare_records(folders[0].record, folders[1].record)
    runs = (len(folders[0].measures), len(folders[1].measures))
    write_json(out / "compare.json", {"command": f"qantar compare {a} {b}", "a": str(a), "b": str(b),
                                      "runs": list(runs), "paired": rows[0]["paired"], "measures": rows})
    compare_figure(Path(a).name, pq.read_table(Path(a) / "series.parquet"), Path(b).name,
                   pq.read_table(Path(b) / "series.parquet"), out / "compare.png")
    return Comparison(out, Path(a), Path(b), runs, rows)
