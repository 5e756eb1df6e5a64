package interop

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
	userv1 "example.com/platform/go-client/gen/platform/user/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	reflectionv1 "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// rawCodec sends bytes as they are: Go's protobuf refuses to marshal invalid UTF-8 in a proto3
// string, which is what these tests must send.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.([]byte), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

// withInvalidUtf8 marshals message, whose strings hold '§' (C2 A7) where the bad bytes belong,
// and turns each into C2 28: invalid UTF-8 of the same length.
func withInvalidUtf8(t *testing.T, message proto.Message) []byte {
	t.Helper()
	encoded, err := proto.Marshal(message)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(encoded, []byte("§")) {
		t.Fatal("no § in the message")
	}
	return bytes.ReplaceAll(encoded, []byte("§"), []byte{0xc2, 0x28})
}

// utf8Refusal checks an INVALID_UTF8 refusal and returns its field paths and ErrorInfo metadata.
func utf8Refusal(t *testing.T, err error, domain string) ([]string, map[string]string) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != codes.InvalidArgument {
		t.Fatalf("want INVALID_ARGUMENT, got %v", err)
	}
	var fields []string
	var info *errdetails.ErrorInfo
	for _, detail := range st.Details() {
		switch typed := detail.(type) {
		case *errdetails.ErrorInfo:
			info = typed
		case *errdetails.BadRequest:
			for _, violation := range typed.GetFieldViolations() {
				fields = append(fields, violation.GetField())
				if violation.GetDescription() != "must be valid UTF-8" || violation.GetReason() != "INVALID_UTF8" {
					t.Fatalf("violation %v", violation)
				}
			}
		}
	}
	if info.GetReason() != "INVALID_UTF8" || info.GetDomain() != domain {
		t.Fatalf("ErrorInfo %v", info)
	}
	return fields, info.GetMetadata()
}

func TestInvalidUtf8Unary(t *testing.T) {
	email := "utf8-" + randomText(6) + "@example.com"
	request := withInvalidUtf8(t, &userv1.CreateUserRequest{Email: email, Password: "Tr4in-§-" + randomText(12), DisplayName: "Go"})
	var reply []byte
	err := stack.userConn.Invoke(anonymous(t), "/platform.user.v1.UserService/CreateUser", request, &reply, grpc.ForceCodec(rawCodec{}))
	if fields, _ := utf8Refusal(t, err, "user.platform"); len(fields) != 1 || fields[0] != "password" {
		t.Fatalf("fields %v", fields)
	}
	// Nothing was written: the email is still free.
	if _, err := stack.users.CreateUser(anonymous(t), &userv1.CreateUserRequest{
		Email: email, Password: "Tr4in-" + randomText(12) + "-station", DisplayName: "Go"}); err != nil {
		t.Fatalf("CreateUser after the refusal: %v", err)
	}

	buyer := signUp(t)
	cancel := withInvalidUtf8(t, &orderv1.CancelOrderRequest{OrderId: unknownOrderID, Reason: "changed § mind"})
	err = stack.orderConn.Invoke(buyer.as(t), "/platform.order.v1.OrderService/CancelOrder", cancel, &reply, grpc.ForceCodec(rawCodec{}))
	if fields, _ := utf8Refusal(t, err, "order.platform"); len(fields) != 1 || fields[0] != "reason" {
		t.Fatalf("fields %v", fields)
	}
}

func TestInvalidUtf8ClientStream(t *testing.T) {
	buyer := signUp(t)
	stream, err := stack.orderConn.NewStream(buyer.as(t), &grpc.StreamDesc{ClientStreams: true},
		"/platform.order.v1.OrderService/ImportOrders", grpc.ForceCodec(rawCodec{}))
	if err != nil {
		t.Fatal(err)
	}
	bad := newOrder()
	bad.Items[0].Sku = "sku-§"
	good, err := proto.Marshal(&orderv1.ImportOrdersRequest{Order: newOrder()})
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range [][]byte{good, withInvalidUtf8(t, &orderv1.ImportOrdersRequest{Order: bad}), good} {
		if err := stream.SendMsg(item); err != nil && !errors.Is(err, io.EOF) {
			t.Fatal(err)
		}
	}
	_ = stream.CloseSend()
	var reply []byte
	err = stream.RecvMsg(&reply)
	fields, info := utf8Refusal(t, err, "order.platform")
	if len(fields) != 1 || fields[0] != "order.items[0].sku" || info["messageIndex"] != "1" {
		t.Fatalf("fields %v, metadata %v", fields, info)
	}
}

func TestInvalidUtf8BidiStream(t *testing.T) {
	buyer := signUp(t)
	stream, err := stack.orderConn.NewStream(buyer.as(t), &grpc.StreamDesc{ClientStreams: true, ServerStreams: true},
		"/platform.order.v1.OrderService/TrackOrders", grpc.ForceCodec(rawCodec{}))
	if err != nil {
		t.Fatal(err)
	}
	request := withInvalidUtf8(t, &orderv1.TrackOrdersRequest{Action: &orderv1.TrackOrdersRequest_SubscribeOrderId{SubscribeOrderId: "§"}})
	if err := stream.SendMsg(request); err != nil {
		t.Fatal(err)
	}
	var reply []byte
	err = stream.RecvMsg(&reply)
	fields, info := utf8Refusal(t, err, "order.platform")
	if len(fields) != 1 || fields[0] != "subscribe_order_id" || info["messageIndex"] != "0" {
		t.Fatalf("fields %v, metadata %v", fields, info)
	}
}

// Two authorization values: grpc-go sends both (the bearer credentials' and the context's).
func TestTwoAuthorizationValues(t *testing.T) {
	buyer := signUp(t)
	other := signUp(t)
	twice := func(t *testing.T) context.Context {
		return metadata.AppendToOutgoingContext(buyer.as(t), "authorization", "Bearer "+other.token)
	}
	requireMalformed := func(t *testing.T, err error) {
		t.Helper()
		requireStatus(t, err, codes.Unauthenticated, "Malformed authorization",
			errorInfo("TOKEN_MALFORMED", "order.platform", nil))
	}
	t.Run("unary", func(t *testing.T) {
		_, err := stack.orders.ListOrders(twice(t), &orderv1.ListOrdersRequest{})
		requireMalformed(t, err)
		_, err = stack.users.GetUser(metadata.AppendToOutgoingContext(buyer.as(t), "authorization", "Bearer "+other.token),
			&userv1.GetUserRequest{UserId: buyer.id})
		requireStatus(t, err, codes.Unauthenticated, "Malformed authorization",
			errorInfo("TOKEN_MALFORMED", "user.platform", nil))
	})
	t.Run("server stream", func(t *testing.T) {
		stream, err := stack.orders.WatchOrder(twice(t), &orderv1.WatchOrderRequest{OrderId: unknownOrderID})
		if err == nil {
			_, err = stream.Recv()
		}
		requireMalformed(t, err)
	})
	t.Run("client stream", func(t *testing.T) {
		stream, err := stack.orders.ImportOrders(twice(t))
		if err == nil {
			_, err = stream.CloseAndRecv()
		}
		requireMalformed(t, err)
	})
	t.Run("bidi", func(t *testing.T) {
		stream, err := stack.orders.TrackOrders(twice(t))
		if err == nil {
			_ = stream.CloseSend()
			_, err = stream.Recv()
		}
		requireMalformed(t, err)
	})
}

// The error detail types resolve by reflection as grpcurl resolves them (the file containing the
// symbol, then each dependency by name) into a strict protodesc registry.
func TestReflectionResolvesErrorDetailTypes(t *testing.T) {
	types := []string{"google.rpc.Status", "google.rpc.ErrorInfo", "google.rpc.BadRequest", "google.rpc.ResourceInfo",
		"google.rpc.PreconditionFailure", "google.rpc.RetryInfo", "google.rpc.QuotaFailure"}
	for name, conn := range map[string]*grpc.ClientConn{"user-service": stack.userConn, "order-service": stack.orderConn} {
		t.Run(name, func(t *testing.T) {
			stream, err := reflectionv1.NewServerReflectionClient(conn).ServerReflectionInfo(anonymous(t))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = stream.CloseSend() }()
			ask := func(request *reflectionv1.ServerReflectionRequest) []*descriptorpb.FileDescriptorProto {
				if err := stream.Send(request); err != nil {
					t.Fatal(err)
				}
				response, err := stream.Recv()
				if err != nil {
					t.Fatal(err)
				}
				var files []*descriptorpb.FileDescriptorProto
				for _, raw := range response.GetFileDescriptorResponse().GetFileDescriptorProto() {
					file := &descriptorpb.FileDescriptorProto{}
					if err := proto.Unmarshal(raw, file); err != nil {
						t.Fatal(err)
					}
					files = append(files, file)
				}
				if len(files) == 0 {
					t.Fatalf("reflection answered %v to %v", response, request)
				}
				return files
			}
			for _, typeName := range types {
				collected := map[string]*descriptorpb.FileDescriptorProto{}
				pending := ask(&reflectionv1.ServerReflectionRequest{
					MessageRequest: &reflectionv1.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: typeName}})
				for len(pending) > 0 {
					file := pending[0]
					pending = pending[1:]
					if _, seen := collected[file.GetName()]; seen {
						continue
					}
					collected[file.GetName()] = file
					for _, dependency := range file.GetDependency() {
						if _, seen := collected[dependency]; !seen {
							pending = append(pending, ask(&reflectionv1.ServerReflectionRequest{
								MessageRequest: &reflectionv1.ServerReflectionRequest_FileByFilename{FileByFilename: dependency}})...)
						}
					}
				}
				set := &descriptorpb.FileDescriptorSet{}
				for _, file := range collected {
					set.File = append(set.File, file)
				}
				files, err := protodesc.NewFiles(set)
				if err != nil {
					t.Fatalf("%s: %v", typeName, err)
				}
				if _, err := files.FindDescriptorByName(protoreflect.FullName(typeName)); err != nil {
					t.Fatalf("%s: %v", typeName, err)
				}
			}
		})
	}
}
