// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package servingcert

import (
	"testing"

	"github.com/stretchr/testify/require"
)

type countingListener struct{ count int }

func (l *countingListener) Enqueue() { l.count++ }

func TestProvider(t *testing.T) {
	p := NewProvider("test-serving-cert")
	listener := &countingListener{}
	p.AddListener(listener)
	require.Equal(t, "test-serving-cert", p.Name())

	cert, key := p.CurrentCertKeyContent()
	require.Empty(t, cert, "nothing is served before the first Set")
	require.Empty(t, key)

	steps := []struct {
		name        string
		cert, key   string
		wantChanged bool
		wantCount   int
	}{
		{name: "first_load_notifies", cert: "c1", key: "k1", wantChanged: true, wantCount: 1},
		{name: "same_content_is_quiet", cert: "c1", key: "k1", wantChanged: false, wantCount: 1},
		{name: "new_key_notifies", cert: "c1", key: "k2", wantChanged: true, wantCount: 2},
		{name: "new_cert_notifies", cert: "c2", key: "k2", wantChanged: true, wantCount: 3},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			require.Equal(t, step.wantChanged, p.Set([]byte(step.cert), []byte(step.key)))
			require.Equal(t, step.wantCount, listener.count)
			cert, key := p.CurrentCertKeyContent()
			require.Equal(t, step.cert, string(cert))
			require.Equal(t, step.key, string(key))
		})
	}
}
