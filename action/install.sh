#!/usr/bin/env bash
# Installs portalctl for the GitHub Action in ../action.yml.
#
#   install.sh download  downloads the release archive of the wanted version for this
#                        runner and checks it against the release's SHA-256 checksums
#                        file; when that version has no release (a branch, a commit, a
#                        platform not released), it says found=false and installs nothing.
#   install.sh build     builds that version from source with the Go toolchain on the
#                        PATH (action.yml runs actions/setup-go first).
#
# Either way the binary's directory goes to $GITHUB_PATH and its path to the step's
# outputs (path=…, version=…). A download that does not match its checksum is an error,
# never a reason to fall back.
#
# Environment: VERSION (the input; empty means the action's own ref), ACTION_REF and
# ACTION_REPOSITORY (github.action_ref and github.action_repository, which composite
# actions may see empty: then they are read from GITHUB_ACTION_PATH, …/OWNER/REPO/REF),
# GITHUB_ACTION_PATH, GITHUB_SERVER_URL, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP,
# GITHUB_OUTPUT, GITHUB_PATH.
set -euo pipefail

mode=${1:?usage: install.sh download|build}
action_path=${GITHUB_ACTION_PATH:?}
action_path=${action_path%/}

repo=${ACTION_REPOSITORY:-}
ref=${ACTION_REF:-}
if [[ -z $repo || -z $ref ]]; then
	parent=${action_path%/*}
	[[ -n $ref ]] || ref=${action_path##*/}
	if [[ -z $repo ]]; then
		owner=${parent%/*}
		repo=${owner##*/}/${parent##*/}
	fi
fi
version=${VERSION:-$ref}
if [[ -z $version ]]; then
	echo "::error::no portalctl version: set the action's version input" >&2
	exit 1
fi

# An action pinned to a full commit SHA installs the release tagged on that commit, if
# there is one: the SHA is what makes the pin immutable, the release what makes it fast.
if [[ -z ${VERSION:-} && $ref =~ ^[0-9a-f]{40}$ ]]; then
	tag=$(git ls-remote --tags "${GITHUB_SERVER_URL:-https://github.com}/$repo.git" 2> /dev/null |
		awk -v sha="$ref" '$1 == sha && $2 ~ /^refs\/tags\/v[0-9]/ { t = $2; sub(/^refs\/tags\//, "", t); sub(/\^\{\}$/, "", t); print t }' |
		sort -u | head -n 1) || tag=""
	if [[ -n $tag ]]; then
		echo "$ref is release $tag"
		version=$tag
	fi
fi

case ${RUNNER_OS:-} in
Linux) os=linux ;;
macOS) os=darwin ;;
Windows) os=windows ;;
*) os="" ;;
esac
case ${RUNNER_ARCH:-} in
X64) arch=amd64 ;;
ARM64) arch=arm64 ;;
*) arch="" ;;
esac
exe=portalctl
[[ $os == windows ]] && exe=portalctl.exe

tmp="" # the download's scratch directory
trap '[[ -z $tmp ]] || rm -rf "$tmp"' EXIT

bin_dir="${RUNNER_TEMP:?}/portalctl-${version//[^A-Za-z0-9._-]/_}"
mkdir -p "$bin_dir"

installed() {
	echo "$bin_dir" >> "${GITHUB_PATH:?}"
	{
		echo "found=true"
		echo "path=$bin_dir/$exe"
		echo "version=$version"
	} >> "${GITHUB_OUTPUT:?}"
	"$bin_dir/$exe" version
}

not_released() {
	echo "$1: building portalctl $version from source instead"
	echo "found=false" >> "${GITHUB_OUTPUT:?}"
	exit 0
}

sha256() {
	if command -v sha256sum > /dev/null; then
		sha256sum "$1" | cut -d' ' -f1
	else
		shasum -a 256 "$1" | cut -d' ' -f1
	fi
}

# fetch URL FILE prints the HTTP status; curl fails only when there is no answer.
fetch() {
	curl --silent --show-error --location --retry 3 --output "$2" --write-out '%{http_code}' "$1"
}

download() {
	[[ -n $os && -n $arch ]] || not_released "no release archive for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"
	local ext=tar.gz
	[[ $os == windows ]] && ext=zip
	local archive="portalctl_${version}_${os}_${arch}.$ext"
	local sums="portalctl_${version}_checksums.txt"
	local url="${GITHUB_SERVER_URL:-https://github.com}/$repo/releases/download/$version"
	tmp=$(mktemp -d "${RUNNER_TEMP}/portalctl-download.XXXXXX")

	local status
	status=$(fetch "$url/$sums" "$tmp/$sums")
	case $status in
	200) ;;
	404) not_released "$repo has no release $version" ;;
	*) echo "::error::download $url/$sums: HTTP $status" >&2; exit 1 ;;
	esac
	local want
	want=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1 }' "$tmp/$sums")
	[[ -n $want ]] || not_released "release $version has no archive for $os/$arch"
	status=$(fetch "$url/$archive" "$tmp/$archive")
	[[ $status == 200 ]] || { echo "::error::download $url/$archive: HTTP $status" >&2; exit 1; }
	local got
	got=$(sha256 "$tmp/$archive")
	if [[ $got != "$want" ]]; then
		echo "::error::$archive has SHA-256 $got but $sums says $want: refusing to install it" >&2
		exit 1
	fi
	echo "$archive: SHA-256 $got matches $sums"

	mkdir -p "$tmp/x"
	if [[ $ext == zip ]]; then
		if command -v unzip > /dev/null; then
			unzip -q "$tmp/$archive" -d "$tmp/x"
		else
			7z x -y -o"$tmp/x" "$tmp/$archive" > /dev/null
		fi
	else
		tar -xzf "$tmp/$archive" -C "$tmp/x"
	fi
	mv "$tmp/x/$exe" "$bin_dir/$exe"
	chmod +x "$bin_dir/$exe"
	installed
}

build() {
	# The module proxy serves any tag or commit with the checksum database's guarantee,
	# and stamps the version into the binary. When the wanted version is this action's
	# own ref, its files are that very source: build them when the proxy cannot.
	local module
	module=$(awk '$1 == "module" { print $2; exit }' "$action_path/go.mod")
	if GOBIN="$bin_dir" go install -trimpath "$module/cmd/portalctl@$version"; then
		installed
		return
	fi
	if [[ -n ${VERSION:-} && $VERSION != "$ref" ]]; then
		echo "::error::cannot build portalctl $version from source" >&2
		exit 1
	fi
	echo "building portalctl from the action's own files ($ref)"
	(cd "$action_path" && go build -trimpath -o "$bin_dir/$exe" ./cmd/portalctl)
	installed
}

if [[ -x $bin_dir/$exe ]]; then # an earlier step of the job installed it
	installed
	exit 0
fi
case $mode in
download) download ;;
build) build ;;
*) echo "usage: install.sh download|build" >&2; exit 2 ;;
esac
