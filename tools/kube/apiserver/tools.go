//go:build tools

// Package tools makes this wrapper module require kube-apiserver's package, so go.mod and go.sum
// pin every module it builds from. tools/kube/kube.mjs builds it with `go build`.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
