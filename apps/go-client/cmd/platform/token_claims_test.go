package main

import (
	"encoding/base64"
	"strings"
	"testing"
)

// The CLI reads whom a token stands for from its payload, and says why when it cannot.
func TestReadTokenClaims(t *testing.T) {
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"billing","roles":["service"],"exp":0}`))
	claims, err := readTokenClaims("header." + payload + ".signature")
	if err != nil || claims.Subject != "billing" || !claims.isService() || claims.expiryText() != "-" {
		t.Fatalf("claims %+v, err %v", claims, err)
	}
	for token, problem := range map[string]string{
		"opaque-token":   "not a JWT",
		"header.%%%.sig": "decoding the access token",
		"header." + base64.RawURLEncoding.EncodeToString([]byte("[1]")) + ".sig": "decoding the access token's claims",
	} {
		if _, err := readTokenClaims(token); err == nil || !strings.Contains(err.Error(), problem) {
			t.Fatalf("%q: err %v, want it to say %q", token, err, problem)
		}
	}
}
