#!/usr/bin/env bash
# Install the front-end libraries from npm (lock file) and copy their built files into
# webapp/static/vendor/, which git ignores. Re-runs only when package-lock.json changes.
set -euo pipefail
cd "$(dirname "$0")/.."
VENDOR=webapp/static/vendor
STAMP="$VENDOR/.installed"
if [ -f "$STAMP" ] && [ "$STAMP" -nt package-lock.json ] && [ "$STAMP" -nt "$0" ]; then exit 0; fi
npm ci --no-audit --no-fund --loglevel=error
rm -rf "$VENDOR"
mkdir -p "$VENDOR/bpmn-js"
cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js \
   node_modules/bpmn-js/dist/bpmn-modeler.production.min.js "$VENDOR/bpmn-js/"
cp node_modules/bpmn-js/dist/assets/diagram-js.css node_modules/bpmn-js/dist/assets/bpmn-js.css "$VENDOR/bpmn-js/"
cp -r node_modules/bpmn-js/dist/assets/bpmn-font "$VENDOR/bpmn-js/"
# The minimap beside the modeller's canvas (a diagram-js module, UMD build).
cp node_modules/diagram-js-minimap/dist/diagram-minimap.umd.prod.js \
   node_modules/diagram-js-minimap/assets/diagram-js-minimap.css "$VENDOR/bpmn-js/"
# dmn-js: the decision tables that business rule tasks evaluate, edited beside the diagrams.
mkdir -p "$VENDOR/dmn-js"
cp node_modules/dmn-js/dist/dmn-modeler.production.min.js "$VENDOR/dmn-js/"
cp node_modules/dmn-js/dist/assets/*.css "$VENDOR/dmn-js/"
cp -r node_modules/dmn-js/dist/assets/dmn-font "$VENDOR/dmn-js/"
touch "$STAMP"
