#!/usr/bin/env bash
# Starts Dograh Console. Extra arguments go to the app, e.g. ./run.sh --urls http://0.0.0.0:5000
set -euo pipefail
cd "$(dirname "$0")"

# espeak-ng is the embedded text-to-speech engine of say and gather steps (Debian package).
if ! command -v espeak-ng >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing the text-to-speech engine: espeak-ng"
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq espeak-ng >/dev/null; }; then
    echo "Could not install espeak-ng: say steps will fail with that reason until it is installed." >&2
  fi
fi
exec dotnet run --project DograhConsole.Web -c Release --no-launch-profile -- "$@"
