"""A student's own copy of the notebooks, which `make lab` opens: python scripts/working_copy.py SOURCE COPY

JupyterLab saves outputs and answers into the notebook that is open. Opened on the
repository's notebooks/, that would change tracked files, and the next `git pull` of the
lecture would conflict with them. So `make lab` opens a copy (my-notebooks/, ignored by
git) that this script keeps up to date without ever overwriting work:

- a file new in the repository is copied in;
- a notebook the student has not changed since it was copied is replaced by the
  repository's newer version (a record of what was copied, .working-copy.json, says which);
- a notebook the student has changed is kept, and the script says that a newer version
  exists and how to get it;
- pictures and other files that are not notebooks follow the repository.
Files the student made in the copy are never touched.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

RECORD = ".working-copy.json"
SKIP = {".ipynb_checkpoints", "__pycache__", ".virtual_documents"}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def repository_files(source: Path) -> list[Path]:
    return sorted(
        path.relative_to(source)
        for path in source.rglob("*")
        if path.is_file() and not SKIP & set(path.relative_to(source).parts)
    )


def update(source: Path, copy: Path) -> dict[str, list[str]]:
    """Bring `copy` up to date with `source`; returns what happened, by kind, as paths."""
    copy.mkdir(parents=True, exist_ok=True)
    record_path = copy / RECORD
    try:
        record = json.loads(record_path.read_text())
    except (OSError, ValueError):
        record = {}
    report: dict[str, list[str]] = {"copied": [], "updated": [], "kept": []}
    for relative in repository_files(source):
        key = relative.as_posix()
        original, mine = source / relative, copy / relative
        new = digest(original)
        if not mine.exists():
            mine.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(original, mine)
            record[key] = new
            report["copied"].append(key)
            continue
        current = digest(mine)
        if current == new:
            record[key] = new
            continue
        untouched = record.get(key) == current
        if untouched or relative.suffix != ".ipynb":
            shutil.copy2(original, mine)
            record[key] = new
            report["updated"].append(key)
        elif record.get(key) != new:
            report["kept"].append(key)  # the student's work, and a newer version exists
    record_path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the repository's notebooks folder")
    parser.add_argument("copy", type=Path, help="the working copy to create or update")
    arguments = parser.parse_args(argv)
    if not arguments.source.is_dir():
        print(
            f"No folder {arguments.source}: run this from the repository's root.", file=sys.stderr
        )
        return 1
    report = update(arguments.source, arguments.copy)
    where = arguments.copy
    print(f"Your working copy of the notebooks is {where}/ (JupyterLab opens it).")
    print(
        f"  Your answers and outputs are saved there; {arguments.source}/ stays as the "
        "repository has it, so a git pull never conflicts with your work."
    )
    if report["copied"]:
        print(f"  New from the repository: {len(report['copied'])} files")
    for key in report["updated"]:
        print(f"  Updated from the repository (you had not changed it): {key}")
    for key in report["kept"]:
        print(
            f"  Kept your {key}; the repository has a newer version. To start from it, "
            f"rename yours (e.g. to {Path(key).stem}-mine.ipynb) and run make lab again."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
