package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// tokenSubject reads the `sub` claim of a JWT without verifying it (the services verify it;
// the CLI only needs to know whom to ask about).
func tokenSubject(token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("the access token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", fmt.Errorf("decoding the access token: %w", err)
	}
	var claims struct {
		Subject string `json:"sub"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", fmt.Errorf("decoding the access token's claims: %w", err)
	}
	return claims.Subject, nil
}
