#!/usr/bin/env bash
# Builds the real components used by tests and the demo into bin/:
# kube-apiserver, kube-controller-manager and kubectl (k8s.io/kubernetes), etcd
# (go.etcd.io/etcd/server/v3), at the versions pinned in hack/tools/go.mod, and the Dex OIDC
# provider pinned in hack/tools/dex/go.mod. Cold builds take minutes, so each group
# is skipped when bin/ already holds binaries built from the same pins (stamps of the
# go.mod/go.sum files are kept in bin/.tools-stamp and bin/.dex-stamp). The two
# groups are independent: changing Dex's pin does not rebuild Kubernetes.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/bin"
tools="$root/hack/tools"
mkdir -p "$bin"

# build_control_plane builds kube-apiserver, kubectl and etcd unless their stamp matches.
build_control_plane() {
  local stamp
  stamp=$(cd "$tools" && cat go.mod go.sum | sha256sum | cut -d' ' -f1)
  if [ -f "$bin/.tools-stamp" ] && [ "$(cat "$bin/.tools-stamp")" = "$stamp" ] &&
    [ -x "$bin/kube-apiserver" ] && [ -x "$bin/kube-controller-manager" ] && [ -x "$bin/etcd" ] &&
    [ -x "$bin/kubectl" ]; then
    echo "control plane tools are up to date in bin/"
    return
  fi

  echo "building kube-apiserver, kube-controller-manager, etcd and kubectl into bin/" \
    "(a cold build takes several minutes)"
  SECONDS=0
  rm -f "$bin/.tools-stamp"
  # Stamp the Kubernetes version into the binaries, as the release build does, so
  # that they report v1.37.2 instead of a development version.
  local kube_version minor ldflags
  kube_version=$(cd "$tools" && go list -m -f '{{.Version}}' k8s.io/kubernetes)
  minor=$(echo "$kube_version" | cut -d. -f2)
  ldflags="-X k8s.io/component-base/version.gitVersion=$kube_version"
  ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$kube_version"
  (cd "$tools" && go build -ldflags "$ldflags" -o "$bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kubectl)
  (cd "$tools" && go build -o "$bin/etcd" go.etcd.io/etcd/server/v3)
  echo "$stamp" > "$bin/.tools-stamp"
  echo "built control plane tools in ${SECONDS}s"
  "$bin/kube-apiserver" --version
  "$bin/etcd" --version | head -1
  "$bin/kubectl" version --client | head -1
}

# build_dex builds the Dex binary unless its stamp matches. Dex's module path has no
# /v2 suffix, so its release is pinned by pseudo-version in a wrapper module; Dex links
# mattn/go-sqlite3, so cgo (gcc) is required.
build_dex() {
  local dex_mod="$tools/dex" stamp
  stamp=$(cd "$dex_mod" && cat go.mod go.sum | sha256sum | cut -d' ' -f1)
  if [ -f "$bin/.dex-stamp" ] && [ "$(cat "$bin/.dex-stamp")" = "$stamp" ] && [ -x "$bin/dex" ]; then
    echo "dex is up to date in bin/"
    return
  fi

  echo "building dex into bin/ (a cold build takes a minute or two)"
  SECONDS=0
  rm -f "$bin/.dex-stamp"
  (cd "$dex_mod" && CGO_ENABLED=1 go build -o "$bin/dex" github.com/dexidp/dex/cmd/dex)
  echo "$stamp" > "$bin/.dex-stamp"
  echo "built dex in ${SECONDS}s"
}

build_control_plane
build_dex
