//go:build tools

// Package tools makes this wrapper module require helm's command, so go.mod and go.sum pin every
// module it builds from. tools/helm/helm.mjs builds it with `go build`.
package tools

import _ "helm.sh/helm/v4/cmd/helm"
