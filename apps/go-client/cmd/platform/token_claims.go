package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// tokenClaims is what the CLI reads from an access token: whom it stands for, its roles and
// its expiry.
type tokenClaims struct {
	Subject string   `json:"sub"`
	Roles   []string `json:"roles"`
	Expiry  int64    `json:"exp"`
}

// isService tells a service principal's token (sub is a client id, not a user id) from a user's.
func (c tokenClaims) isService() bool { return slices.Contains(c.Roles, "service") }

func (c tokenClaims) expiryText() string {
	if c.Expiry == 0 {
		return "-"
	}
	return time.Unix(c.Expiry, 0).Local().Format(time.RFC3339)
}

// readTokenClaims reads the claims of a JWT without verifying it (the services verify it; the
// CLI only needs to know whom to ask about).
func readTokenClaims(token string) (tokenClaims, error) {
	var claims tokenClaims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims, fmt.Errorf("the access token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return claims, fmt.Errorf("decoding the access token: %w", err)
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return claims, fmt.Errorf("decoding the access token's claims: %w", err)
	}
	return claims, nil
}
