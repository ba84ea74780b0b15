// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package testlib

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"

	"golang.org/x/crypto/bcrypt"
)

// The parts of Dex's config file that the tests use. Dex reads YAML, and JSON is
// YAML, so the file is written with encoding/json.
type dexConfig struct {
	Issuer           string           `json:"issuer"`
	Storage          dexStorage       `json:"storage"`
	Web              dexWeb           `json:"web"`
	Logger           dexLogger        `json:"logger"`
	OAuth2           dexOAuth2        `json:"oauth2"`
	Expiry           dexExpiry        `json:"expiry"`
	StaticClients    []dexClientEntry `json:"staticClients"`
	EnablePasswordDB bool             `json:"enablePasswordDB"`
	StaticPasswords  []dexPassword    `json:"staticPasswords"`
}

type dexStorage struct {
	Type   string            `json:"type"`
	Config map[string]string `json:"config"`
}

type dexWeb struct {
	HTTPS   string `json:"https"`
	TLSCert string `json:"tlsCert"`
	TLSKey  string `json:"tlsKey"`
}

type dexLogger struct {
	Level  string `json:"level"`
	Format string `json:"format"`
}

type dexOAuth2 struct {
	SkipApprovalScreen bool     `json:"skipApprovalScreen"`
	PasswordConnector  string   `json:"passwordConnector"`
	GrantTypes         []string `json:"grantTypes"`
	ResponseTypes      []string `json:"responseTypes"`
}

type dexExpiry struct {
	IDTokens string `json:"idTokens"`
}

type dexClientEntry struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Secret       string   `json:"secret"`
	RedirectURIs []string `json:"redirectURIs"`
	Public       bool     `json:"public,omitempty"`
}

type dexPassword struct {
	Email             string   `json:"email"`
	Hash              string   `json:"hash"`
	Username          string   `json:"username"`
	PreferredUsername string   `json:"preferredUsername"`
	UserID            string   `json:"userID"`
	Groups            []string `json:"groups"`
}

// config renders the config file of the current options.
func (d *Dex) config() ([]byte, error) {
	ttl := d.opts.IDTokenTTL
	if ttl == 0 {
		ttl = defaultDexIDTokenTTL
	}
	c := dexConfig{
		Issuer: d.Issuer,
		// SQLite rather than memory, so that a restart keeps keys and refresh tokens.
		Storage: dexStorage{Type: "sqlite3", Config: map[string]string{"file": filepath.Join(d.Dir, "dex.db")}},
		Web: dexWeb{
			HTTPS:   "127.0.0.1:" + strconv.Itoa(d.port),
			TLSCert: filepath.Join(d.Dir, "tls.crt"),
			TLSKey:  filepath.Join(d.Dir, "tls.key"),
		},
		Logger: dexLogger{Level: "debug", Format: "text"},
		OAuth2: dexOAuth2{
			// Without this Dex shows a consent page after the login form.
			SkipApprovalScreen: true,
			// "local" is the password DB; naming it enables the password grant.
			PasswordConnector: "local",
			GrantTypes:        []string{"authorization_code", "refresh_token", "password"},
			ResponseTypes:     []string{"code"},
		},
		Expiry:           dexExpiry{IDTokens: ttl.String()},
		EnablePasswordDB: true,
	}
	for _, client := range d.opts.Clients {
		c.StaticClients = append(c.StaticClients, dexClientEntry{
			ID: client.ID, Name: client.ID, Secret: client.Secret, RedirectURIs: client.RedirectURIs,
			Public: client.Public,
		})
	}
	for _, user := range d.opts.Users {
		// Dex refuses to check a hash of a cost below bcrypt's default at login.
		hash, err := bcrypt.GenerateFromPassword([]byte(user.Password), bcrypt.DefaultCost)
		if err != nil {
			return nil, fmt.Errorf("could not hash the password of %q: %w", user.Email, err)
		}
		userID := user.UserID
		if userID == "" {
			sum := sha256.Sum256([]byte(user.Email))
			userID = hex.EncodeToString(sum[:8])
		}
		groups := user.Groups
		if groups == nil {
			groups = []string{}
		}
		c.StaticPasswords = append(c.StaticPasswords, dexPassword{
			Email: user.Email, Hash: string(hash), Username: user.Username,
			PreferredUsername: user.Username, UserID: userID, Groups: groups,
		})
	}
	out, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("could not encode dex config: %w", err)
	}
	return out, nil
}
