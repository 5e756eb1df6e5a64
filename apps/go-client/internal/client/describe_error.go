package client

import (
	"errors"
	"fmt"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"
)

// DescribeError explains a failed call in plain words for people: the status code and
// message, then every google.rpc detail the service attached (the ErrorInfo reason, field
// violations, preconditions, quota violations, the resource, when to retry). Errors that are
// not gRPC statuses are returned as their message; a wrapped status is found and described.
func DescribeError(err error) string {
	if err == nil {
		return ""
	}
	var carrier interface{ GRPCStatus() *status.Status }
	if !errors.As(err, &carrier) || carrier.GRPCStatus() == nil {
		return err.Error()
	}
	st := carrier.GRPCStatus()
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", st.Code(), st.Message())
	for _, detail := range st.Details() {
		for _, line := range describeDetail(detail) {
			b.WriteString("\n  ")
			b.WriteString(line)
		}
	}
	return b.String()
}

func describeDetail(detail any) []string {
	switch d := detail.(type) {
	case *errdetails.ErrorInfo:
		line := fmt.Sprintf("reason: %s (domain %s)", d.GetReason(), d.GetDomain())
		for key, value := range d.GetMetadata() {
			line += fmt.Sprintf(", %s=%s", key, value)
		}
		return []string{line}
	case *errdetails.BadRequest:
		lines := make([]string, 0, len(d.GetFieldViolations()))
		for _, violation := range d.GetFieldViolations() {
			lines = append(lines, fmt.Sprintf("field %s: %s", violation.GetField(), violation.GetDescription()))
		}
		return lines
	case *errdetails.PreconditionFailure:
		lines := make([]string, 0, len(d.GetViolations()))
		for _, violation := range d.GetViolations() {
			lines = append(lines, fmt.Sprintf("precondition %s failed for %s: %s",
				violation.GetType(), violation.GetSubject(), violation.GetDescription()))
		}
		return lines
	case *errdetails.QuotaFailure:
		lines := make([]string, 0, len(d.GetViolations()))
		for _, violation := range d.GetViolations() {
			lines = append(lines, fmt.Sprintf("quota exceeded (%s): %s", violation.GetSubject(), violation.GetDescription()))
		}
		return lines
	case *errdetails.RetryInfo:
		return []string{fmt.Sprintf("retry in %s", d.GetRetryDelay().AsDuration())}
	case *errdetails.ResourceInfo:
		line := fmt.Sprintf("resource: %s %s", d.GetResourceType(), d.GetResourceName())
		if d.GetDescription() != "" {
			line += " (" + d.GetDescription() + ")"
		}
		return []string{line}
	case *errdetails.DebugInfo:
		return []string{"debug: " + d.GetDetail()}
	case *errdetails.Help:
		lines := make([]string, 0, len(d.GetLinks()))
		for _, link := range d.GetLinks() {
			lines = append(lines, fmt.Sprintf("help: %s %s", link.GetDescription(), link.GetUrl()))
		}
		return lines
	case *errdetails.LocalizedMessage:
		return []string{d.GetMessage()}
	case error:
		return []string{"undecodable detail: " + d.Error()}
	default:
		return []string{fmt.Sprintf("detail: %v", d)}
	}
}
