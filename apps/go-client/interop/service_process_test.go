package interop

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// serviceProcess is one service started from its build, with every log line it wrote.
type serviceProcess struct {
	name        string
	cmd         *exec.Cmd
	address     string
	metricsPort int
	exited      chan struct{}

	mu     sync.Mutex
	lines  []map[string]any
	stderr strings.Builder
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port, nil
}

// startServiceProcess runs `node <main>` with env (and PATH) and waits for its `<name> ready`
// log line, as the TypeScript fixtures do.
func startServiceProcess(name, main string, env map[string]string) (*serviceProcess, error) {
	cmd := exec.Command("node", main)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for key, value := range env {
		cmd.Env = append(cmd.Env, key+"="+value)
	}
	cmd.SysProcAttr = childProcAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	p := &serviceProcess{name: name, cmd: cmd, exited: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	ready := make(chan map[string]any, 1)
	var pipes sync.WaitGroup
	pipes.Add(2)
	go func() {
		defer pipes.Done()
		p.readLogs(stdout, ready)
	}()
	go func() {
		defer pipes.Done()
		p.readStderr(stderr)
	}()
	go func() {
		pipes.Wait()
		_ = cmd.Wait()
		close(p.exited)
	}()
	select {
	case entry := <-ready:
		p.address, _ = entry["address"].(string)
		if port, ok := entry["metricsPort"].(float64); ok {
			p.metricsPort = int(port)
		}
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("%s exited before it was ready: %s\n%s", name, cmd.ProcessState, p.stderrText())
	case <-time.After(60 * time.Second):
		p.kill()
		return nil, fmt.Errorf("%s did not get ready in 60 s\n%s", name, p.stderrText())
	}
}

// readLogs keeps every JSON line (also after ready: a full pipe would stall the process).
func (p *serviceProcess) readLogs(r io.Reader, ready chan<- map[string]any) {
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for scanner.Scan() {
		var entry map[string]any
		if json.Unmarshal(scanner.Bytes(), &entry) != nil {
			continue
		}
		p.mu.Lock()
		p.lines = append(p.lines, entry)
		p.mu.Unlock()
		if entry["msg"] == p.name+" ready" {
			select {
			case ready <- entry:
			default:
			}
		}
	}
}

func (p *serviceProcess) readStderr(r io.Reader) {
	scanner := bufio.NewScanner(r)
	for scanner.Scan() {
		p.mu.Lock()
		p.stderr.WriteString(scanner.Text() + "\n")
		p.mu.Unlock()
	}
}

func (p *serviceProcess) stderrText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// logLines returns the log lines written so far that match.
func (p *serviceProcess) logLines(match func(map[string]any) bool) []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	var found []map[string]any
	for _, line := range p.lines {
		if match(line) {
			found = append(found, line)
		}
	}
	return found
}

func (p *serviceProcess) metricsURL() string {
	return fmt.Sprintf("http://127.0.0.1:%d/metrics", p.metricsPort)
}

// stop sends SIGTERM and waits for the exit (SIGKILL after 15 s).
func (p *serviceProcess) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		p.kill()
	}
}

func (p *serviceProcess) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}
