"""The images app sits low: accounts ← images ← authors ← articles ← comments. It offers the
media library to the apps above it and imports none of them, so authors can use it for photos
without reaching into articles."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ABOVE_IMAGES = {"authors", "articles", "comments"}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    "path", sorted((ROOT / "images").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_images_imports_no_app_above_it(path):
    assert not imported_apps(path) & ABOVE_IMAGES


@pytest.mark.parametrize("module", ["models.py", "admin.py"])
def test_author_photos_come_from_images_not_articles(module):
    imports = imported_apps(ROOT / "authors" / module)

    assert "articles" not in imports
    assert "images" in imports
