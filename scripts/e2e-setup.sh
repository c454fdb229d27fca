#!/usr/bin/env bash
# Installs what the end-to-end tests need: Debian's Chromium, ripgrep and krb5 headers, then code-server 4.100.3
# (a real VS Code 1.100.3) and playwright-core in test/e2e/runner. Idempotent: a second run only checks.
# Recipe and pitfalls: ../shared/notes/vscode-e2e.md (code-server's native modules, npm 11's allowScripts, rg).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runner="$root/test/e2e/runner"
log() { printf 'e2e-setup: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" = 20 ] || die "code-server 4.100.3 needs Node 20 (found $(node -v)); newer code-server releases need Node 22/24"

# 1. System packages.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
[ -f /usr/include/krb5.h ] || [ -f /usr/include/krb5/krb5.h ] || need+=(libkrb5-dev)
# node-gyp builds against /usr/include/node (the machine's ~/.npmrc has nodedir=/usr) and needs a compiler.
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ "${#need[@]}" -gt 0 ]; then
  log "apt-get install ${need[*]}"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need[@]}" || die "apt-get install ${need[*]} failed"
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing after apt-get install chromium"
[ -f /usr/include/node/node.h ] || die "/usr/include/node/node.h is missing: node-gyp needs Node's headers (Debian: libnode-dev, or set npm_config_nodedir)"

installed_ok() {
  local cs="$runner/node_modules/code-server"
  [ -x "$cs/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] || return 1
  for m in node-pty @vscode/spdlog native-watchdog kerberos; do
    compgen -G "$cs/lib/vscode/node_modules/$m/build/Release/*.node" >/dev/null || return 1
  done
  compgen -G "$runner/node_modules/argon2/lib/binding/*/*.node" >/dev/null \
    || compgen -G "$runner/node_modules/argon2/build/Release/*.node" >/dev/null || return 1
  [ -f "$runner/node_modules/playwright-core/package.json" ] || return 1
}

if installed_ok && [ "${E2E_SETUP_FORCE:-}" != 1 ]; then
  log "code-server and playwright-core already installed in $runner"
  exit 0
fi

# 2. @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache in $TMPDIR holds the archive.
#    The folder and file names follow the @vscode/ripgrep version pinned by code-server 4.100.3.
rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
rg_archive="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -s "$rg_archive" ]; then
  tmp="$(mktemp -d)"
  cp "$(command -v rg)" "$tmp/rg"
  mkdir -p "$rg_cache"
  tar czf "$rg_archive" -C "$tmp" rg
  rm -rf "$tmp"
fi

# 3. code-server + playwright-core. npm 11 skips dependency install scripts unless allowed (code-server builds
#    native modules in them); node-pty's postinstall runs `npx node-gyp` (needs yes); code-server's postinstall
#    needs unsafe_perm when run as root.
cd "$runner"
export npm_config_yes=true npm_config_unsafe_perm=true npm_config_dangerously_allow_all_scripts=true
[ -n "${npm_config_nodedir:-}" ] || export npm_config_nodedir=/usr
if [ -f package-lock.json ]; then
  log "npm ci in $runner (about a minute: native builds)"
  npm ci --no-audit --no-fund --unsafe-perm --dangerously-allow-all-scripts || die "npm ci failed in $runner"
else
  log "npm install in $runner (about a minute: native builds)"
  npm install --no-audit --no-fund --unsafe-perm --dangerously-allow-all-scripts || die "npm install failed in $runner"
fi

installed_ok || die "code-server's native modules or ripgrep are missing after the install (see the npm log above)"
# (Not `code-server --version`: without --config it writes ~/.config/code-server/config.yaml.)
log "ready: code-server $(node -p "require('$runner/node_modules/code-server/package.json').version"), playwright-core $(node -p "require('$runner/node_modules/playwright-core/package.json').version")"
