{{/*
Shared pieces of the component template. Each takes a context with root (the chart's top
scope), name (the app's key in .Values.apps) and app (its entry merged over .Values.defaults).
*/}}

{{- define "platform.labels" -}}
{{ include "platform.podsOf" . }}
app.kubernetes.io/part-of: platform
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end }}

{{/* The app's pods, migration Jobs included: what its NetworkPolicy applies to. */}}
{{- define "platform.podsOf" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{/* The app's serving pods (not its migration Jobs): Deployment, Service, PDB, spread. */}}
{{- define "platform.selector" -}}
{{ include "platform.podsOf" . }}
app.kubernetes.io/component: server
{{- end }}

{{- define "platform.image" -}}
{{- $image := .root.Values.image -}}
{{- printf "%s/%s%s:%s" $image.registry $image.repositoryPrefix .name $image.tag -}}
{{- end }}

{{/* The dns:/// target of an app's gRPC port: every pod address behind its headless Service. */}}
{{- define "platform.target" -}}
{{- $callee := index .root.Values.apps .callee -}}
{{- printf "dns:///%s.%s.svc.%s:%v" .callee .root.Release.Namespace .root.Values.clusterDomain $callee.grpc.port -}}
{{- end }}

{{/* The app's plain variables: what the chart derives, then the entry's env (which wins). */}}
{{- define "platform.env" -}}
{{- $app := .app -}}
{{- $prefix := $app.variablePrefix -}}
{{- $env := dict -}}
{{- if eq $app.kind "grpc" -}}
{{- $_ := set $env (printf "%s_GRPC_HOST" $prefix) "0.0.0.0" -}}
{{- $_ := set $env (printf "%s_GRPC_PORT" $prefix) (toString $app.grpc.port) -}}
{{- $_ := set $env (printf "%s_DATA_DIR" $prefix) (printf "/data/%s" .name) -}}
{{- $_ := set $env "GRPC_MAX_CONNECTION_AGE" .root.Values.grpc.maxConnectionAge -}}
{{- $_ := set $env "GRPC_MAX_CONNECTION_AGE_GRACE" .root.Values.grpc.maxConnectionAgeGrace -}}
{{- else -}}
{{- $_ := set $env (printf "%s_METRICS_HOST" $prefix) "0.0.0.0" -}}
{{- end -}}
{{- $_ := set $env (printf "%s_METRICS_PORT" $prefix) (toString $app.metrics.port) -}}
{{- if $app.kafka -}}
{{- $_ := set $env "KAFKA_BROKERS" .root.Values.kafka.brokers -}}
{{- $_ := set $env "KAFKA_CREATE_TOPICS" (toString .root.Values.kafka.createTopics) -}}
{{- end -}}
{{- if eq $app.auth "signer" -}}
{{- $_ := set $env "AUTH_SIGNING_KEY_FILE" "/etc/platform/auth/signing-key.json" -}}
{{- $_ := set $env "AUTH_JWKS_FILE" (printf "/data/%s/jwks.json" .name) -}}
{{- else if eq $app.auth "verifier" -}}
{{- $_ := set $env "AUTH_JWKS_FILE" "/etc/platform/jwks/jwks.json" -}}
{{- end -}}
{{- if .root.Values.otlp.endpoint -}}
{{- $_ := set $env "OTEL_EXPORTER_OTLP_ENDPOINT" .root.Values.otlp.endpoint -}}
{{- end -}}
{{- range $callee, $variable := $app.addressVariables -}}
{{- $_ := set $env $variable (include "platform.target" (dict "root" $.root "callee" $callee)) -}}
{{- end -}}
{{- $_ := set $env "NODE_OPTIONS" (printf "--max-old-space-size=%v" $app.heapMb) -}}
{{- toYaml (mustMergeOverwrite $env ($app.env | default dict)) -}}
{{- end }}

{{/* Variables from Secrets, by name and key only: no secret value is ever rendered. */}}
{{- define "platform.secretEnv" -}}
{{- if .app.database }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef: { name: {{ .app.database.urlSecret }}, key: {{ .app.database.urlKey }} }
{{- end }}
{{- range $variable, $ref := .app.secretEnv }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef: { name: {{ $ref.secret }}, key: {{ $ref.key }} }
{{- end }}
{{- end }}

{{- define "platform.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "platform.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
privileged: false
capabilities:
  drop: [ALL]
{{- end }}

{{/*
The KafkaTopic resource name of a Kafka topic: Kafka allows '_' and upper case in a topic's
name, a Kubernetes name (an RFC 1123 subdomain) does not, so it is lower case with '-' for '_'
(`loyalty_points.events.v1` -> `loyalty-points.events.v1`); spec.topicName keeps the topic's
own name. A name still not valid (or longer than 253) stops the render, naming the topic.
*/}}
{{- define "platform.kafkaTopicResourceName" -}}
{{- $name := . | lower | replace "_" "-" -}}
{{- if or (gt (len $name) 253) (not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" $name)) -}}
{{- fail (printf "operators.strimzi: the topic %q gives no valid KafkaTopic name (%q is not a lower-case RFC 1123 subdomain)" . $name) -}}
{{- end -}}
{{- $name -}}
{{- end }}
