#!/usr/bin/env bash
# Regenerates everything derived from the API types in pkg/apis:
#   - deepcopy, conversion and defaulter functions beside the types (zz_generated.*.go);
#   - OpenAPI definitions of the aggregated APIs, clientsets, listers and informers,
#     one tree per component under pkg/generated/{concierge,supervisor};
#   - CRD manifests under artifacts/crds.
# The generators come from the k8s.io/code-generator and controller-tools versions
# pinned in go.mod, so every machine produces the same bytes.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
module=$(go list -m)
boilerplate="$root/hack/boilerplate.go.txt"

# kube_codegen.sh installs its generators into GOBIN; keep them inside the
# repository's gitignored bin/ instead of the user's GOPATH.
export GOBIN="$root/bin/codegen"
mkdir -p "$GOBIN"
codegen_root=$(go list -m -f '{{.Dir}}' k8s.io/code-generator)
# shellcheck source=/dev/null
source "$codegen_root/kube_codegen.sh"

kube::codegen::gen_helpers --boilerplate "$boilerplate" "$root/pkg/apis"

# Our aggregated types reference core/v1 types, which live in the read-only module
# cache: openapi-gen must describe them without writing into their package.
KUBE_CODEGEN_READONLY_PKGS+=(k8s.io/api/core/v1)

for component in concierge supervisor; do
  kube::codegen::gen_openapi \
    --boilerplate "$boilerplate" \
    --output-dir "$root/pkg/generated/$component/openapi" \
    --output-pkg "$module/pkg/generated/$component/openapi" \
    --extra-pkgs k8s.io/api/core/v1 \
    --report-filename "$root/hack/api-violations-$component.list" \
    --update-report \
    --output-model-name-file zz_generated.model_name.go \
    "$root/pkg/apis/$component"

  kube::codegen::gen_client \
    --boilerplate "$boilerplate" \
    --with-watch \
    --output-dir "$root/pkg/generated/$component" \
    --output-pkg "$module/pkg/generated/$component" \
    "$root/pkg/apis/$component"
done

# Only the CRD groups: the aggregated groups (login, identity, clientsecret) are
# served by our own API servers and have no CRD.
crd_groups=(concierge/authentication concierge/config supervisor/config supervisor/idp)
paths=$(printf './pkg/apis/%s/...;' "${crd_groups[@]}")
rm -rf "$root/artifacts/crds"
go tool controller-gen crd:crdVersions=v1 paths="${paths%;}" output:crd:artifacts:config=artifacts/crds

# kustomize reads only files at or below a kustomization's directory, so the
# Concierge's and the Supervisor's kustomize bases each carry a copy of their CRDs.
rm -rf "$root/artifacts/concierge/crds"
mkdir -p "$root/artifacts/concierge/crds"
cp "$root"/artifacts/crds/*.concierge.pinniped.dev_*.yaml "$root/artifacts/concierge/crds/"
rm -rf "$root/artifacts/supervisor/crds"
mkdir -p "$root/artifacts/supervisor/crds"
cp "$root"/artifacts/crds/*.supervisor.pinniped.dev_*.yaml "$root/artifacts/supervisor/crds/"
