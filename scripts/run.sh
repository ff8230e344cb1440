#!/usr/bin/env bash
# `make run`: everything a fresh machine needs to show the app, then serve.
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC
PATHWAYS=.venv/bin/pathways
$PATHWAYS db upgrade
$PATHWAYS deploy --keep-edits --note "deployed by make run"
$PATHWAYS demo seed
exec $PATHWAYS serve --host 127.0.0.1 --port "${PORT:-8000}"
