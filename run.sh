#!/usr/bin/env bash
# Starts Dograh Console. Extra arguments go to the app, e.g. ./run.sh --urls http://0.0.0.0:5000
set -euo pipefail
cd "$(dirname "$0")"
exec dotnet run --project DograhConsole.Web -c Release --no-launch-profile -- "$@"
