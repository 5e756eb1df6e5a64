package interop

import (
	"math"
	"strings"
	"testing"
	"time"

	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
	userv1 "example.com/platform/go-client/gen/platform/user/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Every error the TypeScript services produce, decoded in Go: the same code and the same
// google.rpc details, as the services' READMEs document them.

func errorInfo(reason, domain string, metadata map[string]string) *errdetails.ErrorInfo {
	return &errdetails.ErrorInfo{Reason: reason, Domain: domain, Metadata: metadata}
}

const unknownOrderID = "00000000-0000-4000-8000-000000000000"

func TestErrorInvalidArgumentHasFieldViolations(t *testing.T) {
	buyer := signUp(t)
	request := newOrder()
	request.Items[0].Quantity = 0
	request.Items[1].UnitPriceMinor = -1
	_, err := stack.orders.CreateOrder(buyer.as(t), request)
	requireStatus(t, err, codes.InvalidArgument,
		"items[0].quantity must be from 1 to 1000000; items[1].unit_price_minor must not be negative",
		errorInfo("INVALID_REQUEST", "order.platform", nil),
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
			{Field: "items[0].quantity", Description: "must be from 1 to 1000000"},
			{Field: "items[1].unit_price_minor", Description: "must not be negative"},
		}})
}

// A page size above 500 is clamped (AIP-158), not refused; a negative one is refused.
func TestListPageSize(t *testing.T) {
	buyer := signUp(t)
	boss := admin(t)
	pageSizeInvalid := func(domain string) []proto.Message {
		description := "must be an integer of 0 or more (0 means the default, 50; above 500 means 500)"
		return []proto.Message{errorInfo("PAGE_SIZE_INVALID", domain, nil),
			&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
				{Field: "page_size", Description: description, Reason: "OUT_OF_RANGE"}}}}
	}
	for _, size := range []int32{501, math.MaxInt32} {
		if _, err := stack.orders.ListOrders(buyer.as(t), &orderv1.ListOrdersRequest{PageSize: size}); err != nil {
			t.Fatalf("ListOrders page_size %d: %v", size, err)
		}
		if _, err := stack.users.ListUsers(boss.as(t), &userv1.ListUsersRequest{PageSize: size}); err != nil {
			t.Fatalf("ListUsers page_size %d: %v", size, err)
		}
	}
	_, err := stack.orders.ListOrders(buyer.as(t), &orderv1.ListOrdersRequest{PageSize: -1})
	requireStatus(t, err, codes.InvalidArgument, "Invalid page_size", pageSizeInvalid("order.platform")...)
	_, err = stack.users.ListUsers(boss.as(t), &userv1.ListUsersRequest{PageSize: -1})
	requireStatus(t, err, codes.InvalidArgument, "Invalid page_size", pageSizeInvalid("user.platform")...)
}

func TestErrorInvalidArgumentFromUserService(t *testing.T) {
	_, err := stack.users.CreateUser(anonymous(t), &userv1.CreateUserRequest{
		Email: "not-an-email", Password: "Tr4in-" + randomText(12) + "-station", DisplayName: "Bad Email"})
	requireStatus(t, err, codes.InvalidArgument, "email",
		errorInfo("INVALID_REQUEST", "user.platform", nil),
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
			{Field: "email", Description: fieldDescription(t, err, "email")},
		}})
}

// fieldDescription is the description the service gave the field (its wording is the
// service's; the test checks the field and the shape).
func fieldDescription(t *testing.T, err error, field string) string {
	t.Helper()
	for _, detail := range status.Convert(err).Details() {
		if badRequest, ok := detail.(*errdetails.BadRequest); ok {
			for _, violation := range badRequest.GetFieldViolations() {
				if violation.GetField() == field && violation.GetDescription() != "" {
					return violation.GetDescription()
				}
			}
		}
	}
	t.Fatalf("no field violation for %s in %v", field, err)
	return ""
}

func TestErrorNotFoundHasResourceInfo(t *testing.T) {
	buyer := signUp(t)
	_, err := stack.orders.GetOrder(buyer.as(t), &orderv1.GetOrderRequest{OrderId: unknownOrderID})
	message := "Order " + unknownOrderID + " not found"
	requireStatus(t, err, codes.NotFound, message,
		errorInfo("ORDER_NOT_FOUND", "order.platform", nil),
		&errdetails.ResourceInfo{ResourceType: "platform.order.v1.Order", ResourceName: unknownOrderID, Description: message})

	// Another user's order answers exactly like a missing one.
	order := placeOrder(t, signUp(t))
	_, err = stack.orders.GetOrder(buyer.as(t), &orderv1.GetOrderRequest{OrderId: order.GetId()})
	message = "Order " + order.GetId() + " not found"
	requireStatus(t, err, codes.NotFound, message,
		errorInfo("ORDER_NOT_FOUND", "order.platform", nil),
		&errdetails.ResourceInfo{ResourceType: "platform.order.v1.Order", ResourceName: order.GetId(), Description: message})
}

func TestErrorUnknownUserForAdmin(t *testing.T) {
	_, err := stack.users.GetUser(admin(t).as(t), &userv1.GetUserRequest{UserId: unknownOrderID})
	requireStatus(t, err, codes.NotFound, unknownOrderID,
		errorInfo("USER_NOT_FOUND", "user.platform", nil),
		&errdetails.ResourceInfo{ResourceType: "platform.user.v1.User", ResourceName: unknownOrderID,
			Description: status.Convert(err).Message()})
}

func TestErrorUnauthenticated(t *testing.T) {
	t.Run("no token", func(t *testing.T) {
		_, err := stack.orders.ListOrders(anonymous(t), &orderv1.ListOrdersRequest{})
		requireStatus(t, err, codes.Unauthenticated, "Authentication required",
			errorInfo("TOKEN_MISSING", "order.platform", nil))
	})
	t.Run("forged token", func(t *testing.T) {
		forged := caller{token: "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"}
		_, err := stack.orders.ListOrders(forged.as(t), &orderv1.ListOrdersRequest{})
		st := status.Convert(err)
		if st.Code() != codes.Unauthenticated || len(st.Details()) != 1 {
			t.Fatalf("want UNAUTHENTICATED with one ErrorInfo, got %v", err)
		}
		info, _ := st.Details()[0].(*errdetails.ErrorInfo)
		if info.GetDomain() != "order.platform" || !strings.HasPrefix(info.GetReason(), "TOKEN_") {
			t.Fatalf("want a TOKEN_* reason of order.platform, got %v", info)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		buyer := signUp(t)
		_, err := stack.users.Authenticate(anonymous(t), passwordCredentials(buyer.email, "not-"+buyer.password))
		requireStatus(t, err, codes.Unauthenticated, "The credentials are not valid",
			errorInfo("INVALID_CREDENTIALS", "user.platform", nil))
	})
}

func TestErrorPermissionDenied(t *testing.T) {
	buyer := signUp(t)
	order := placeOrder(t, buyer)
	_, err := stack.orders.ConfirmOrder(buyer.as(t), &orderv1.ConfirmOrderRequest{OrderId: order.GetId()})
	requireStatus(t, err, codes.PermissionDenied, "a required role is missing",
		errorInfo("ROLE_REQUIRED", "order.platform", map[string]string{"requiredRoles": "ROLE_SERVICE"}))

	_, err = stack.users.ListUsers(buyer.as(t), &userv1.ListUsersRequest{})
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("ListUsers as a user: want PERMISSION_DENIED, got %v", err)
	}
}

func TestErrorFailedPrecondition(t *testing.T) {
	t.Run("cancel a confirmed order", func(t *testing.T) {
		buyer := signUp(t)
		order := placeOrder(t, buyer)
		if _, err := stack.orders.ConfirmOrder(servicePrincipal(t).as(t),
			&orderv1.ConfirmOrderRequest{OrderId: order.GetId()}); err != nil {
			t.Fatalf("ConfirmOrder: %v", err)
		}
		_, err := stack.orders.CancelOrder(buyer.as(t), &orderv1.CancelOrderRequest{OrderId: order.GetId()})
		requireStatus(t, err, codes.FailedPrecondition, "Order "+order.GetId()+" is confirmed and cannot be cancelled",
			errorInfo("ORDER_STATE_CONFLICT", "order.platform", map[string]string{"status": "ORDER_STATUS_CONFIRMED"}),
			&errdetails.PreconditionFailure{Violations: []*errdetails.PreconditionFailure_Violation{{
				Type: "ORDER_STATUS", Subject: "orders/" + order.GetId(), Description: "the order is confirmed"}}})
	})
	t.Run("reuse a request id with another payload", func(t *testing.T) {
		buyer := signUp(t)
		request := newOrder()
		first, err := stack.orders.CreateOrder(buyer.as(t), request)
		if err != nil {
			t.Fatalf("CreateOrder: %v", err)
		}
		request.Items[0].Quantity++
		_, err = stack.orders.CreateOrder(buyer.as(t), request)
		id := first.GetOrder().GetId()
		requireStatus(t, err, codes.FailedPrecondition, "Request id "+request.GetRequestId()+" was already used",
			errorInfo("IDEMPOTENCY_KEY_REUSED", "order.platform", map[string]string{"order_id": id}),
			&errdetails.PreconditionFailure{Violations: []*errdetails.PreconditionFailure_Violation{{
				Type: "IDEMPOTENCY_KEY", Subject: "orders/" + id,
				Description: "the request id was used with a different payload"}}})
	})
	t.Run("sign in to a deactivated account", func(t *testing.T) {
		buyer := signUp(t)
		if _, err := stack.users.DeactivateUser(admin(t).as(t),
			&userv1.DeactivateUserRequest{UserId: buyer.id, Reason: "interop test"}); err != nil {
			t.Fatalf("DeactivateUser: %v", err)
		}
		_, err := stack.users.Authenticate(anonymous(t), passwordCredentials(buyer.email, buyer.password))
		st := status.Convert(err)
		if st.Code() != codes.FailedPrecondition || len(st.Details()) != 2 {
			t.Fatalf("want FAILED_PRECONDITION with ErrorInfo and PreconditionFailure, got %s", describeDetails(st.Details()))
		}
		if info, _ := st.Details()[0].(*errdetails.ErrorInfo); info.GetReason() != "USER_DEACTIVATED" ||
			info.GetDomain() != "user.platform" {
			t.Fatalf("want USER_DEACTIVATED of user.platform, got %v", info)
		}
		if _, ok := st.Details()[1].(*errdetails.PreconditionFailure); !ok {
			t.Fatalf("want a PreconditionFailure, got %s", describeDetails(st.Details()))
		}
	})
}

func TestErrorAlreadyExists(t *testing.T) {
	buyer := signUp(t)
	_, err := stack.users.CreateUser(anonymous(t), &userv1.CreateUserRequest{
		Email: strings.ToUpper(buyer.email), Password: "Tr4in-" + randomText(12) + "-station", DisplayName: "Twin"})
	message := "An account with this email already exists"
	requireStatus(t, err, codes.AlreadyExists, message,
		errorInfo("USER_EMAIL_TAKEN", "user.platform", nil),
		&errdetails.ResourceInfo{ResourceType: "platform.user.v1.User", ResourceName: strings.ToUpper(buyer.email),
			Description: message})
}

func TestErrorResourceExhaustedLoginThrottle(t *testing.T) {
	buyer := signUp(t)
	wrong := passwordCredentials(buyer.email, "not-"+buyer.password)
	for attempt := 1; attempt <= 5; attempt++ {
		_, err := stack.users.Authenticate(anonymous(t), wrong)
		if status.Code(err) != codes.Unauthenticated {
			t.Fatalf("wrong password, attempt %d: want UNAUTHENTICATED, got %v", attempt, err)
		}
	}
	_, err := stack.users.Authenticate(anonymous(t), wrong)
	st := status.Convert(err)
	if st.Code() != codes.ResourceExhausted || len(st.Details()) != 3 {
		t.Fatalf("want RESOURCE_EXHAUSTED with 3 details, got %v: %s", err, describeDetails(st.Details()))
	}
	retry, ok := st.Details()[2].(*errdetails.RetryInfo)
	if !ok {
		t.Fatalf("detail 2: want RetryInfo, got %s", describeDetails(st.Details()))
	}
	// The window is 15 minutes from the first failure, a moment ago.
	if delay := retry.GetRetryDelay().AsDuration(); delay <= 14*time.Minute || delay > 15*time.Minute {
		t.Fatalf("retry delay %s, want just under 15 min", delay)
	}
	requireStatus(t, err, codes.ResourceExhausted, "Too many failed sign-in attempts; try again in 900 s",
		errorInfo("LOGIN_THROTTLED", "user.platform", nil),
		&errdetails.QuotaFailure{Violations: []*errdetails.QuotaFailure_Violation{{
			Subject: "account", Description: "at most 5 failed sign-ins per account in 15 minutes"}}},
		retry)
}

func TestErrorResourceExhaustedOversizedMessage(t *testing.T) {
	buyer := signUp(t)
	request := newOrder()
	request.Items[0].Sku = strings.Repeat("A", 300*1024) // over ORDER_MAX_MESSAGE_BYTES (256 KiB)
	_, err := stack.orders.CreateOrder(buyer.as(t), request)
	// Answered by grpc-js before any interceptor: no google.rpc details.
	requireStatus(t, err, codes.ResourceExhausted, "Received message larger than max")
	// The service stays up.
	placeOrder(t, buyer)
}
