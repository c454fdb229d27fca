#!/usr/bin/env bash
# Idempotent set-up of a fresh machine. `setup.sh` installs what building and running need;
# `setup.sh --tests` also what the tests need (sshd, Chromium, code-server for the e2e suites).
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[[ "${1:-}" == "--tests" ]] && want_tests=1

packages=()
if (( want_tests )); then
  # openssh-server: the ssh provider's tests start a real sshd; chromium + libkrb5-dev + ripgrep: the VS Code e2e runner.
  packages+=(openssh-server openssh-client chromium libkrb5-dev ripgrep)
  # nats-server: distributed mode's tests start a real JetStream server; redis-server: the BullMQ peer in the bench.
  packages+=(nats-server redis-server)
fi
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if (( ${#missing[@]} )); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm ci only when node_modules does not match the lockfile (a fresh clone always installs).
if [[ ! -f node_modules/.package-lock.json ]] || ! cmp -s package-lock.json node_modules/.orch-lock-stamp; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.orch-lock-stamp
fi

if (( want_tests )) && [[ -f scripts/e2e-setup.sh ]]; then
  bash scripts/e2e-setup.sh
fi
