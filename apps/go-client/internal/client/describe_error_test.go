package client

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

func TestDescribeErrorInPlainWords(t *testing.T) {
	st, err := status.New(codes.ResourceExhausted, "Too many failed sign-in attempts").WithDetails(
		&errdetails.ErrorInfo{Reason: "LOGIN_THROTTLED", Domain: "user.platform"},
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "items[0].quantity", Description: "must be from 1 to 1000000"}}},
		&errdetails.RetryInfo{RetryDelay: durationpb.New(90 * time.Second)},
	)
	if err != nil {
		t.Fatal(err)
	}
	got := DescribeError(fmt.Errorf("signing in: %w", st.Err()))
	want := "ResourceExhausted: Too many failed sign-in attempts\n" +
		"  reason: LOGIN_THROTTLED (domain user.platform)\n" +
		"  field items[0].quantity: must be from 1 to 1000000\n" +
		"  retry in 1m30s"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if DescribeError(errors.New("plain")) != "plain" {
		t.Fatal("a plain error is its message")
	}
}
