#!/usr/bin/env bash
# The action's report step: the inputs (INPUT_*) become ctxpack report's
# flags. The report is printed (annotations) or written (SARIF) before the
# gates decide the exit status, so a failing gate still leaves both.
set -euo pipefail
args=(report --builder "${INPUT_BUILDER:-buildkit}")
[[ -z ${INPUT_DOCKERFILE:-} ]] || args+=(-f "$INPUT_DOCKERFILE")
[[ -z ${INPUT_MAX_SIZE:-} ]] || args+=(--max-size "$INPUT_MAX_SIZE")
[[ -z ${INPUT_MAX_FILES:-} ]] || args+=(--max-files "$INPUT_MAX_FILES")
[[ -z ${INPUT_FAIL_ON:-} ]] || args+=(--fail-on "$INPUT_FAIL_ON")
args+=(--format "${INPUT_FORMAT:-github}" "${INPUT_CONTEXT:-.}")
case ${INPUT_FORMAT:-github} in
  sarif)
    sarif=${INPUT_SARIF_FILE:-ctxpack.sarif}
    status=0
    ctxpack "${args[@]}" > "$sarif" || status=$?
    echo "sarif-file=$sarif" >> "${GITHUB_OUTPUT:-/dev/null}"
    exit "$status" ;;
  github) exec ctxpack "${args[@]}" ;;
  *) echo "ctxpack action: format must be github or sarif, not ${INPUT_FORMAT}" >&2; exit 2 ;;
esac
