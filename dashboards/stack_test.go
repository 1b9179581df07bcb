package dashboards

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The Grafana stack for users, in config/stack: Docker cannot run here, so
// its files are parsed and cross-checked. (The e2e test runs its collector and
// Prometheus configurations for real.)
const stackDir = "../config/stack"

// readYAML decodes a file into a type that models all of it: a key it does
// not know is an error (a typo, or something no test checks).
func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	decodeYAML(t, path, into, true)
}

// readSomeYAML decodes the parts of a file a test reads.
func readSomeYAML(t *testing.T, path string, into any) {
	t.Helper()
	decodeYAML(t, path, into, false)
}

func decodeYAML(t *testing.T, path string, into any, strict bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(strict)
	if err := dec.Decode(into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

type composeFile struct {
	Name     string `yaml:"name"`
	Services map[string]struct {
		Image string `yaml:"image"`
		Build *struct {
			Context    string `yaml:"context"`
			Dockerfile string `yaml:"dockerfile"`
		} `yaml:"build"`
		User        string         `yaml:"user"`
		Entrypoint  []string       `yaml:"entrypoint"`
		Command     []string       `yaml:"command"`
		Environment []string       `yaml:"environment"`
		Volumes     []string       `yaml:"volumes"`
		Ports       []string       `yaml:"ports"`
		DependsOn   yaml.Node      `yaml:"depends_on"`
		Restart     string         `yaml:"restart"`
		Extra       map[string]any `yaml:",inline"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// mounts maps each mount target of a service to its source: a path relative
// to the compose file, or a named volume.
func mounts(t *testing.T, volumes []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, v := range volumes {
		parts := strings.Split(v, ":")
		if len(parts) < 2 {
			t.Fatalf("volume %q is not source:target", v)
		}
		out[parts[1]] = parts[0]
	}
	return out
}

// TestStackComposeFile: the compose file parses, pins its images, mounts
// files that exist, builds from a Dockerfile that exists, and publishes OTLP
// and Grafana.
func TestStackComposeFile(t *testing.T) {
	var c composeFile
	readYAML(t, filepath.Join(stackDir, "compose.yaml"), &c)
	want := []string{"grafana", "otelcol", "prometheus", "tempo", "tempo-init"}
	var got []string
	for name := range c.Services {
		got = append(got, name)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("services %v, want %v", got, want)
	}
	for name, s := range c.Services {
		if len(s.Extra) > 0 {
			t.Errorf("service %s: keys this test does not check: %v", name, s.Extra)
		}
		if s.Build == nil && (!strings.Contains(s.Image, ":") || strings.HasSuffix(s.Image, ":latest")) {
			t.Errorf("service %s: image %q is not pinned to a version", name, s.Image)
		}
		for target, source := range mounts(t, s.Volumes) {
			if !strings.HasPrefix(source, ".") {
				if _, ok := c.Volumes[source]; !ok {
					t.Errorf("service %s mounts volume %q, which is not declared", name, source)
				}
				continue
			}
			if _, err := os.Stat(filepath.Join(stackDir, source)); err != nil {
				t.Errorf("service %s mounts %s at %s: %v", name, source, target, err)
			}
		}
		if s.Build != nil {
			df := filepath.Join(stackDir, s.Build.Context, s.Build.Dockerfile)
			if _, err := os.Stat(df); err != nil {
				t.Errorf("service %s builds from %s: %v", name, df, err)
			}
			if abs, _ := filepath.Abs(filepath.Join(stackDir, s.Build.Context)); !fileExists(filepath.Join(abs, "go.mod")) {
				t.Errorf("service %s: build context %s is not the repository root", name, abs)
			}
		}
	}
	published := map[string][]string{}
	for name, s := range c.Services {
		for _, p := range s.Ports {
			parts := strings.Split(p, ":")
			published[name] = append(published[name], parts[len(parts)-2]+"->"+parts[len(parts)-1])
		}
	}
	for service, ports := range map[string][]string{"otelcol": {"4317->4317", "4318->4318"}, "grafana": {"3000->3000"}} {
		for _, p := range ports {
			if !slices.Contains(published[service], p) {
				t.Errorf("service %s does not publish %s (it publishes %v)", service, p, published[service])
			}
		}
	}
}

// TestStackCollectorConfig: the collector's config is the one the Dockerfile
// runs and compose mounts, it receives OTLP on the published ports, exports to
// Tempo's OTLP port and serves the ports Prometheus scrapes.
func TestStackCollectorConfig(t *testing.T) {
	var c composeFile
	readYAML(t, filepath.Join(stackDir, "compose.yaml"), &c)
	var cfg struct {
		Receivers struct {
			OTLP struct {
				Protocols map[string]struct {
					Endpoint           string `yaml:"endpoint"`
					MaxRecvMsgSizeMiB  int    `yaml:"max_recv_msg_size_mib"`
					MaxRequestBodySize int    `yaml:"max_request_body_size"`
				} `yaml:"protocols"`
			} `yaml:"otlp"`
		} `yaml:"receivers"`
		Processors map[string]any `yaml:"processors"`
		Connectors map[string]any `yaml:"connectors"`
		Exporters  struct {
			Tempo struct {
				Endpoint string `yaml:"endpoint"`
				TLS      struct {
					Insecure bool `yaml:"insecure"`
				} `yaml:"tls"`
			} `yaml:"otlp_grpc/tempo"`
			Prometheus struct {
				Endpoint          string `yaml:"endpoint"`
				EnableOpenMetrics bool   `yaml:"enable_open_metrics"`
			} `yaml:"prometheus"`
		} `yaml:"exporters"`
		Extensions map[string]any `yaml:"extensions"`
		Service    struct {
			Extensions []string `yaml:"extensions"`
			Pipelines  map[string]struct {
				Receivers  []string `yaml:"receivers"`
				Processors []string `yaml:"processors"`
				Exporters  []string `yaml:"exporters"`
			} `yaml:"pipelines"`
			Telemetry struct {
				Metrics struct {
					Readers []struct {
						Pull struct {
							Exporter struct {
								Prometheus struct {
									Host string `yaml:"host"`
									Port int    `yaml:"port"`
								} `yaml:"prometheus"`
							} `yaml:"exporter"`
						} `yaml:"pull"`
					} `yaml:"readers"`
				} `yaml:"metrics"`
			} `yaml:"telemetry"`
		} `yaml:"service"`
	}
	readYAML(t, filepath.Join(stackDir, "otelcol.yaml"), &cfg)

	// Mounted where the image's CMD reads it.
	cmd := dockerfileLines(t)["CMD"]
	if len(cmd) != 1 || !strings.Contains(cmd[0], "--config=/etc/otelcol-querylens/config.yaml") {
		t.Errorf("Dockerfile CMD %v does not run /etc/otelcol-querylens/config.yaml", cmd)
	}
	if src := mounts(t, c.Services["otelcol"].Volumes)["/etc/otelcol-querylens/config.yaml"]; src != "./otelcol.yaml" {
		t.Errorf("compose mounts %q at /etc/otelcol-querylens/config.yaml, want ./otelcol.yaml", src)
	}
	for proto, port := range map[string]string{"grpc": "4317", "http": "4318"} {
		if ep := cfg.Receivers.OTLP.Protocols[proto].Endpoint; ep != "0.0.0.0:"+port {
			t.Errorf("OTLP %s listens on %q, want 0.0.0.0:%s (published by compose)", proto, ep, port)
		}
	}
	// Requests the decoder survives only (README, "Limits").
	if p := cfg.Receivers.OTLP.Protocols; p["grpc"].MaxRecvMsgSizeMiB != 6 || p["http"].MaxRequestBodySize != 6<<20 {
		t.Errorf("OTLP limits %d MiB (gRPC), %d bytes (HTTP); want 6 MiB each", p["grpc"].MaxRecvMsgSizeMiB, p["http"].MaxRequestBodySize)
	}
	traces := cfg.Service.Pipelines["traces"]
	if !slices.Contains(traces.Processors, "querylens") || !slices.Contains(traces.Exporters, "otlp_grpc/tempo") ||
		!slices.Contains(traces.Exporters, "querylens") {
		t.Errorf("the traces pipeline %+v does not run querylens and export to Tempo and the connector", traces)
	}
	if m := cfg.Service.Pipelines["metrics"]; !slices.Contains(m.Receivers, "querylens") || !slices.Contains(m.Exporters, "prometheus") {
		t.Errorf("the metrics pipeline %+v does not serve the connector's metrics", m)
	}

	// Tempo's OTLP gRPC port.
	var tempo struct {
		Server struct {
			HTTPListenPort int `yaml:"http_listen_port"`
		} `yaml:"server"`
		Distributor struct {
			Receivers struct {
				OTLP struct {
					Protocols map[string]struct {
						Endpoint string `yaml:"endpoint"`
					} `yaml:"protocols"`
				} `yaml:"otlp"`
			} `yaml:"receivers"`
		} `yaml:"distributor"`
	}
	readSomeYAML(t, filepath.Join(stackDir, "tempo.yaml"), &tempo)
	_, tempoPort := splitHostPort(t, tempo.Distributor.Receivers.OTLP.Protocols["grpc"].Endpoint)
	host, port := splitHostPort(t, cfg.Exporters.Tempo.Endpoint)
	if _, ok := c.Services[host]; !ok || port != tempoPort || !cfg.Exporters.Tempo.TLS.Insecure {
		t.Errorf("the collector exports to %s (insecure %v); Tempo receives OTLP gRPC on service tempo, port %s",
			cfg.Exporters.Tempo.Endpoint, cfg.Exporters.Tempo.TLS.Insecure, tempoPort)
	}

	// Prometheus scrapes both of the collector's endpoints.
	var prom struct {
		Global struct {
			ScrapeInterval string `yaml:"scrape_interval"`
		} `yaml:"global"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	readSomeYAML(t, filepath.Join(stackDir, "prometheus.yml"), &prom)
	var targets []string
	for _, sc := range prom.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			targets = append(targets, st.Targets...)
		}
	}
	_, metricsPort := splitHostPort(t, cfg.Exporters.Prometheus.Endpoint)
	readers := cfg.Service.Telemetry.Metrics.Readers
	if len(readers) != 1 {
		t.Fatalf("want one telemetry metrics reader, got %d", len(readers))
	}
	telemetry := readers[0].Pull.Exporter.Prometheus
	for _, want := range []string{"otelcol:" + metricsPort, fmt.Sprintf("otelcol:%d", telemetry.Port)} {
		if !slices.Contains(targets, want) {
			t.Errorf("prometheus.yml scrapes %v, not %s", targets, want)
		}
	}
	if telemetry.Host != "0.0.0.0" || !cfg.Exporters.Prometheus.EnableOpenMetrics {
		t.Errorf("the collector's metrics are not reachable from Prometheus with exemplars (telemetry host %q, OpenMetrics %v)",
			telemetry.Host, cfg.Exporters.Prometheus.EnableOpenMetrics)
	}
	for _, target := range targets {
		if host, _ := splitHostPort(t, target); c.Services[host].Image == "" && c.Services[host].Build == nil {
			t.Errorf("prometheus.yml scrapes %s, which is no compose service", target)
		}
	}
	promCmd := strings.Join(c.Services["prometheus"].Command, " ")
	if !strings.Contains(promCmd, "--enable-feature=exemplar-storage") ||
		!strings.Contains(promCmd, "--config.file=/etc/prometheus/prometheus.yml") ||
		mounts(t, c.Services["prometheus"].Volumes)["/etc/prometheus/prometheus.yml"] != "./prometheus.yml" {
		t.Errorf("Prometheus does not run prometheus.yml with exemplar storage: %s", promCmd)
	}
}

// TestStackGrafanaProvisioning: the data sources have the uids the dashboards
// default to and point at the compose services; exemplars open Tempo; Tempo
// links to the querylens metrics; the dashboards folder is the one compose
// mounts, and holds the three dashboards.
func TestStackGrafanaProvisioning(t *testing.T) {
	var c composeFile
	readYAML(t, filepath.Join(stackDir, "compose.yaml"), &c)
	grafana := c.Services["grafana"]
	provisioning := mounts(t, grafana.Volumes)["/etc/grafana/provisioning"]
	if provisioning == "" {
		t.Fatal("compose mounts no provisioning directory into Grafana")
	}
	dir := filepath.Join(stackDir, provisioning)

	var ds struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name      string `yaml:"name"`
			Type      string `yaml:"type"`
			UID       string `yaml:"uid"`
			Access    string `yaml:"access"`
			URL       string `yaml:"url"`
			IsDefault bool   `yaml:"isDefault"`
			Editable  bool   `yaml:"editable"`
			JSONData  struct {
				HTTPMethod                  string `yaml:"httpMethod"`
				TimeInterval                string `yaml:"timeInterval"`
				ExemplarTraceIDDestinations []struct {
					Name            string `yaml:"name"`
					DatasourceUID   string `yaml:"datasourceUid"`
					URLDisplayLabel string `yaml:"urlDisplayLabel"`
				} `yaml:"exemplarTraceIdDestinations"`
				TracesToMetrics struct {
					DatasourceUID      string `yaml:"datasourceUid"`
					SpanStartTimeShift string `yaml:"spanStartTimeShift"`
					SpanEndTimeShift   string `yaml:"spanEndTimeShift"`
					Tags               []struct {
						Key   string `yaml:"key"`
						Value string `yaml:"value"`
					} `yaml:"tags"`
					Queries []struct {
						Name  string `yaml:"name"`
						Query string `yaml:"query"`
					} `yaml:"queries"`
				} `yaml:"tracesToMetrics"`
				Extra map[string]any `yaml:",inline"`
			} `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	readYAML(t, filepath.Join(dir, "datasources", "querylens.yaml"), &ds)
	byType := map[string]int{}
	for i, d := range ds.Datasources {
		byType[d.Type] = i
	}
	prom, tempo := ds.Datasources[byType["prometheus"]], ds.Datasources[byType["tempo"]]
	if prom.UID != PrometheusUID || tempo.UID != TempoUID || len(ds.Datasources) != 2 {
		t.Errorf("provisioned data sources %s (%s) and %s (%s), want uids %s and %s", prom.Name, prom.UID, tempo.Name, tempo.UID, PrometheusUID, TempoUID)
	}
	// The dashboards' data source variables show these names and uids.
	for name, d := range readDashboards(t) {
		for _, v := range d.Templating.List {
			if v.Type != "datasource" {
				continue
			}
			p := ds.Datasources[byType[fmt.Sprint(v.Query)]]
			if fmt.Sprint(v.Current.Value) != p.UID {
				t.Errorf("%s: variable %s defaults to %v, provisioned uid %s", name, v.Name, v.Current.Value, p.UID)
			}
		}
	}
	var promConfig struct {
		Global struct {
			ScrapeInterval string `yaml:"scrape_interval"`
		} `yaml:"global"`
	}
	readSomeYAML(t, filepath.Join(stackDir, "prometheus.yml"), &promConfig)
	var tempoConfig struct {
		Server struct {
			HTTPListenPort int `yaml:"http_listen_port"`
		} `yaml:"server"`
	}
	readSomeYAML(t, filepath.Join(stackDir, "tempo.yaml"), &tempoConfig)
	for _, d := range []struct{ url, service, port string }{
		{prom.URL, "prometheus", "9090"},
		{tempo.URL, "tempo", fmt.Sprint(tempoConfig.Server.HTTPListenPort)},
	} {
		u, err := url.Parse(d.url)
		if err != nil || u.Hostname() != d.service || u.Port() != d.port {
			t.Errorf("data source URL %s does not reach service %s on port %s", d.url, d.service, d.port)
		}
	}
	if prom.JSONData.TimeInterval != promConfig.Global.ScrapeInterval {
		t.Errorf("Prometheus data source timeInterval %s, scrape interval %s", prom.JSONData.TimeInterval, promConfig.Global.ScrapeInterval)
	}
	ex := prom.JSONData.ExemplarTraceIDDestinations
	if len(ex) != 1 || ex[0].Name != "trace_id" || ex[0].DatasourceUID != TempoUID {
		t.Errorf("exemplars %+v do not open trace_id in the Tempo data source %s", ex, TempoUID)
	}
	t2m := tempo.JSONData.TracesToMetrics
	if t2m.DatasourceUID != PrometheusUID || len(t2m.Queries) == 0 || len(t2m.Tags) == 0 {
		t.Errorf("Tempo's traces-to-metrics %+v does not query the Prometheus data source %s", t2m, PrometheusUID)
	}
	for _, q := range t2m.Queries {
		// Grafana expands $NAME in provisioning files: $$ is a literal $.
		if strings.Count(q.Query, "$$__tags") != 1 || strings.Count(q.Query, "$") != 2 {
			t.Errorf("traces-to-metrics query %q: write $__tags as $$__tags", q.Query)
		}
	}
	for _, tag := range t2m.Tags {
		if !slices.Contains(resourceAttributes, tag.Key) || tag.Value != "service_name" {
			t.Errorf("traces-to-metrics maps %s to %s, want service.name to service_name", tag.Key, tag.Value)
		}
	}

	// The dashboards provider reads the directory compose mounts dashboards/ at.
	var providers struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name                  string `yaml:"name"`
			Folder                string `yaml:"folder"`
			Type                  string `yaml:"type"`
			DisableDeletion       bool   `yaml:"disableDeletion"`
			AllowUIUpdates        bool   `yaml:"allowUiUpdates"`
			UpdateIntervalSeconds int    `yaml:"updateIntervalSeconds"`
			Options               struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, filepath.Join(dir, "dashboards", "querylens.yaml"), &providers)
	if len(providers.Providers) != 1 {
		t.Fatalf("want one dashboards provider, got %d", len(providers.Providers))
	}
	path := providers.Providers[0].Options.Path
	source, ok := mounts(t, grafana.Volumes)[path]
	if !ok {
		t.Fatalf("the dashboards provider reads %s, which compose does not mount", path)
	}
	abs, _ := filepath.Abs(filepath.Join(stackDir, source))
	here, _ := filepath.Abs(".")
	if abs != here {
		t.Errorf("compose mounts %s at %s, not dashboards/", abs, path)
	}
	for _, f := range generated(t) {
		if !fileExists(filepath.Join(abs, f.Name)) {
			t.Errorf("%s is not in %s", f.Name, abs)
		}
	}
	for _, env := range grafana.Environment {
		if k, v, _ := strings.Cut(env, "="); k == "GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH" {
			rel, err := filepath.Rel(path, v)
			if err != nil || !fileExists(filepath.Join(abs, rel)) {
				t.Errorf("the home dashboard %s is not a mounted dashboard", v)
			}
		}
	}
}

// TestStackDockerfile: the Dockerfile builds with the Go of go.mod and the ocb
// of the Makefile, runs ocb as the Makefile does, copies files that exist, and
// its ignore file keeps what the build needs.
func TestStackDockerfile(t *testing.T) {
	lines := dockerfileLines(t)
	goMod, _ := os.ReadFile("../go.mod")
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(goMod)
	makefile, _ := os.ReadFile("../Makefile")
	ocbVersion := regexp.MustCompile(`(?m)^OCB_VERSION\s*:=\s*(\S+)$`).FindSubmatch(makefile)
	if goVersion == nil || ocbVersion == nil {
		t.Fatal("no go version in go.mod or OCB_VERSION in the Makefile")
	}
	args := strings.Join(lines["ARG"], "\n")
	for _, want := range []string{"GO_VERSION=" + string(goVersion[1]), "OCB_VERSION=" + string(ocbVersion[1])} {
		if !strings.Contains(args, want) {
			t.Errorf("the Dockerfile's ARGs %q do not say %s", args, want)
		}
	}
	run := strings.Join(lines["RUN"], "\n")
	var builderConfig struct {
		Dist struct {
			Name       string `yaml:"name"`
			OutputPath string `yaml:"output_path"`
		} `yaml:"dist"`
	}
	readSomeYAML(t, "../collector-builder/builder-config.yaml", &builderConfig)
	dist := filepath.Clean(filepath.Join("collector-builder", builderConfig.Dist.OutputPath)) // build/otelcol-querylens
	for _, want := range []string{
		"go install go.opentelemetry.io/collector/cmd/builder@${OCB_VERSION}",
		// ocb does not create the parent of its output directory.
		"mkdir -p " + filepath.Dir(dist) + " && cd collector-builder",
		"builder --config builder-config.yaml --skip-compilation",
		"cp default_config.go.tmpl ../" + dist + "/default_config.go",
		"cp ../config/local.yaml ../" + dist + "/",
		"builder --config builder-config.yaml --skip-generate --skip-get-modules",
	} {
		if !strings.Contains(run, want) {
			t.Errorf("the Dockerfile does not run %q (the Makefile's $(COLLECTOR) recipe)", want)
		}
	}
	for _, recipe := range []string{"mkdir -p $(BUILD)", "--skip-compilation", "default_config.go.tmpl $(DIST)/default_config.go", "config/local.yaml $(DIST)/", "--skip-generate --skip-get-modules"} {
		if !strings.Contains(string(makefile), recipe) {
			t.Errorf("the Makefile's recipe no longer has %q: bring the Dockerfile in line", recipe)
		}
	}
	binary := "/src/" + dist + "/" + builderConfig.Dist.Name
	for _, c := range lines["COPY"] {
		fields := strings.Fields(c)
		if strings.HasPrefix(fields[0], "--from=") {
			if fields[1] != binary {
				t.Errorf("COPY %s: the build writes %s", c, binary)
			}
			continue
		}
		if src := fields[0]; src != "." && !fileExists(filepath.Join("..", src)) {
			t.Errorf("COPY %s: %s does not exist", c, src)
		}
	}
	ignore, err := os.ReadFile(filepath.Join(stackDir, "Dockerfile.dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(ignore), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, needed := range []string{"go.mod", "go.sum", "collector-builder", "config", "processor", "connector", "internal"} {
			if ok, _ := filepath.Match(line, needed); ok || line == needed {
				t.Errorf("Dockerfile.dockerignore leaves out %s, which the build needs", needed)
			}
		}
	}
}

// dockerfileLines returns the Dockerfile's instructions by keyword, with
// continuation lines joined.
func dockerfileLines(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(stackDir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	var cur string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cur += line
		if strings.HasSuffix(cur, "\\") {
			cur = strings.TrimSuffix(cur, "\\") + " "
			continue
		}
		keyword, rest, _ := strings.Cut(cur, " ")
		out[keyword] = append(out[keyword], strings.Join(strings.Fields(rest), " "))
		cur = ""
	}
	return out
}

func splitHostPort(t *testing.T, hostport string) (string, string) {
	t.Helper()
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		t.Fatalf("%q: %v", hostport, err)
	}
	return host, port
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
