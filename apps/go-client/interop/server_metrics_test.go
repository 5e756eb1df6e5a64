package interop

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// serverMetric sums the samples of a Prometheus metric of the process whose labels include
// every label given (the services' /metrics, Prometheus text format).
func serverMetric(t *testing.T, process *serviceProcess, name string, labels map[string]string) float64 {
	t.Helper()
	response, err := http.Get(process.metricsURL())
	if err != nil {
		t.Fatalf("scraping %s: %v", process.name, err)
	}
	defer response.Body.Close()
	total := 0.0
	scanner := bufio.NewScanner(response.Body)
	scanner.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for scanner.Scan() {
		line := scanner.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		series, value, ok := strings.Cut(line[len(name):], " ")
		if !ok || !hasLabels(series, labels) {
			continue
		}
		number, err := strconv.ParseFloat(strings.Fields(value)[0], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		total += number
	}
	if err := scanner.Err(); err != nil {
		t.Fatalf("reading %s metrics: %v", process.name, err)
	}
	return total
}

func hasLabels(series string, labels map[string]string) bool {
	for key, value := range labels {
		if !strings.Contains(series, key+`="`+value+`"`) {
			return false
		}
	}
	return true
}

// methodLabels are the labels of one method's series.
func methodLabels(method string, extra ...string) map[string]string {
	service, name, _ := strings.Cut(method, "/")
	labels := map[string]string{"grpc_service": service, "grpc_method": name}
	for i := 0; i+1 < len(extra); i += 2 {
		labels[extra[i]] = extra[i+1]
	}
	return labels
}

// metricLines are the grpc_server_* lines of a method, for failure messages.
func metricLines(t *testing.T, process *serviceProcess, method string) string {
	t.Helper()
	response, err := http.Get(process.metricsURL())
	if err != nil {
		return err.Error()
	}
	defer response.Body.Close()
	_, name, _ := strings.Cut(method, "/")
	var lines []string
	scanner := bufio.NewScanner(response.Body)
	for scanner.Scan() {
		if line := scanner.Text(); strings.HasPrefix(line, "grpc_server_") && strings.Contains(line, `"`+name+`"`) &&
			!strings.Contains(line, "_bucket") {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}
