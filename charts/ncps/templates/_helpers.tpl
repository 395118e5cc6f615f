{{- define "ncps.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ncps.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "ncps.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ncps.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ncps.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "ncps.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "ncps.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ncps.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "ncps.image" -}}
{{- $registry := .Values.global.imageRegistry | default .Values.image.registry -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if $registry -}}{{ printf "%s/%s:%s" $registry .Values.image.repository $tag }}{{- else -}}{{ printf "%s:%s" .Values.image.repository $tag }}{{- end -}}
{{- end -}}

{{/* Derived settings. The HA guide's spellings (hostName, storage.s3.enabled, database.url, redis.addrs) are accepted. */}}
{{- define "ncps.hostname" -}}
{{- .Values.config.hostname | default .Values.config.hostName -}}
{{- end -}}

{{- define "ncps.s3" -}}
{{- if or (eq .Values.config.storage.type "s3") .Values.config.storage.s3.enabled -}}true{{- end -}}
{{- end -}}

{{- define "ncps.databaseType" -}}
{{- $url := .Values.config.database.url | default "" -}}
{{- if hasPrefix "sqlite:" $url -}}sqlite
{{- else if or (hasPrefix "postgres://" $url) (hasPrefix "postgresql://" $url) -}}postgresql
{{- else if hasPrefix "mysql://" $url -}}mysql
{{- else if $url -}}{{ fail (printf "config.database.url %q: expected sqlite:<path>, postgresql://... or mysql://..." $url) }}
{{- else -}}{{ .Values.config.database.type }}
{{- end -}}
{{- end -}}

{{- define "ncps.redisAddresses" -}}
{{- .Values.config.redis.addrs | default .Values.config.redis.addresses | toJson -}}
{{- end -}}

{{- define "ncps.lockBackend" -}}
{{- if .Values.config.redis.enabled -}}redis{{- else -}}{{ .Values.config.lock.backend }}{{- end -}}
{{- end -}}

{{/* Seconds of a duration written like 30s, 2m or 1h (the forms the chart needs to compare). */}}
{{- define "ncps.seconds" -}}
{{- $d := toString . -}}
{{- if regexMatch "^[0-9]+s$" $d -}}{{ trimSuffix "s" $d }}
{{- else if regexMatch "^[0-9]+m$" $d -}}{{ mul (trimSuffix "m" $d | atoi) 60 }}
{{- else if regexMatch "^[0-9]+h$" $d -}}{{ mul (trimSuffix "h" $d | atoi) 3600 }}
{{- else -}}{{ fail (printf "config.server.drainTimeout %q: write it as <n>s, <n>m or <n>h" $d) }}
{{- end -}}
{{- end -}}

{{/* The database URL built from config.database.* (postgresql/mysql without url or existingSecret). User and
   password are percent-encoded: urlquery writes a space as "+", which in a URL's user part is a literal plus. */}}
{{- define "ncps.databaseUrl" -}}
{{- $db := .Values.config.database -}}
{{- $type := include "ncps.databaseType" . -}}
{{- if $db.url -}}{{ $db.url }}
{{- else if eq $type "postgresql" -}}
{{- $p := $db.postgresql -}}
{{- printf "postgresql://%s:%s@%s:%d/%s?sslmode=%s" (urlquery $p.username | replace "+" "%20") (urlquery $p.password | replace "+" "%20") $p.host (int $p.port) $p.database $p.sslMode -}}
{{- if $p.extraParams }}&{{ $p.extraParams }}{{ end -}}
{{- else if eq $type "mysql" -}}
{{- $m := $db.mysql -}}
{{- printf "mysql://%s:%s@%s:%d/%s" (urlquery $m.username | replace "+" "%20") (urlquery $m.password | replace "+" "%20") $m.host (int $m.port) $m.database -}}
{{- if $m.extraParams }}?{{ $m.extraParams }}{{ end -}}
{{- end -}}
{{- end -}}

{{- define "ncps.databaseExistingSecret" -}}
{{- $type := include "ncps.databaseType" . -}}
{{- if and (not .Values.config.database.url) (eq $type "postgresql") -}}{{ .Values.config.database.postgresql.existingSecret }}
{{- else if and (not .Values.config.database.url) (eq $type "mysql") -}}{{ .Values.config.database.mysql.existingSecret }}
{{- end -}}
{{- end -}}

{{- define "ncps.signingSecret" -}}
{{- if .Values.config.signing.enabled -}}
{{- if .Values.config.signing.existingSecret -}}{{ .Values.config.signing.existingSecret }}
{{- else if .Values.config.signing.secretKey -}}{{ include "ncps.fullname" . }}-signing-key
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "ncps.netrcSecret" -}}
{{- if .Values.config.upstream.existingNetrcSecret -}}{{ .Values.config.upstream.existingNetrcSecret }}
{{- else if .Values.config.upstream.netrcFile -}}{{ include "ncps.fullname" . }}
{{- end -}}
{{- end -}}

{{/* The keys of the chart Secret <fullname>: only what the values supply. */}}
{{- define "ncps.secretData" -}}
{{- $s3 := .Values.config.storage.s3 -}}
{{- if and (include "ncps.s3" .) (not $s3.existingSecret) }}
s3-access-key-id: {{ $s3.accessKeyId | b64enc | quote }}
s3-secret-access-key: {{ $s3.secretAccessKey | b64enc | quote }}
{{- end }}
{{- $type := include "ncps.databaseType" . -}}
{{- if and (ne $type "sqlite") (not (include "ncps.databaseExistingSecret" .)) }}
database-url: {{ include "ncps.databaseUrl" . | b64enc | quote }}
{{- end }}
{{- if and .Values.config.redis.enabled .Values.config.redis.password (not .Values.config.redis.existingSecret) }}
redis-password: {{ .Values.config.redis.password | b64enc | quote }}
{{- end }}
{{- if and .Values.config.upstream.netrcFile (not .Values.config.upstream.existingNetrcSecret) }}
netrc: {{ .Values.config.upstream.netrcFile | b64enc | quote }}
{{- end }}
{{- if and .Values.config.permissions.getToken (not .Values.config.permissions.getTokenExistingSecret) }}
get-token: {{ .Values.config.permissions.getToken | b64enc | quote }}
{{- end }}
{{- end -}}

{{/* Rendering stops with one of these messages when the values describe a setup ncps would refuse. */}}
{{- define "ncps.validate" -}}
{{- $v := .Values -}}
{{- $c := $v.config -}}
{{- $type := include "ncps.databaseType" . -}}
{{- $s3 := include "ncps.s3" . -}}
{{- if not (has $v.mode (list "statefulset" "deployment")) -}}
{{- fail (printf "mode %q: expected statefulset or deployment" $v.mode) -}}
{{- end -}}
{{- if not (include "ncps.hostname" .) -}}{{- fail "config.hostname is required" -}}{{- end -}}
{{- if not (has $type (list "sqlite" "postgresql" "mysql")) -}}
{{- fail (printf "config.database.type %q: expected sqlite, postgresql or mysql" $type) -}}
{{- end -}}
{{- if not $c.upstream.caches -}}{{- fail "config.upstream.caches needs at least one {url, publicKey}" -}}{{- end -}}
{{- range $c.upstream.caches -}}
{{- if not .url -}}{{- fail "config.upstream.caches: every entry needs a url" -}}{{- end -}}
{{- end -}}
{{- if $s3 -}}
{{- if or (not $c.storage.s3.bucket) (not $c.storage.s3.endpoint) -}}
{{- fail "S3 storage needs config.storage.s3.bucket and config.storage.s3.endpoint" -}}
{{- end -}}
{{- if and (not $c.storage.s3.existingSecret) (or (not $c.storage.s3.accessKeyId) (not $c.storage.s3.secretAccessKey)) -}}
{{- fail "S3 storage needs credentials: config.storage.s3.existingSecret (keys access-key-id, secret-access-key) or config.storage.s3.accessKeyId and secretAccessKey" -}}
{{- end -}}
{{- end -}}
{{- if and (eq $type "postgresql") (not $c.database.url) (not $c.database.postgresql.existingSecret) (not $c.database.postgresql.host) -}}
{{- fail "config.database.postgresql.host is required (or config.database.url, or postgresql.existingSecret)" -}}
{{- end -}}
{{- if and (eq $type "mysql") (not $c.database.url) (not $c.database.mysql.existingSecret) (not $c.database.mysql.host) -}}
{{- fail "config.database.mysql.host is required (or config.database.url, or mysql.existingSecret)" -}}
{{- end -}}
{{- if and $c.database.postgresql.password $c.database.postgresql.existingSecret -}}
{{- fail "config.database.postgresql: set password or existingSecret, not both" -}}
{{- end -}}
{{- if and $c.database.mysql.password $c.database.mysql.existingSecret -}}
{{- fail "config.database.mysql: set password or existingSecret, not both" -}}
{{- end -}}
{{- if and $c.cache.lruSchedule (not $c.cache.maxSize) -}}
{{- fail "config.cache.lruSchedule needs config.cache.maxSize" -}}
{{- end -}}
{{- if and $c.redis.enabled (eq (include "ncps.redisAddresses" .) "null") -}}
{{- fail "config.redis.enabled needs config.redis.addresses" -}}
{{- end -}}
{{- if and (eq (include "ncps.lockBackend" .) "postgres") (ne $type "postgresql") -}}
{{- fail "config.lock.backend postgres keeps its leases in the PostgreSQL database: config.database must be postgresql" -}}
{{- end -}}
{{- if gt (int $v.replicaCount) 1 -}}
{{- if eq $type "sqlite" -}}
{{- fail (printf "replicaCount %d: a SQLite database cannot be shared between replicas; use config.database.type postgresql or mysql" (int $v.replicaCount)) -}}
{{- end -}}
{{- if eq (include "ncps.lockBackend" .) "local" -}}
{{- fail (printf "replicaCount %d: replicas need a shared lock backend; set config.redis.enabled (or config.lock.backend postgres)" (int $v.replicaCount)) -}}
{{- end -}}
{{- if not $s3 -}}
{{- fail (printf "replicaCount %d: replicas must share S3 storage (ncps refuses a distributed lock with local storage, and statefulset volumes are per replica); set config.storage.type s3" (int $v.replicaCount)) -}}
{{- end -}}
{{- end -}}
{{- $drain := include "ncps.seconds" $c.server.drainTimeout | int -}}
{{- if le (int $v.terminationGracePeriodSeconds) (add $drain (int $v.preStopSleepSeconds)) -}}
{{- fail (printf "terminationGracePeriodSeconds %d must exceed preStopSleepSeconds (%d) + config.server.drainTimeout (%ds), or in-flight requests are killed" (int $v.terminationGracePeriodSeconds) (int $v.preStopSleepSeconds) $drain) -}}
{{- end -}}
{{- end -}}

{{/* Go chart features ncps-java does not have: enabled ones are listed in NOTES.txt. */}}
{{- define "ncps.unsupported" -}}
{{- $c := .Values.config -}}
{{- $list := list -}}
{{- if $c.cdc.enabled -}}{{- $list = append $list "config.cdc.enabled (content-defined chunking): NARs are stored whole" -}}{{- end -}}
{{- if $c.inflightStaging.enabled -}}{{- $list = append $list "config.inflightStaging.enabled: not needed, a replica streams a download in progress from the replica doing it" -}}{{- end -}}
{{- if $c.observability.pprof.enabled -}}{{- $list = append $list "config.observability.pprof.enabled: use JDK Flight Recorder (NCPS_JAVA_OPTS) instead" -}}{{- end -}}
{{- if .Values.fsck.enabled -}}{{- $list = append $list "fsck.enabled: ncps-java has no fsck command; objects are verified before they are stored" -}}{{- end -}}
{{- if .Values.migrateChunksToNar.enabled -}}{{- $list = append $list "migrateChunksToNar.enabled: there are no chunks to migrate" -}}{{- end -}}
{{- if .Values.migrateNarToChunks.enabled -}}{{- $list = append $list "migrateNarToChunks.enabled: content-defined chunking is not supported" -}}{{- end -}}
{{- if .Values.tests.enabled -}}{{- $list = append $list "tests.enabled: this chart has no helm test pod" -}}{{- end -}}
{{- toJson $list -}}
{{- end -}}
