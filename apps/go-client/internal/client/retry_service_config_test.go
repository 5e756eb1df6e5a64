package client

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestRetryableMethodsFollowTheContracts(t *testing.T) {
	want := []string{
		"platform.order.v1.OrderService/CancelOrder",
		"platform.order.v1.OrderService/ConfirmOrder",
		"platform.order.v1.OrderService/CreateOrder",
		"platform.order.v1.OrderService/GetOrder",
		"platform.order.v1.OrderService/ImportOrders",
		"platform.order.v1.OrderService/ListOrders",
		"platform.order.v1.OrderService/TrackOrders",
		"platform.order.v1.OrderService/WatchOrder",
		"platform.user.v1.UserService/Authenticate",
		"platform.user.v1.UserService/DeactivateUser",
		"platform.user.v1.UserService/GetUser",
		"platform.user.v1.UserService/GetUserOrderStats",
		"platform.user.v1.UserService/ListUsers",
		"platform.user.v1.UserService/UpdateUser",
	}
	got := RetryableMethods()
	if !slices.Equal(got, want) {
		t.Fatalf("retryable methods\n got %v\nwant %v", got, want)
	}
	if slices.Contains(got, "platform.user.v1.UserService/CreateUser") {
		t.Fatal("CreateUser (IDEMPOTENCY_UNKNOWN) must not be retried")
	}
}

func TestRetryServiceConfigIsValidJSON(t *testing.T) {
	encoded, err := RetryServiceConfig()
	if err != nil {
		t.Fatal(err)
	}
	var config struct {
		MethodConfig []struct {
			Name        []map[string]string `json:"name"`
			RetryPolicy map[string]any      `json:"retryPolicy"`
		} `json:"methodConfig"`
	}
	if err := json.Unmarshal([]byte(encoded), &config); err != nil {
		t.Fatal(err)
	}
	if len(config.MethodConfig) != 1 || len(config.MethodConfig[0].Name) != 14 ||
		config.MethodConfig[0].RetryPolicy["maxAttempts"] != float64(4) {
		t.Fatalf("service config %s", encoded)
	}
}
