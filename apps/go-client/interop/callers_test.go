package interop

import (
	"context"
	"strings"
	"testing"
	"time"

	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
	userv1 "example.com/platform/go-client/gen/platform/user/v1"
	"example.com/platform/go-client/internal/client"
)

// caller is a principal with its access token.
type caller struct {
	id       string
	token    string
	email    string
	password string
}

// as is a context for one call as the caller, with a 10 s deadline.
func (c caller) as(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(client.WithToken(t.Context(), c.token), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func anonymous(t *testing.T) context.Context {
	return caller{}.as(t)
}

func authenticate(t *testing.T, request *userv1.AuthenticateRequest) caller {
	t.Helper()
	response, err := stack.users.Authenticate(anonymous(t), request)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	return caller{id: response.GetSubject(), token: response.GetAccessToken()}
}

// signUp creates a new user and signs them in.
func signUp(t *testing.T) caller {
	t.Helper()
	email := "buyer-" + strings.ToLower(randomText(6)) + "@example.com"
	password := "Tr4in-" + randomText(12) + "-station"
	if _, err := stack.users.CreateUser(anonymous(t), &userv1.CreateUserRequest{
		Email: email, Password: password, DisplayName: "Go Buyer"}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	signedIn := authenticate(t, passwordCredentials(email, password))
	signedIn.email, signedIn.password = email, password
	return signedIn
}

func passwordCredentials(email, password string) *userv1.AuthenticateRequest {
	return &userv1.AuthenticateRequest{Credentials: &userv1.AuthenticateRequest_Password{
		Password: &userv1.PasswordCredentials{Email: email, Password: password}}}
}

func admin(t *testing.T) caller {
	return authenticate(t, passwordCredentials(stack.adminEmail, stack.adminPass))
}

// servicePrincipal is the order service's client credentials (role SERVICE).
func servicePrincipal(t *testing.T) caller {
	return authenticate(t, &userv1.AuthenticateRequest{Credentials: &userv1.AuthenticateRequest_Client{
		Client: &userv1.ClientCredentials{ClientId: stack.clientID, ClientSecret: stack.clientSecret}}})
}

// newOrder is a valid CreateOrder request with a new request id.
func newOrder() *orderv1.CreateOrderRequest {
	return &orderv1.CreateOrderRequest{
		RequestId:    "go-" + randomText(9),
		CurrencyCode: "EUR",
		Items: []*orderv1.LineItem{
			{Sku: "sku-apple", Quantity: 3, UnitPriceMinor: 125},
			{Sku: "sku-pear", Quantity: 1, UnitPriceMinor: 250},
		},
	}
}

// placeOrder creates an order as the caller.
func placeOrder(t *testing.T, c caller) *orderv1.Order {
	t.Helper()
	response, err := stack.orders.CreateOrder(c.as(t), newOrder())
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	return response.GetOrder()
}

// eventually polls condition every 50 ms until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, condition func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !condition() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
