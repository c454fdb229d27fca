#!/usr/bin/env bash
# The main job: set up, build, check the examples and run one example orchestration end to end,
# headless, on the embedded runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build
node scripts/main-job.mjs
