"""The two-moons notebook runs top to bottom, classifies every training point,
prints the same output on every run and describes each of its pictures."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "notebooks" / "moons.ipynb"

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


def test_the_data_is_the_librarys_two_moons() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "from micrograd.examples import make_moons" in code
    assert "def make_moons" not in code


def test_each_cell_prints_in_one_piece(executed: tuple) -> None:
    # Jupyter sends what a cell prints every fraction of a second, so text
    # printed across a slow loop is split into pieces that depend on timing
    # (and stdout and stderr pieces can interleave differently). A cell
    # that writes its text at once gives one piece, the same on every run.
    notebook, _ = executed
    for number, cell in enumerate(notebook.cells[:-1]):
        streams = [o for o in cell.get("outputs", []) if o.output_type == "stream"]
        assert [o.name for o in streams] in ([], ["stdout"]), (number, streams)


def _alt_texts(html: str) -> list[str]:
    return [unescape(alt) for alt in re.findall(r'<img [^>]*\balt="([^"]*)"', html)]


def test_every_picture_has_a_description_of_its_own(executed: tuple) -> None:
    notebook, _ = executed
    pictures = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    descriptions = [p.data["text/plain"] for p in pictures]
    assert len(set(descriptions)) == len(pictures) == 3
    for description in descriptions:
        assert len(description) > 80 and "<" not in description
    # nbconvert, which the site's notebook pages are made with, shows the
    # HTML form, whose image carries the description as its alt text.
    html, _ = HTMLExporter().from_notebook_node(notebook)
    alts = _alt_texts(html)
    assert "No description has been provided for this image" not in alts
    assert alts == descriptions
