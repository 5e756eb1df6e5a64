package client

import (
	"context"
	"net"
	"sync/atomic"
	"testing"

	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
	userv1 "example.com/platform/go-client/gen/platform/user/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// flakyServer answers UNAVAILABLE to the first attempt of every call, and records the
// authorization metadata and whether a deadline came with the call.
type flakyServer struct {
	orderv1.UnimplementedOrderServiceServer
	userv1.UnimplementedUserServiceServer
	getOrders, createUsers atomic.Int32
	authorization          atomic.Value
	sawDeadline            atomic.Bool
}

func (s *flakyServer) GetOrder(ctx context.Context, request *orderv1.GetOrderRequest) (*orderv1.GetOrderResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	s.authorization.Store(md.Get("authorization"))
	_, hasDeadline := ctx.Deadline()
	s.sawDeadline.Store(hasDeadline)
	if s.getOrders.Add(1) == 1 {
		return nil, status.Error(codes.Unavailable, "warming up")
	}
	return &orderv1.GetOrderResponse{Order: &orderv1.Order{Id: request.GetOrderId()}}, nil
}

func (s *flakyServer) CreateUser(context.Context, *userv1.CreateUserRequest) (*userv1.CreateUserResponse, error) {
	s.createUsers.Add(1)
	return nil, status.Error(codes.Unavailable, "warming up")
}

func startFlakyServer(t *testing.T) (*flakyServer, string) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	flaky := &flakyServer{}
	server := grpc.NewServer()
	orderv1.RegisterOrderServiceServer(server, flaky)
	userv1.RegisterUserServiceServer(server, flaky)
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(server.Stop)
	return flaky, listener.Addr().String()
}

func TestDialRetriesIdempotentMethodsOnly(t *testing.T) {
	flaky, address := startFlakyServer(t)
	conn, err := Dial(address, Options{Token: "fallback-token"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	// GetOrder is NO_SIDE_EFFECTS: the UNAVAILABLE attempt is retried by grpc-go.
	response, err := orderv1.NewOrderServiceClient(conn).GetOrder(context.Background(), &orderv1.GetOrderRequest{OrderId: "o-1"})
	if err != nil || response.GetOrder().GetId() != "o-1" || flaky.getOrders.Load() != 2 {
		t.Fatalf("GetOrder: %v after %d attempts", err, flaky.getOrders.Load())
	}
	// The default deadline and the fallback token went with it.
	if !flaky.sawDeadline.Load() {
		t.Fatal("the call had no deadline")
	}
	if got := flaky.authorization.Load().([]string); len(got) != 1 || got[0] != "Bearer fallback-token" {
		t.Fatalf("authorization %v", got)
	}
	// A token in the context wins.
	_, _ = orderv1.NewOrderServiceClient(conn).GetOrder(WithToken(context.Background(), "ctx-token"), &orderv1.GetOrderRequest{})
	if got := flaky.authorization.Load().([]string); len(got) != 1 || got[0] != "Bearer ctx-token" {
		t.Fatalf("authorization %v", got)
	}

	// CreateUser is IDEMPOTENCY_UNKNOWN: one attempt only.
	_, err = userv1.NewUserServiceClient(conn).CreateUser(context.Background(), &userv1.CreateUserRequest{})
	if status.Code(err) != codes.Unavailable || flaky.createUsers.Load() != 1 {
		t.Fatalf("CreateUser: %v after %d attempts", err, flaky.createUsers.Load())
	}
}
