#!/usr/bin/env bash
# The whole test suite: unit tests beside the code and e2e tests against the real kubectl, etcd
# and friends. Installs what it needs first. `--unit` runs only the unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system

targets=(dist/src)
[ "${1:-}" = "--unit" ] || targets+=(dist/test)
exec node --test --test-reporter=spec --test-timeout=300000 "${targets[@]}"
