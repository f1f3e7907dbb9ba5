"""The Python example in docs/experiments.md runs as it is, in a fresh process (its runs go
to spawned workers, which import the script again)."""

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "experiments.md"


def test_the_documented_python_example_runs(tmp_path):
    example = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    (tmp_path / "example.py").write_text(example)
    done = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 4, done.stdout
    assert (tmp_path / "runs" / "doc-abc" / "posterior.parquet").exists()
    assert (tmp_path / "runs" / "doc-morris" / "sensitivity.md").exists()
