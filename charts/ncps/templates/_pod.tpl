{{/* The pod template shared by the StatefulSet and the Deployment. */}}
{{- define "ncps.podTemplate" -}}
{{- $c := .Values.config -}}
{{- $type := include "ncps.databaseType" . -}}
{{- $fullname := include "ncps.fullname" . -}}
{{- $port := regexFind "[0-9]+$" $c.server.addr | int -}}
metadata:
  labels:
    {{- include "ncps.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    # New configuration or secrets roll the pods.
    checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
    checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "ncps.serviceAccountName" . }}
  automountServiceAccountToken: false
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.podSecurityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  # Longer than the preStop delay plus ncps's drain timeout, so a rolling update never cuts a request.
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- if or (and .Values.migration.enabled (eq .Values.migration.mode "initContainer")) .Values.initContainers }}
  initContainers:
    {{- if and .Values.migration.enabled (eq .Values.migration.mode "initContainer") }}
    - {{- include "ncps.migrationContainer" . | nindent 6 }}
    {{- end }}
    {{- with .Values.initContainers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  containers:
    - name: ncps
      image: {{ include "ncps.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      command: [/bin/ncps]
      args: [--config, /etc/ncps/config.yaml, serve]
      {{- with mergeOverwrite (deepCopy .Values.containerDefaults.securityContext) .Values.securityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        - name: http
          containerPort: {{ $port }}
          protocol: TCP
      env:
        {{- include "ncps.env" . | nindent 8 }}
        - name: POD_IP
          valueFrom:
            fieldRef:
              fieldPath: status.podIP
        # How the other replicas reach this one to stream a download in progress from it.
        - name: SERVER_ADVERTISE_URL
          value: "http://$(POD_IP):{{ $port }}"
        {{- with .Values.extraEnvVars }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with .Values.livenessProbe }}
      livenessProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.readinessProbe }}
      readinessProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if .Values.preStopSleepSeconds }}
      lifecycle:
        # Keep serving while the endpoint is removed from Services and load balancers; ncps then drains on SIGTERM.
        preStop:
          exec:
            command: [sleep, {{ .Values.preStopSleepSeconds | quote }}]
      {{- end }}
      {{- with .Values.resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        {{- include "ncps.volumeMounts" . | nindent 8 }}
        {{- with .Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    {{- with .Values.sidecars }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ $fullname }}
    {{- if include "ncps.signingSecret" . }}
    - name: signing-key
      secret:
        secretName: {{ include "ncps.signingSecret" . }}
        defaultMode: 0400
    {{- end }}
    {{- if include "ncps.netrcSecret" . }}
    - name: netrc
      secret:
        secretName: {{ include "ncps.netrcSecret" . }}
        defaultMode: 0400
    {{- end }}
    {{- $tmp := $c.cache.tempVolume }}
    {{- if and (eq $tmp.type "pvc") $tmp.pvc.existingClaim }}
    - name: tmp
      persistentVolumeClaim:
        claimName: {{ $tmp.pvc.existingClaim }}
    {{- else if and (eq $tmp.type "pvc") (eq .Values.mode "deployment") }}
    - name: tmp
      persistentVolumeClaim:
        claimName: {{ $fullname }}-temp
    {{- else if ne $tmp.type "pvc" }}
    - name: tmp
      emptyDir:
        {{- toYaml ($tmp.emptyDir | default dict) | nindent 8 }}
    {{- end }}
    {{- include "ncps.storageVolume" . | nindent 4 }}
    {{- with .Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if .Values.affinity }}
  affinity:
    {{- toYaml .Values.affinity | nindent 4 }}
  {{- else if eq .Values.podAntiAffinity "hard" }}
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "ncps.selectorLabels" . | nindent 14 }}
  {{- else if eq .Values.podAntiAffinity "soft" }}
  affinity:
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                {{- include "ncps.selectorLabels" . | nindent 16 }}
  {{- end }}
  {{- with .Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* Environment with the secrets and the database URL (not in config.yaml). */}}
{{- define "ncps.env" -}}
{{- $c := .Values.config -}}
{{- $type := include "ncps.databaseType" . -}}
{{- /* The chart Secret's keys; the migration hook reads its own copy, made before the release's resources. */ -}}
{{- $fullname := .chartSecret | default (include "ncps.fullname" .) -}}
# The JVM's temporary directory (native libraries are unpacked there) on the writable temp volume.
- name: TMPDIR
  value: {{ $c.cache.tempPath | quote }}
{{- if eq $type "sqlite" }}
- name: CACHE_DATABASE_URL
  value: {{ $c.database.url | default (printf "sqlite:%s" $c.database.sqlite.path) | quote }}
{{- else }}
- name: CACHE_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "ncps.databaseExistingSecret" . | default $fullname }}
      key: database-url
{{- end }}
{{- if include "ncps.s3" . }}
- name: CACHE_STORAGE_S3_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ $c.storage.s3.existingSecret | default $fullname }}
      key: {{ ternary "access-key-id" "s3-access-key-id" (not (empty $c.storage.s3.existingSecret)) }}
- name: CACHE_STORAGE_S3_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $c.storage.s3.existingSecret | default $fullname }}
      key: {{ ternary "secret-access-key" "s3-secret-access-key" (not (empty $c.storage.s3.existingSecret)) }}
{{- end }}
{{- if $c.redis.enabled }}
{{- if $c.redis.existingSecret }}
- name: CACHE_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $c.redis.existingSecret }}
      key: password
- name: CACHE_REDIS_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $c.redis.existingSecret }}
      key: username
      optional: true
{{- else if $c.redis.password }}
- name: CACHE_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $fullname }}
      key: redis-password
{{- end }}
{{- end }}
{{- if or $c.permissions.getToken $c.permissions.getTokenExistingSecret }}
- name: CACHE_GET_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $c.permissions.getTokenExistingSecret | default $fullname }}
      key: get-token
{{- end }}
{{- end -}}

{{- define "ncps.volumeMounts" -}}
- name: config
  mountPath: /etc/ncps/config.yaml
  subPath: config.yaml
  readOnly: true
- name: tmp
  mountPath: {{ .Values.config.cache.tempPath }}
- name: storage
  mountPath: /storage
{{- if include "ncps.signingSecret" . }}
- name: signing-key
  mountPath: /etc/ncps/secrets/signing-key
  subPath: signing-key
  readOnly: true
{{- end }}
{{- if include "ncps.netrcSecret" . }}
- name: netrc
  mountPath: /etc/ncps/netrc
  subPath: netrc
  readOnly: true
{{- end }}
{{- end -}}

{{/* Whether /storage (local storage, the SQLite database) needs a persistent volume. */}}
{{- define "ncps.storagePersistent" -}}
{{- $p := .Values.config.storage.local.persistence -}}
{{- if and $p.enabled (or (not (include "ncps.s3" .)) (eq (include "ncps.databaseType" .) "sqlite")) -}}true{{- end -}}
{{- end -}}

{{/* The storage volume of the pod; in statefulset mode a claim template provides it instead. */}}
{{- define "ncps.storageVolume" -}}
{{- $p := .Values.config.storage.local.persistence -}}
{{- if and (include "ncps.storagePersistent" .) $p.existingClaim -}}
- name: storage
  persistentVolumeClaim:
    claimName: {{ $p.existingClaim }}
{{- else if and (include "ncps.storagePersistent" .) (eq .Values.mode "deployment") -}}
- name: storage
  persistentVolumeClaim:
    claimName: {{ include "ncps.fullname" . }}
{{- else if not (include "ncps.storagePersistent" .) -}}
- name: storage
  emptyDir: {}
{{- end -}}
{{- end -}}

{{- define "ncps.pvcSpec" -}}
accessModes:
  {{- toYaml .accessModes | nindent 2 }}
{{- with .storageClassName }}
storageClassName: {{ . | quote }}
{{- end }}
{{- with .selector }}
selector:
  {{- toYaml . | nindent 2 }}
{{- end }}
resources:
  requests:
    storage: {{ .size | quote }}
{{- end -}}

{{- define "ncps.migrationContainer" -}}
name: migration
image: {{ include "ncps.image" . }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
command: [/bin/ncps]
args: [--config, /etc/ncps/config.yaml, migrate, up]
{{- with mergeOverwrite (deepCopy .Values.containerDefaults.securityContext) .Values.securityContext .Values.migration.securityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
env:
  {{- include "ncps.env" (ternary (merge (dict "chartSecret" (printf "%s-migration" (include "ncps.fullname" .))) .) . (ne .Values.migration.mode "initContainer")) | nindent 2 }}
{{- with .Values.migration.resources }}
resources:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumeMounts:
  {{- include "ncps.volumeMounts" . | nindent 2 }}
{{- end -}}
