package interop

import (
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"sync"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// receivedSpan is one span a service exported, with the service that exported it.
type receivedSpan struct {
	service string
	span    *tracepb.Span
}

func (s receivedSpan) traceID() string      { return hex.EncodeToString(s.span.GetTraceId()) }
func (s receivedSpan) parentSpanID() string { return hex.EncodeToString(s.span.GetParentSpanId()) }

// attribute is the span attribute's value as a string or an int64, nil when absent.
func (s receivedSpan) attribute(key string) any {
	for _, attribute := range s.span.GetAttributes() {
		if attribute.GetKey() != key {
			continue
		}
		switch value := attribute.GetValue().GetValue().(type) {
		case *commonpb.AnyValue_StringValue:
			return value.StringValue
		case *commonpb.AnyValue_IntValue:
			return value.IntValue
		}
	}
	return nil
}

// otlpReceiver is a minimal OTLP/HTTP (protobuf) trace collector on loopback: the services
// export their spans to it (OTEL_EXPORTER_OTLP_ENDPOINT).
type otlpReceiver struct {
	server *http.Server
	url    string
	mu     sync.Mutex
	spans  []receivedSpan
}

func startOTLPReceiver() (*otlpReceiver, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &otlpReceiver{url: "http://" + listener.Addr().String()}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/traces", r.handle)
	r.server = &http.Server{Handler: mux}
	go func() { _ = r.server.Serve(listener) }()
	return r, nil
}

func (r *otlpReceiver) handle(w http.ResponseWriter, request *http.Request) {
	body, err := io.ReadAll(request.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	export := &coltracepb.ExportTraceServiceRequest{}
	if err := proto.Unmarshal(body, export); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	for _, resourceSpans := range export.GetResourceSpans() {
		service := ""
		for _, attribute := range resourceSpans.GetResource().GetAttributes() {
			if attribute.GetKey() == "service.name" {
				service = attribute.GetValue().GetStringValue()
			}
		}
		for _, scopeSpans := range resourceSpans.GetScopeSpans() {
			for _, span := range scopeSpans.GetSpans() {
				r.spans = append(r.spans, receivedSpan{service: service, span: span})
			}
		}
	}
	r.mu.Unlock()
	response, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(response)
}

// spansOfTrace returns the spans received so far with the trace id (hex).
func (r *otlpReceiver) spansOfTrace(traceID string) []receivedSpan {
	r.mu.Lock()
	defer r.mu.Unlock()
	var found []receivedSpan
	for _, span := range r.spans {
		if span.traceID() == traceID {
			found = append(found, span)
		}
	}
	return found
}

func (r *otlpReceiver) close() { _ = r.server.Close() }
