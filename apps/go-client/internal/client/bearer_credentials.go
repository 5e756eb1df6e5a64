package client

import (
	"context"
)

type tokenKey struct{}

// WithToken returns a context whose calls send token as `authorization: Bearer <token>`,
// instead of the connection's Options.Token. One connection can so serve several principals.
func WithToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, tokenKey{}, token)
}

// bearerCredentials puts the token of the call's context (or the fallback) in the
// `authorization` metadata. Plaintext is allowed: the services listen on loopback or behind a
// mesh that terminates TLS.
type bearerCredentials struct {
	fallback string
}

func (c bearerCredentials) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	token, ok := ctx.Value(tokenKey{}).(string)
	if !ok {
		token = c.fallback
	}
	if token == "" {
		return nil, nil
	}
	return map[string]string{"authorization": "Bearer " + token}, nil
}

func (bearerCredentials) RequireTransportSecurity() bool { return false }
