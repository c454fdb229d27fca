#!/usr/bin/env bash
# Every test, from a fresh machine: set-up (system packages, npm, the e2e runner), then `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests
npm test
