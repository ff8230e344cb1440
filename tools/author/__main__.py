"""Write (or with --check, compare) the shipped pathways and forms."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tools.author.pathways import (
    asylum_referral,
    child_referral,
    criminal_justice,
    identification,
    return_reintegration,
)

ROOT = Path(__file__).resolve().parents[2]
MODULES = [identification, child_referral, asylum_referral, criminal_justice, return_reintegration]


def outputs() -> dict[Path, str]:
    files: dict[Path, str] = {}
    for module in MODULES:
        files[ROOT / "workflows" / module.FILE] = module.diagram().xml()
        for name, schema in module.FORMS.items():
            files[ROOT / "forms" / name] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a file differs")
    args = parser.parse_args()
    stale = []
    for path, text in outputs().items():
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("differs:", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
