package interop

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
	userv1 "example.com/platform/go-client/gen/platform/user/v1"
	"example.com/platform/go-client/internal/client"
	"go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc"
)

// stack is what TestMain started, shared by every test.
var stack struct {
	userService  *serviceProcess
	orderService *serviceProcess
	otlp         *otlpReceiver
	adminEmail   string
	adminPass    string
	clientID     string
	clientSecret string
	// One connection per service, reused by every test, as a program would.
	userConn  *grpc.ClientConn
	orderConn *grpc.ClientConn
	users     userv1.UserServiceClient
	orders    orderv1.OrderServiceClient
	// The Go side's spans (the client spans of otelgrpc).
	goSpans *tracetest.SpanRecorder
	tracer  *trace.TracerProvider
}

func randomText(bytes int) string {
	random := make([]byte, bytes)
	_, _ = rand.Read(random)
	return base64.RawURLEncoding.EncodeToString(random)
}

// workspaceRoot is the Nx workspace root: the nearest parent folder with nx.json.
func workspaceRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "nx.json")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no nx.json above the test's folder")
		}
		dir = parent
	}
}

func TestMain(m *testing.M) {
	code, err := runWithStack(m)
	if err != nil {
		fmt.Fprintf(os.Stderr, "interop: %v\n", err)
		code = 1
	}
	os.Exit(code)
}

func runWithStack(m *testing.M) (int, error) {
	// Stop the services also when the test binary is interrupted.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		stopStack()
		os.Exit(130)
	}()
	defer stopStack()
	if err := startStack(); err != nil {
		return 1, err
	}
	return m.Run(), nil
}

func startStack() error {
	root, err := workspaceRoot()
	if err != nil {
		return err
	}
	userMain := filepath.Join(root, "apps", "user-service", "dist", "main.js")
	orderMain := filepath.Join(root, "apps", "order-service", "dist", "main.js")
	for _, main := range []string{userMain, orderMain} {
		if _, err := os.Stat(main); err != nil {
			return fmt.Errorf("%s is missing: build the services first (npx nx run go-client:test does)", main)
		}
	}
	dir, err := os.MkdirTemp("", "go-interop-")
	if err != nil {
		return err
	}
	cleanups = append(cleanups, func() { _ = os.RemoveAll(dir) })
	if stack.otlp, err = startOTLPReceiver(); err != nil {
		return err
	}
	cleanups = append(cleanups, stack.otlp.close)

	stack.adminEmail = "admin@example.com"
	stack.adminPass = "Adm1n-" + randomText(9) + "-key"
	stack.clientID = "order-service"
	stack.clientSecret = randomText(24)
	jwksFile := filepath.Join(dir, "auth", "jwks.json")

	userPort, err := freePort()
	if err != nil {
		return err
	}
	stack.userService, err = startServiceProcess("user-service", userMain, map[string]string{
		"USER_GRPC_PORT":              fmt.Sprint(userPort),
		"USER_METRICS_PORT":           "0",
		"USER_DATA_DIR":               filepath.Join(dir, "user-service"),
		"AUTH_JWKS_FILE":              jwksFile,
		"AUTH_SERVICE_CLIENTS":        stack.clientID + ":" + stack.clientSecret,
		"BOOTSTRAP_ADMIN_EMAIL":       stack.adminEmail,
		"BOOTSTRAP_ADMIN_PASSWORD":    stack.adminPass,
		"PASSWORD_SCRYPT_COST":        "1024",
		"LOG_LEVEL":                   "info",
		"OTEL_EXPORTER_OTLP_ENDPOINT": stack.otlp.url,
	})
	if err != nil {
		return err
	}
	cleanups = append(cleanups, stack.userService.stop)

	orderPort, err := freePort()
	if err != nil {
		return err
	}
	stack.orderService, err = startServiceProcess("order-service", orderMain, map[string]string{
		"ORDER_GRPC_PORT":             fmt.Sprint(orderPort),
		"ORDER_METRICS_PORT":          "0",
		"ORDER_DATA_DIR":              filepath.Join(dir, "order-service"),
		"USER_SERVICE_ADDRESS":        stack.userService.address,
		"AUTH_JWKS_FILE":              jwksFile,
		"AUTH_CLIENT_SECRET":          stack.clientSecret,
		"LOG_LEVEL":                   "info",
		"OTEL_EXPORTER_OTLP_ENDPOINT": stack.otlp.url,
	})
	if err != nil {
		return err
	}
	cleanups = append(cleanups, stack.orderService.stop)

	stack.goSpans = tracetest.NewSpanRecorder()
	stack.tracer = trace.NewTracerProvider(trace.WithSpanProcessor(stack.goSpans))
	options := client.Options{TracerProvider: stack.tracer, Propagators: client.W3CPropagators()}
	if stack.userConn, err = client.Dial(stack.userService.address, options); err != nil {
		return err
	}
	cleanups = append(cleanups, func() { _ = stack.userConn.Close() })
	if stack.orderConn, err = client.Dial(stack.orderService.address, options); err != nil {
		return err
	}
	cleanups = append(cleanups, func() { _ = stack.orderConn.Close() })
	stack.users = userv1.NewUserServiceClient(stack.userConn)
	stack.orders = orderv1.NewOrderServiceClient(stack.orderConn)
	return nil
}

var (
	cleanups []func()
	stopOnce sync.Once
)

// stopStack undoes startStack in reverse order (connections, order service, user service,
// receiver, folder); it runs once.
func stopStack() {
	stopOnce.Do(func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	})
}
