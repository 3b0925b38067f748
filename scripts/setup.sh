#!/usr/bin/env bash
# Installs what Skiff and its tests need on a fresh machine: npm packages, the build, and, as
# root, Debian's packages: `--runtime` those a node runs pods with (runc, conmon, CNI plugins, nftables),
# `--system` those plus what the e2e tests use (etcd, a registry, image tools).
set -euo pipefail
cd "$(dirname "$0")/.."

runtime_packages=(runc conmon containernetworking-plugins iptables nftables)
test_packages=(etcd-server etcd-client busybox-static docker-registry skopeo umoci apache2-utils)
case "${1:-}" in
  --system) debian_packages=("${runtime_packages[@]}" "${test_packages[@]}") ;;
  --runtime) debian_packages=("${runtime_packages[@]}") ;;
  *) debian_packages=() ;;
esac

if [ ${#debian_packages[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  missing=()
  for p in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    # the packages' own services must not start on install: tests start their own on loopback
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    rm -f /usr/sbin/policy-rc.d
  fi
fi

# npm ci only when the lockfile changed since the last install (it empties node_modules first)
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.skiff-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.skiff-lock-hash
fi

newest_src=$(find src test bench tsconfig.json package-lock.json -newer dist/.built 2>/dev/null | head -1 || true)
if [ ! -f dist/.built ] || [ -n "$newest_src" ]; then
  npx tsc -p tsconfig.json
  touch dist/.built
fi
