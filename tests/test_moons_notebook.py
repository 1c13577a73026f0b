"""The two-moons notebook runs top to bottom and classifies every training point."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "notebooks" / "moons.ipynb"

# Appended to a copy of the notebook after its own cells, so the values the
# notebook computed can be read back here.
REPORT = (
    "import json\n"
    "print(json.dumps({'accuracy': accuracy, 'parameters': len(model.parameters()),"
    " 'steps': len(history), 'first_loss': history[0][0], 'final_loss': total.data}))"
)


@pytest.fixture(scope="module")
def executed() -> tuple[nbformat.NotebookNode, dict]:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(REPORT))
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    report = json.loads(_stdout(notebook.cells[-1]))
    return notebook, report


def _stdout(cell: nbformat.NotebookNode) -> str:
    return "".join(
        output.get("text", "")
        for output in cell.get("outputs", [])
        if output.output_type == "stream" and output.get("name") == "stdout"
    )


def test_notebook_is_saved_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            # The build executes it; stored outputs would only go stale.
            assert cell.outputs == [], "save the notebook without outputs"
            assert cell.execution_count is None


def test_final_training_accuracy_is_perfect(executed: tuple) -> None:
    _, report = executed
    assert report["accuracy"] == 1.0


def test_the_model_and_schedule_are_the_ones_described(executed: tuple) -> None:
    _, report = executed
    assert report["parameters"] == 337
    assert report["steps"] == 100
    assert report["final_loss"] < report["first_loss"] / 10


def test_plots_are_drawn(executed: tuple) -> None:
    notebook, _ = executed
    images = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    # The data, the loss curve, the decision boundary.
    assert len(images) == 3


def test_no_cell_fails(executed: tuple) -> None:
    notebook, _ = executed
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    assert not errors
