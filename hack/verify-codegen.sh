#!/usr/bin/env bash
# Fails when the generated code or CRDs differ from what hack/update-codegen.sh
# would write today, e.g. after a type was edited without regenerating.
# Usage: hack/verify-codegen.sh [source-dir]   (default: this repository)
# The source tree is copied to a temporary directory and regenerated there, so the
# checkout itself is never modified.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=$(cd "${1:-$root}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Copy the sources, not build outputs or git metadata.
tar -C "$src" --exclude=./bin --exclude=./.git --exclude=./.demo -cf - . | tar -C "$tmp" -xf -

"$tmp/hack/update-codegen.sh" >"$tmp/codegen.log" 2>&1 || { cat "$tmp/codegen.log"; exit 1; }
rm -f "$tmp/codegen.log"
rm -rf "$tmp/bin"

if ! diff -ru --exclude=bin --exclude=.git --exclude=.demo "$src" "$tmp"; then
  echo
  echo "generated code is out of date: run hack/update-codegen.sh and commit the result" >&2
  exit 1
fi
echo "generated code is up to date"
