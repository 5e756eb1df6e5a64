package interop

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

// requireStatus checks that err is a gRPC status with the code, a message containing
// messagePart, and exactly the details given, in that order (decoded by
// status.FromError(err).Details()). It returns the status for further checks.
func requireStatus(t *testing.T, err error, code codes.Code, messagePart string, details ...proto.Message) *status.Status {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok {
		t.Fatalf("want a gRPC status %s, got %v", code, err)
	}
	if st.Code() != code || !strings.Contains(st.Message(), messagePart) {
		t.Fatalf("want %s %q, got %s %q", code, messagePart, st.Code(), st.Message())
	}
	got := st.Details()
	if len(got) != len(details) {
		t.Fatalf("want %d details, got %d: %s", len(details), len(got), describeDetails(got))
	}
	for i, want := range details {
		message, ok := got[i].(proto.Message)
		if !ok || !proto.Equal(message, want) {
			t.Fatalf("detail %d: want %T {%s}, got %s", i, want, prototext.Format(want), describeDetails(got[i:i+1]))
		}
	}
	return st
}

func describeDetails(details []any) string {
	var parts []string
	for _, detail := range details {
		if message, ok := detail.(proto.Message); ok {
			parts = append(parts, string(proto.MessageName(message))+" {"+prototext.Format(message)+"}")
		} else {
			parts = append(parts, "undecodable")
		}
	}
	return strings.Join(parts, "; ")
}
