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
	if out, err := exec.Command("go", "build", "-o", binary, "../cmd/platform").CombinedOutput(); err != nil {
		t.Fatalf("building the CLI: %v\n%s", err, out)
	}
	run := func(stdin string, args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(binary, append([]string{
			"-user-address", stack.userService.address, "-order-address", stack.orderService.address,
			"-token-file", filepath.Join(dir, "token")}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		cmd.Env = append(os.Environ(), "OTEL_EXPORTER_OTLP_ENDPOINT=")
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
	if out := must("", "whoami"); !strings.Contains(out, email) {
		t.Fatalf("whoami: %s", out)
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
	importFile := filepath.Join(dir, "orders.jsonl")
	lines := `{"requestId":"cli-imp-1","currencyCode":"EUR","items":[{"sku":"a-1","quantity":1,"unitPriceMinor":"5"}]}
# a comment
{"requestId":"cli-imp-2","currencyCode":"EUR","items":[{"sku":"a-2","quantity":0,"unitPriceMinor":"5"}]}
`
	if err := os.WriteFile(importFile, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	out = must("", "import", importFile)
	if !strings.Contains(out, "1 created, 0 duplicates, 1 failed") || !strings.Contains(out, "field items[0].quantity") {
		t.Fatalf("import: %s", out)
	}
	// A failed call exits 1 and explains the error's details.
	out, err := run("", "create", "book-42:0:-1")
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 ||
		!strings.Contains(out, "InvalidArgument") || !strings.Contains(out, "field items[0].unit_price_minor: must not be negative") {
		t.Fatalf("bad create: %v\n%s", err, out)
	}
}
