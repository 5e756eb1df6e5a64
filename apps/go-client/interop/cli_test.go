package interop

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The CLI (cmd/platform) against the services: each command as a person would type it.
func TestCLI(t *testing.T) {
	dir := t.TempDir()
	binary := filepath.Join(dir, "platform")
	// Under scripts/go-test-report.mjs the CLI is built for coverage and writes its counters to
	// PLATFORM_CLI_COVERDIR, which the script merges into the module's profile: the commands run
	// in this process, not in the test binary.
	coverDir := os.Getenv("PLATFORM_CLI_COVERDIR")
	build := []string{"build", "-o", binary}
	if coverDir != "" {
		build = append(build, "-cover", "-coverpkg=example.com/platform/go-client/...")
	}
	if out, err := exec.Command("go", append(build, "../cmd/platform")...).CombinedOutput(); err != nil {
		t.Fatalf("building the CLI: %v\n%s", err, out)
	}
	run := func(stdin string, args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(binary, append([]string{
			"-user-address", stack.userService.address, "-order-address", stack.orderService.address,
			"-token-file", filepath.Join(dir, "token")}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		cmd.Env = append(os.Environ(), "OTEL_EXPORTER_OTLP_ENDPOINT=")
		if coverDir != "" {
			cmd.Env = append(cmd.Env, "GOCOVERDIR="+coverDir)
		}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(stdin string, args ...string) string {
		t.Helper()
		out, err := run(stdin, args...)
		if err != nil {
			t.Fatalf("platform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	email := "cli-" + strings.ToLower(randomText(6)) + "@example.com"
	password := "Tr4in-" + randomText(12) + "-station"
	must("", "signup", "-email", email, "-password", password, "-name", "CLI Buyer")
	if out := must("", "login", "-email", email, "-password", password); !strings.Contains(out, "signed in as") {
		t.Fatalf("login: %s", out)
	}
	if out := must("", "whoami"); !strings.Contains(out, email) || !strings.Contains(out, "expires: ") {
		t.Fatalf("whoami: %s", out)
	}
	// A new user has no orders: list says so instead of printing nothing.
	if out := must("", "list"); strings.TrimSpace(out) != "no orders" {
		t.Fatalf("empty list: %q", out)
	}
	if out := must("", "list", "-status", "confirmed"); strings.TrimSpace(out) != "no orders with status confirmed" {
		t.Fatalf("empty filtered list: %q", out)
	}
	if out := must("", "stats"); !strings.Contains(out, "orders:     0 (0 confirmed, 0 cancelled)") ||
		!strings.Contains(out, "totals:     none") {
		t.Fatalf("stats: %s", out)
	}
	out := must("", "create", "book-42:2:1250", "pen-1:1:9007199254740993")
	id := regexp.MustCompile(`order ([0-9a-f-]{36})`).FindStringSubmatch(out)
	if id == nil || !strings.Contains(out, "9007199254743493 EUR") {
		t.Fatalf("create: %s", out)
	}
	if out := must("", "get", id[1]); !strings.Contains(out, "PENDING") {
		t.Fatalf("get: %s", out)
	}
	if out := must("", "list", "-status", "pending"); !strings.Contains(out, id[1]) {
		t.Fatalf("list: %s", out)
	}
	if out := must("", "track", id[1]); !strings.Contains(out, id[1]+"  v1  PENDING") {
		t.Fatalf("track: %s", out)
	}
	out = must("+"+unknownOrderID+"\nquit\n", "track")
	if !strings.Contains(out, unknownOrderID+" refused: NotFound") || !strings.Contains(out, "reason: ORDER_NOT_FOUND") {
		t.Fatalf("interactive track: %s", out)
	}
	if out := must("", "cancel", "-reason", "cli test", id[1]); !strings.Contains(out, "CANCELLED") {
		t.Fatalf("cancel: %s", out)
	}
	if out := must("", "watch", id[1]); !strings.Contains(out, "the order is final") {
		t.Fatalf("watch: %s", out)
	}
	// The README's sample file: every line created, and a second import is all duplicates.
	sample := filepath.Join("..", "examples", "orders.jsonl")
	if out := must("", "import", sample); !strings.Contains(out, "3 created, 0 duplicates, 0 failed") {
		t.Fatalf("import of the sample: %s", out)
	}
	if out := must("", "import", sample); !strings.Contains(out, "0 created, 3 duplicates, 0 failed") {
		t.Fatalf("second import of the sample: %s", out)
	}
	importFile := filepath.Join(dir, "orders.jsonl")
	lines := `{"requestId":"cli-imp-1","currencyCode":"EUR","items":[{"sku":"a-1","quantity":1,"unitPriceMinor":"5"}]}
# a comment
{"requestId":"cli-imp-2","currencyCode":"EUR","items":[{"sku":"a-2","quantity":0,"unitPriceMinor":"5"}]}
`
	if err := os.WriteFile(importFile, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	// An import with a failed item exits 1 after its summary, so a script notices.
	out, err := run("", "import", importFile)
	if !exitedWith(err, 1) || !strings.Contains(out, "1 created, 0 duplicates, 1 failed") || !strings.Contains(out, "field items[0].quantity") ||
		!strings.Contains(out, "platform import failed: 1 of 2 orders failed") {
		t.Fatalf("import with a failed item: %v\n%s", err, out)
	}
	// A service principal's token: whoami names the client (there is no user to read).
	service := []string{"-token-file", filepath.Join(dir, "service-token")}
	must("", append(service, "login", "-client-id", stack.clientID, "-client-secret", stack.clientSecret)...)
	out = must("", append(service, "whoami")...)
	if !strings.Contains(out, "service principal "+stack.clientID) || !strings.Contains(out, "roles:   service") {
		t.Fatalf("whoami as a service: %s", out)
	}
	if _, err := run("", append(service, "stats")...); !exitedWith(err, 2) {
		t.Fatalf("stats as a service without -user: %v", err)
	}
	// A failed call exits 1 and explains the error's details.
	out, err = run("", "create", "book-42:0:-1")
	if !exitedWith(err, 1) || !strings.Contains(out, "InvalidArgument") || !strings.Contains(out, "field items[0].unit_price_minor: must not be negative") {
		t.Fatalf("bad create: %v\n%s", err, out)
	}
}

// exitedWith tells whether a command ended with this exit code.
func exitedWith(err error, code int) bool {
	exit, ok := err.(*exec.ExitError)
	return ok && exit.ExitCode() == code
}
