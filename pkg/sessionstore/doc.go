// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package sessionstore keeps the Supervisor's OAuth state (authorization codes,
// PKCE and OIDC sessions, access and refresh tokens) as Secrets in one namespace,
// so that every replica sees the same sessions and a restart loses none.
//
// The Secrets follow the upstream wire format, so that sessions written by one
// implementation can be read, and garbage collected, by the other:
//
//   - name pinniped-storage-<kind>-<lowercase unpadded base32 of the signature>,
//     where the signature is base64url-decoded first when it decodes;
//   - type storage.pinniped.dev/<kind> and label storage.pinniped.dev/type=<kind>;
//   - data pinniped-storage-data (the JSON value) and pinniped-storage-version ("1");
//   - annotation storage.pinniped.dev/garbage-collect-after, RFC 3339, when the
//     entry expires.
//
// Every operation is a single API call. Updates are merge patches that carry the
// caller's resourceVersion, which gives optimistic concurrency without a read and
// leaves labels, annotations and owner references as they were.
package sessionstore
