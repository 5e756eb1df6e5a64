package client

import (
	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/protoadapt"
)

// CodeOf is the gRPC code of a per-item stream error (ImportOrders results, TrackOrders).
func CodeOf(itemError *orderv1.ItemError) codes.Code {
	return codes.Code(itemError.GetCode())
}

// ItemErrorDetails are the google.rpc details of a per-item stream error, in the order a unary
// call's status would carry them, ready for status.WithDetails.
func ItemErrorDetails(itemError *orderv1.ItemError) []protoadapt.MessageV1 {
	var details []protoadapt.MessageV1
	if d := itemError.GetErrorInfo(); d != nil {
		details = append(details, d)
	}
	if d := itemError.GetBadRequest(); d != nil {
		details = append(details, d)
	}
	if d := itemError.GetPreconditionFailure(); d != nil {
		details = append(details, d)
	}
	if d := itemError.GetResourceInfo(); d != nil {
		details = append(details, d)
	}
	return details
}
