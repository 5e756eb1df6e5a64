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

// Every other google.rpc detail the services may attach reads as its own line.
func TestDescribeErrorOfEachDetailKind(t *testing.T) {
	st, err := status.New(codes.FailedPrecondition, "Order cannot be cancelled").WithDetails(
		&errdetails.PreconditionFailure{Violations: []*errdetails.PreconditionFailure_Violation{
			{Type: "STATUS", Subject: "order/42", Description: "order is CONFIRMED"}}},
		&errdetails.QuotaFailure{Violations: []*errdetails.QuotaFailure_Violation{
			{Subject: "user:7", Description: "100 orders a day"}}},
		&errdetails.ResourceInfo{ResourceType: "order", ResourceName: "42", Description: "owned by user 7"},
		&errdetails.ResourceInfo{ResourceType: "user", ResourceName: "7"},
		&errdetails.DebugInfo{Detail: "stack elided"},
		&errdetails.Help{Links: []*errdetails.Help_Link{{Description: "Cancelling", Url: "https://example.com/cancel"}}},
		&errdetails.LocalizedMessage{Locale: "en", Message: "This order has shipped"},
	)
	if err != nil {
		t.Fatal(err)
	}
	got := DescribeError(st.Err())
	want := "FailedPrecondition: Order cannot be cancelled\n" +
		"  precondition STATUS failed for order/42: order is CONFIRMED\n" +
		"  quota exceeded (user:7): 100 orders a day\n" +
		"  resource: order 42 (owned by user 7)\n" +
		"  resource: user 7\n" +
		"  debug: stack elided\n" +
		"  help: Cancelling https://example.com/cancel\n" +
		"  This order has shipped"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if DescribeError(nil) != "" {
		t.Fatal("no error describes as nothing")
	}
}
