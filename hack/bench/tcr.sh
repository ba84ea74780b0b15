#!/usr/bin/env bash
# Load test of TokenCredentialRequests through kube-apiserver: starts a real
# control plane, a Concierge process and a test OIDC issuer, then sends N
# requests (default 2000) one at a time and 16 at a time, anonymously over HTTP/2
# as the CLI does. Prints req/s, p50/p99 latency, the Concierge's CPU time per
# request and its resident memory.
# Usage: hack/bench/tcr.sh [requests]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
make --no-print-directory tools >/dev/null
go test ./test/bench -run '^$' -bench 'TokenCredentialRequest' -benchtime "${1:-2000}x" -count 1 -timeout 20m |
  grep -E '^(Benchmark|goos|cpu)' |
  sed -E 's/[[:space:]]+([0-9.]+) ([a-zA-Z0-9/-]+)/\n    \2: \1/g'
