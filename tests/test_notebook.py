"""notebooks/quickstart.ipynb runs top to bottom, from the repository root and
from notebooks/, on the venv's Python kernel; it is stored without outputs."""
from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is in the dev extra")
nbclient = pytest.importorskip("nbclient", reason="nbclient is in the dev extra")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "quickstart.ipynb"
KERNEL = "python3"


@pytest.fixture
def kernel_name(tmp_path, monkeypatch) -> str:
    """``python3``, registered in a temporary Jupyter path (pointing at this
    interpreter) when no such kernel spec is installed."""
    from jupyter_client.kernelspec import KernelSpecManager

    if KERNEL not in KernelSpecManager().find_kernel_specs():
        from ipykernel.kernelspec import write_kernel_spec

        write_kernel_spec(tmp_path / "kernels" / KERNEL)
        monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    return KERNEL


def test_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "the notebook has no code cells"
    for c in code:
        assert c.outputs == [] and c.execution_count is None, f"cell has outputs: {c.source[:60]!r}"


@pytest.mark.parametrize("cwd", ["notebooks", "."], ids=["from-notebooks", "from-root"])
def test_quickstart_runs(cwd, kernel_name):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=900, kernel_name=kernel_name, allow_errors=False,
                                     resources={"metadata": {"path": str(ROOT / cwd)}})
    client.execute()   # raises CellExecutionError, with the cell and traceback, on any error
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # the English seed highlighted by displacy's span renderer, with its claims labelled
    html = [o.data["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    highlighted = [h for h in html if 'class="spans"' in h]
    assert highlighted, "no displacy span rendering in the outputs"
    assert any("94.18" in h and "service.call_answer_rate 2024" in h for h in highlighted)
    # the evaluation table and the two plots
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "facts (matching rule of formats.md)" in text and "overall" in text
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2
