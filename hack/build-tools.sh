#!/usr/bin/env bash
# Builds the real control plane used by tests and the demo into bin/:
# kube-apiserver (k8s.io/kubernetes), etcd (go.etcd.io/etcd/server/v3) and kubectl
# (k8s.io/kubectl), at the versions pinned in hack/tools/go.mod. A cold build takes
# several minutes, so it is skipped when bin/ already holds binaries built from the
# same pins (a stamp of hack/tools is kept in bin/.tools-stamp).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/bin"
tools="$root/hack/tools"
mkdir -p "$bin"

stamp=$(cd "$tools" && cat go.mod go.sum | sha256sum | cut -d' ' -f1)
if [ -f "$bin/.tools-stamp" ] && [ "$(cat "$bin/.tools-stamp")" = "$stamp" ] &&
  [ -x "$bin/kube-apiserver" ] && [ -x "$bin/etcd" ] && [ -x "$bin/kubectl" ]; then
  echo "control plane tools are up to date in bin/"
  exit 0
fi

echo "building kube-apiserver, etcd and kubectl into bin/ (a cold build takes several minutes)"
SECONDS=0
rm -f "$bin/.tools-stamp"
# Stamp the Kubernetes version into the binaries, as the release build does, so
# that they report v1.37.2 instead of a development version.
kube_version=$(cd "$tools" && go list -m -f '{{.Version}}' k8s.io/kubernetes)
minor=$(echo "$kube_version" | cut -d. -f2)
ldflags="-X k8s.io/component-base/version.gitVersion=$kube_version"
ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$kube_version"
(cd "$tools" && go build -ldflags "$ldflags" -o "$bin/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl)
(cd "$tools" && go build -o "$bin/etcd" go.etcd.io/etcd/server/v3)
echo "$stamp" > "$bin/.tools-stamp"
echo "built control plane tools in ${SECONDS}s"
"$bin/kube-apiserver" --version
"$bin/etcd" --version | head -1
"$bin/kubectl" version --client | head -1
