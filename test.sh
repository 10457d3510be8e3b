#!/usr/bin/env bash
# Installs what the tests need if it is missing, then runs every test of the solution.
# Any failing test makes this script fail.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK is needed (dotnet is not on PATH)." >&2
  exit 1
fi

# The web client tests drive Debian's Chromium; the CLI tests use oathtool as an external authenticator;
# controlled printing embeds DejaVu Sans (the web client's build copies it too).
missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
[[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ]] || missing+=(fonts-dejavu-core)
command -v oathtool >/dev/null 2>&1 || missing+=(oathtool)
if (( ${#missing[@]} )); then
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
  else
    echo "test.sh: ${missing[*]} missing; run as root (or with sudo) to install." >&2
    exit 1
  fi
fi

dotnet test Parley.slnx -c Release --logger "console;verbosity=normal"
