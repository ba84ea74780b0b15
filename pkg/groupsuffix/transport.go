// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package groupsuffix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"k8s.io/client-go/rest"
)

// WithSuffix returns a copy of a client configuration whose requests reach the
// Pinniped groups of the given suffix, although the generated clients are built
// for the default one. Request paths and the apiVersion of JSON bodies are renamed
// on the way out and back on the way in, watch streams included, so typed clients,
// listers and informers work unchanged. With the default suffix the configuration
// is returned as is.
//
// Known limitation: only JSON is rewritten; a client asking for protobuf gets it
// unchanged, which the Pinniped types never use.
func WithSuffix(config *rest.Config, suffix string) *rest.Config {
	config = rest.CopyConfig(config)
	if suffix == Default {
		return config
	}
	config.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return &renamingRoundTripper{next: rt, suffix: suffix}
	})
	return config
}

type renamingRoundTripper struct {
	next   http.RoundTripper
	suffix string
}

func (r *renamingRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	req, err := r.renameRequest(req)
	if err != nil {
		return nil, err
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil || !isJSON(resp.Header.Get("Content-Type")) {
		return resp, err
	}
	resp.Body = newJSONStreamRewriter(resp.Body, func(group string) (string, bool) {
		return Unreplace(group, r.suffix)
	})
	resp.ContentLength = -1
	resp.Header.Del("Content-Length")
	return resp, nil
}

// renameRequest renames the group in /apis/<group>/... and in a JSON body.
func (r *renamingRoundTripper) renameRequest(req *http.Request) (*http.Request, error) {
	const prefix = "/apis/"
	path := req.URL.Path
	if !strings.HasPrefix(path, prefix) {
		return req, nil
	}
	group, rest, _ := strings.Cut(path[len(prefix):], "/")
	renamed, ours := Replace(group, r.suffix)
	if !ours {
		return req, nil
	}
	req = req.Clone(req.Context())
	req.URL.Path = prefix + renamed
	if rest != "" {
		req.URL.Path += "/" + rest
	}
	req.URL.RawPath = ""
	if req.Body == nil || req.Body == http.NoBody || !isJSON(req.Header.Get("Content-Type")) {
		return req, nil
	}
	body, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("could not read request body: %w", err)
	}
	body, err = renameAPIVersion(body, func(group string) (string, bool) { return Replace(group, r.suffix) })
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return req, nil
}

func isJSON(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == "application/json"
}

// renameAPIVersion renames the group of the object's apiVersion and of a
// TokenCredentialRequest's spec.authenticator.apiGroup, in the object and in every
// object nested under "object" (watch events) or "items" (lists).
func renameAPIVersion(body []byte, rename func(string) (string, bool)) ([]byte, error) {
	var obj map[string]any
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.UseNumber() // keep integers exact
	if err := decoder.Decode(&obj); err != nil {
		// Not an object (e.g. a JSON patch): nothing of ours to rename.
		return body, nil //nolint:nilerr
	}
	if !renameObject(obj, rename) {
		return body, nil
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("could not encode renamed body: %w", err)
	}
	return out, nil
}

func renameObject(obj map[string]any, rename func(string) (string, bool)) bool {
	changed := false
	if apiVersion, ok := obj["apiVersion"].(string); ok {
		if group, version, found := strings.Cut(apiVersion, "/"); found {
			if renamed, ours := rename(group); ours {
				obj["apiVersion"] = renamed + "/" + version
				changed = true
			}
		}
	}
	if spec, ok := obj["spec"].(map[string]any); ok {
		if ref, ok := spec["authenticator"].(map[string]any); ok {
			if group, ok := ref["apiGroup"].(string); ok {
				if renamed, ours := rename(group); ours {
					ref["apiGroup"] = renamed
					changed = true
				}
			}
		}
	}
	if nested, ok := obj["object"].(map[string]any); ok {
		changed = renameObject(nested, rename) || changed
	}
	if items, ok := obj["items"].([]any); ok {
		for _, item := range items {
			if nested, ok := item.(map[string]any); ok {
				changed = renameObject(nested, rename) || changed
			}
		}
	}
	return changed
}

// jsonStreamRewriter renames a stream of JSON values as it is read: a single
// response is a stream of one, a watch is a stream of events.
type jsonStreamRewriter struct {
	source  io.ReadCloser
	decoder *json.Decoder
	rename  func(string) (string, bool)
	pending bytes.Buffer
	err     error
}

func newJSONStreamRewriter(source io.ReadCloser, rename func(string) (string, bool)) io.ReadCloser {
	return &jsonStreamRewriter{source: source, decoder: json.NewDecoder(source), rename: rename}
}

func (s *jsonStreamRewriter) Read(p []byte) (int, error) {
	for s.pending.Len() == 0 && s.err == nil {
		var raw json.RawMessage
		if err := s.decoder.Decode(&raw); err != nil {
			if !errors.Is(err, io.EOF) {
				err = fmt.Errorf("could not decode response: %w", err)
			}
			s.err = err
			break
		}
		renamed, err := renameAPIVersion(raw, s.rename)
		if err != nil {
			s.err = err
			break
		}
		s.pending.Write(renamed)
		s.pending.WriteByte('\n')
	}
	if s.pending.Len() > 0 {
		return s.pending.Read(p)
	}
	return 0, s.err
}

func (s *jsonStreamRewriter) Close() error { return s.source.Close() }
