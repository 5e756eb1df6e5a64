// Package interop calls the TypeScript services from Go through the generated stubs: both
// services run as processes from their builds (apps/*/dist/main.js) on loopback, started by
// TestMain, with PGlite data in a temporary folder and tracing exported to an OTLP receiver
// in this test binary.
package interop
