// Package client connects Go programs to the platform's TypeScript services through the
// contracts in protos/: one reused connection per service with keepalive, a deadline on every
// call, retries configured through the gRPC service config for the methods the contracts mark
// idempotent, the access token in `authorization` metadata, W3C trace context propagated by the
// OpenTelemetry stats handler, and google.rpc error details described in plain words.
package client
