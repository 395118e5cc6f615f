# Sourced by every script of the project: exports JAVA_HOME pointing at a JDK 25 or newer.
# The machine's default java may be older (17 on Debian 12), so we never trust PATH alone.

ncps_java_major() {
  # Prints the feature release of the JDK at $1 (e.g. 25), or nothing if it is not a JDK.
  local release="$1/release"
  [ -x "$1/bin/javac" ] && [ -f "$release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
}

ncps_select_jdk() {
  local candidate major
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(ncps_java_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then export JAVA_HOME; return 0; fi
  fi
  for candidate in /usr/lib/jvm/*; do
    major=$(ncps_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "ncps: no JDK 25+ found (JAVA_HOME=${JAVA_HOME:-unset}, nothing suitable under /usr/lib/jvm); install one, e.g. Temurin 25, and set JAVA_HOME" >&2
  return 1
}
