#!/usr/bin/env bash
# Runs the portalctl command given to the GitHub Action in ../action.yml and records
# its exit code in the step's outputs (exit-code=…) before exiting with it.
#
# Environment: INPUT_COMMAND, INPUT_FILE (-f), INPUT_BASE, INPUT_COMMENT and
# INPUT_COMMENT_AUTHOR (preview's --base, --comment and --comment-author), INPUT_ARGS (more arguments, split on white space: no quotes,
# no globbing, no expansion), PORTALCTL (the binary), GITHUB_OUTPUT.
set -uo pipefail

args=("$INPUT_COMMAND")
if [[ -n ${INPUT_FILE:-} ]]; then
	args+=(-f "$INPUT_FILE")
fi
if [[ $INPUT_COMMAND == preview ]]; then
	if [[ -n ${INPUT_BASE:-} ]]; then
		args+=(--base "$INPUT_BASE")
	fi
	if [[ ${INPUT_COMMENT:-false} == true ]]; then
		args+=(--comment)
		if [[ -n ${INPUT_COMMENT_AUTHOR:-} ]]; then
			args+=(--comment-author "$INPUT_COMMENT_AUTHOR")
		fi
	fi
fi
set -f # no globbing of the extra arguments
# shellcheck disable=SC2206 # splitting on white space is the point
extra=(${INPUT_ARGS:-})
set +f
args+=("${extra[@]}")

echo "portalctl ${args[*]}"
"${PORTALCTL:-portalctl}" "${args[@]}"
code=$?
echo "exit-code=$code" >> "${GITHUB_OUTPUT:?}"
exit "$code"
