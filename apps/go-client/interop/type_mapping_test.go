package interop

import (
	"math"
	"testing"
	"time"

	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
	userv1 "example.com/platform/go-client/gen/platform/user/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// The TypeScript side carries int64 as decimal strings (ts-proto forceLong=string), enums as
// names and Timestamps as {seconds, nanos}; these values must survive Go -> TS -> Go exactly.

func TestTypeMappingInt64BeyondFloat64(t *testing.T) {
	buyer := signUp(t)
	big := int64(1)<<62 + 1 // 4611686018427387905: a float64 would round it
	odd := int64(1)<<53 + 1 // 9007199254740993, the first integer a double cannot hold
	request := newOrder()
	request.Items = []*orderv1.LineItem{
		{Sku: "sku-big", Quantity: 1, UnitPriceMinor: big},
		{Sku: "sku-odd", Quantity: 1, UnitPriceMinor: odd},
	}
	response, err := stack.orders.CreateOrder(buyer.as(t), request)
	if err != nil {
		t.Fatal(err)
	}
	order := response.GetOrder()
	if order.GetItems()[0].GetUnitPriceMinor() != big || order.GetItems()[1].GetUnitPriceMinor() != odd ||
		order.GetTotalMinor() != big+odd {
		t.Fatalf("amounts %d %d total %d, want %d %d total %d", order.GetItems()[0].GetUnitPriceMinor(),
			order.GetItems()[1].GetUnitPriceMinor(), order.GetTotalMinor(), big, odd, big+odd)
	}
	read, err := stack.orders.GetOrder(buyer.as(t), &orderv1.GetOrderRequest{OrderId: order.GetId()})
	if err != nil || !proto.Equal(read.GetOrder(), order) {
		t.Fatalf("read back %v: %v", read.GetOrder(), err)
	}
	// A total beyond int64 is refused, not wrapped.
	request = newOrder()
	request.Items = []*orderv1.LineItem{{Sku: "sku-max", Quantity: 2, UnitPriceMinor: math.MaxInt64}}
	_, err = stack.orders.CreateOrder(buyer.as(t), request)
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("total beyond int64: want INVALID_ARGUMENT, got %v", err)
	}
}

func TestTypeMappingEnums(t *testing.T) {
	buyer := signUp(t)
	signedIn, err := stack.users.Authenticate(anonymous(t), passwordCredentials(buyer.email, buyer.password))
	if err != nil {
		t.Fatal(err)
	}
	// A repeated enum.
	if roles := signedIn.GetRoles(); len(roles) != 1 || roles[0] != userv1.Role_ROLE_USER {
		t.Fatalf("roles %v", roles)
	}
	service := servicePrincipal(t)
	serviceSignIn, err := stack.users.Authenticate(anonymous(t), &userv1.AuthenticateRequest{
		Credentials: &userv1.AuthenticateRequest_Client{Client: &userv1.ClientCredentials{
			ClientId: stack.clientID, ClientSecret: stack.clientSecret}}})
	if err != nil || len(serviceSignIn.GetRoles()) != 1 || serviceSignIn.GetRoles()[0] != userv1.Role_ROLE_SERVICE {
		t.Fatalf("service roles %v: %v", serviceSignIn.GetRoles(), err)
	}
	// Every OrderStatus value, out and (as a filter) in.
	pending, confirmed, cancelled := placeOrder(t, buyer), placeOrder(t, buyer), placeOrder(t, buyer)
	if _, err := stack.orders.ConfirmOrder(service.as(t), &orderv1.ConfirmOrderRequest{OrderId: confirmed.GetId()}); err != nil {
		t.Fatal(err)
	}
	if _, err := stack.orders.CancelOrder(buyer.as(t), &orderv1.CancelOrderRequest{OrderId: cancelled.GetId()}); err != nil {
		t.Fatal(err)
	}
	for status, id := range map[orderv1.OrderStatus]string{
		orderv1.OrderStatus_ORDER_STATUS_PENDING:   pending.GetId(),
		orderv1.OrderStatus_ORDER_STATUS_CONFIRMED: confirmed.GetId(),
		orderv1.OrderStatus_ORDER_STATUS_CANCELLED: cancelled.GetId(),
	} {
		response, err := stack.orders.ListOrders(buyer.as(t), &orderv1.ListOrdersRequest{Status: status})
		if err != nil {
			t.Fatal(err)
		}
		if len(response.GetOrders()) != 1 || response.GetOrders()[0].GetId() != id || response.GetOrders()[0].GetStatus() != status {
			t.Fatalf("filter %s listed %v", status, response.GetOrders())
		}
	}
	// An enum number the server does not know is refused.
	_, err = stack.orders.ListOrders(buyer.as(t), &orderv1.ListOrdersRequest{Status: orderv1.OrderStatus(42)})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("unknown status filter: want INVALID_ARGUMENT, got %v", err)
	}
}

func TestTypeMappingTimestamps(t *testing.T) {
	buyer := signUp(t)
	before := time.Now().Add(-time.Second)
	order := placeOrder(t, buyer)
	after := time.Now().Add(time.Second)
	created := order.GetCreateTime().AsTime()
	if err := order.GetCreateTime().CheckValid(); err != nil || created.Before(before) || created.After(after) {
		t.Fatalf("create_time %v not within [%v, %v]: %v", created, before, after, err)
	}
	response, err := stack.orders.CancelOrder(buyer.as(t), &orderv1.CancelOrderRequest{OrderId: order.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	// The create time comes back exactly (seconds and nanos); the update time moved on.
	if !proto.Equal(response.GetOrder().GetCreateTime(), order.GetCreateTime()) ||
		response.GetOrder().GetUpdateTime().AsTime().Before(created) {
		t.Fatalf("after cancel: create %v update %v, first create %v", response.GetOrder().GetCreateTime(),
			response.GetOrder().GetUpdateTime(), order.GetCreateTime())
	}
	signedIn, err := stack.users.Authenticate(anonymous(t), passwordCredentials(buyer.email, buyer.password))
	if err != nil {
		t.Fatal(err)
	}
	// The token lives AUTH_TOKEN_TTL (15 min).
	if ttl := time.Until(signedIn.GetExpireTime().AsTime()); ttl < 14*time.Minute || ttl > 15*time.Minute+time.Second {
		t.Fatalf("expire_time in %s", ttl)
	}
	// An unset Timestamp stays unset.
	user, err := stack.users.GetUser(buyer.as(t), &userv1.GetUserRequest{UserId: buyer.id})
	if err != nil || user.GetUser().GetDeactivateTime() != nil {
		t.Fatalf("deactivate_time of an active user %v: %v", user.GetUser().GetDeactivateTime(), err)
	}
}

func TestTypeMappingRepeatedFields(t *testing.T) {
	buyer := signUp(t)
	request := newOrder()
	request.Items = nil
	for i, sku := range []string{"sku-c", "sku-a", "sku-b", "sku-a"} {
		request.Items = append(request.Items, &orderv1.LineItem{Sku: sku, Quantity: int32(i + 1), UnitPriceMinor: int64(10 * (i + 1))})
	}
	response, err := stack.orders.CreateOrder(buyer.as(t), request)
	if err != nil {
		t.Fatal(err)
	}
	// In order, duplicates kept.
	got := response.GetOrder().GetItems()
	if len(got) != len(request.Items) {
		t.Fatalf("items %v", got)
	}
	for i := range got {
		if !proto.Equal(got[i], request.Items[i]) {
			t.Fatalf("item %d: %v, want %v", i, got[i], request.Items[i])
		}
	}
}

// UserOrderStats.lifetime_total_minor_by_currency is filled by the user service's order-events
// consumer, which needs Kafka; these services run without a broker, so it decodes empty (the
// end-to-end suite checks it populated). The google.rpc.ErrorInfo metadata map, sent by the
// TypeScript error model, is checked populated here.
func TestTypeMappingMapFields(t *testing.T) {
	buyer := signUp(t)
	stats, err := stack.users.GetUserOrderStats(buyer.as(t), &userv1.GetUserOrderStatsRequest{UserId: buyer.id})
	if err != nil || len(stats.GetStats().GetLifetimeTotalMinorByCurrency()) != 0 {
		t.Fatalf("stats %v: %v", stats.GetStats(), err)
	}
	request := newOrder()
	first, err := stack.orders.CreateOrder(buyer.as(t), request)
	if err != nil {
		t.Fatal(err)
	}
	request.CurrencyCode = "USD"
	_, err = stack.orders.CreateOrder(buyer.as(t), request)
	info, _ := status.Convert(err).Details()[0].(*errdetails.ErrorInfo)
	if len(info.GetMetadata()) != 1 || info.GetMetadata()["order_id"] != first.GetOrder().GetId() {
		t.Fatalf("ErrorInfo metadata %v", info.GetMetadata())
	}
}
