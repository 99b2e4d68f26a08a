#!/usr/bin/env bash
# Debian's Chromium for Playwright (never `playwright install`: it downloads a browser) and the
# pinned axe-core from package.json for the accessibility checks.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "Chromium mangler. Installer den med: sudo apt-get install -y --no-install-recommends chromium" >&2
    exit 1
  fi
  echo "Installerer Chromium fra Debian ..."
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

wanted=$(python3 -c "import json; print(json.load(open('package.json'))['devDependencies']['axe-core'])")
have=$(python3 -c "import json; print(json.load(open('node_modules/axe-core/package.json'))['version'])" 2>/dev/null || true)
if [ "$have" != "$wanted" ]; then
  if ! command -v npm >/dev/null; then
    echo "npm mangler (trengs for axe-core). Installer Node.js og npm." >&2
    exit 1
  fi
  echo "Installerer axe-core $wanted ..."
  npm install --no-package-lock --no-audit --no-fund --silent
fi
