// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

// Package signingcert loads the CA that signs the Concierge's client certificates
// into a certauthority.Dynamic, from files or from a Secret, and swaps it whenever
// its source changes, without a restart. It reports whether a key is loaded and,
// when none is, why not, for the CredentialIssuer status.
//
// What counts as a change: a source that is gone (a missing file or Secret)
// unloads the CA, so issuing stops when an administrator removes the key. A
// source whose content cannot be used (a half-written file pair, a key that does
// not match its certificate) leaves the previous CA in use and is logged, because
// such states are usually a moment in the middle of a rotation.
package signingcert

import (
	"context"
	"crypto/sha256"
	"sync"

	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	"k8s.io/klog/v2"

	"github.com/sealworks/pinniped/pkg/certauthority"
)

// notLoadedYet is the status before the first attempt to load.
const notLoadedYet = "the signing key has not been loaded yet"

// Controller keeps a Dynamic CA loaded from its source. Build it with NewFromFiles
// or NewFromSecret and run it with Run.
type Controller struct {
	loader *loader
	run    func(ctx context.Context)
}

// LoadStatus reports whether a signing key is loaded and, when it is not, why. It
// is safe to call at any time.
func (c *Controller) LoadStatus() (bool, string) { return c.loader.status() }

// AddListener registers a listener told whenever the loaded key or the reason for
// not having one changes. Call it before Run.
func (c *Controller) AddListener(l dynamiccertificates.Listener) { c.loader.addListener(l) }

// Run loads the key and follows its source until ctx is done.
func (c *Controller) Run(ctx context.Context) { c.run(ctx) }

// loader keeps a Dynamic CA in step with a source and remembers the outcome. Both
// kinds of source share it.
type loader struct {
	ca *certauthority.Dynamic
	// source names the source in logs and messages, e.g. `secret "ns/name"`.
	source string

	mu        sync.Mutex
	loaded    [sha256.Size]byte // hash of the loaded cert and key, zero when none
	failed    [sha256.Size]byte // hash of the last content that could not be loaded
	message   string            // why nothing is loaded
	listeners []dynamiccertificates.Listener
}

func newLoader(ca *certauthority.Dynamic, source string) *loader {
	return &loader{ca: ca, source: source, message: notLoadedYet}
}

func (l *loader) status() (bool, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ca.Current() != nil {
		return true, ""
	}
	return false, l.message
}

func (l *loader) addListener(listener dynamiccertificates.Listener) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.listeners = append(l.listeners, listener)
}

// set loads certPEM and keyPEM unless they are what is loaded already, or what
// failed to load last time.
func (l *loader) set(certPEM, keyPEM []byte) {
	sum := sha256.Sum256(append(append([]byte(nil), certPEM...), keyPEM...))
	l.mu.Lock()
	if (sum == l.loaded && l.ca.Current() != nil) || sum == l.failed {
		l.mu.Unlock()
		return
	}
	err := l.ca.SetPEM(certPEM, keyPEM)
	if err != nil {
		l.failed = sum
		l.mu.Unlock()
		l.fail("could not load signing key from "+l.source, err)
		return
	}
	l.loaded, l.failed = sum, [sha256.Size]byte{}
	// A later failure, even one seen before, is news again.
	l.message = ""
	cert := l.ca.Current().Certificate()
	l.mu.Unlock()

	klog.InfoS("loaded signing key", "source", l.source, "subject", cert.Subject.String(),
		"notBefore", cert.NotBefore, "notAfter", cert.NotAfter)
	l.notify()
}

// fail records that the source could not be used, keeping the loaded CA if any.
// A failure that repeats is logged once.
func (l *loader) fail(message string, err error) {
	l.mu.Lock()
	changed := l.setMessage(message + ": " + err.Error())
	l.mu.Unlock()
	if !changed {
		return
	}
	klog.ErrorS(err, message, "source", l.source, "keepingPreviousKey", l.ca.Current() != nil)
	l.notify()
}

// unset unloads the CA because its source is gone; message says why.
func (l *loader) unset(message string) {
	l.mu.Lock()
	wasLoaded := l.ca.Current() != nil
	l.ca.Unset()
	l.loaded, l.failed = [sha256.Size]byte{}, [sha256.Size]byte{}
	changed := l.setMessage(message) || wasLoaded
	l.mu.Unlock()

	if wasLoaded {
		klog.InfoS("unloaded signing key", "source", l.source, "reason", message)
	}
	if changed {
		l.notify()
	}
}

// setMessage records why nothing is loaded; it reports whether that changed.
// The caller holds the lock.
func (l *loader) setMessage(message string) bool {
	if l.message == message {
		return false
	}
	l.message = message
	return true
}

func (l *loader) notify() {
	l.mu.Lock()
	listeners := append([]dynamiccertificates.Listener(nil), l.listeners...)
	l.mu.Unlock()
	for _, listener := range listeners {
		listener.Enqueue()
	}
}
