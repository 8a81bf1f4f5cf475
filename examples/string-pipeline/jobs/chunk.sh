# String_Repeat / String_Reverse, one chunk: reads s3://$INPUT_BUCKET/$INPUT_KEY, runs
# `awk '{print $1$1}'` (OPERATION=repeat) or `rev` (OPERATION=reverse) over it and writes
# s3://$OUTPUT_BUCKET/$OUTPUT_KEY/<PREFIX>_<chunk>.
# FAIL_CHUNK / FAIL_TIMES (tests only): the chunk whose name ends in FAIL_CHUNK fails its first
# FAIL_TIMES attempts (all of them when FAIL_TIMES is "always").
set -eu
export LC_ALL=C
object() { printf '%s/api/v1/buckets/%s/objects/%s' "$SKYBATCH_ENDPOINT" "$1" "$2"; }
get() { curl -fsS -H "Authorization: Bearer $SKYBATCH_TOKEN" -o "$3" "$(object "$1" "$2")"; }
# Without curl's `Expect: 100-continue`: the server takes every body, and waiting for its go-ahead
# cost a round trip per upload.
put() { curl -fsS -H "Authorization: Bearer $SKYBATCH_TOKEN" -H 'Content-Type: application/octet-stream' -H 'Expect:' -T "$3" "$(object "$1" "$2")" > /dev/null; }

chunk=$(basename "$INPUT_KEY")
if [ -n "${FAIL_CHUNK:-}" ] && [ "${chunk%"$FAIL_CHUNK"}" != "$chunk" ]; then
  if [ "${FAIL_TIMES:-}" = always ] || [ "${SKYBATCH_ATTEMPT:-1}" -le "${FAIL_TIMES:-0}" ]; then
    echo "$PREFIX $chunk: failing attempt ${SKYBATCH_ATTEMPT:-1} on purpose (FAIL_CHUNK)" >&2
    exit 3
  fi
fi
get "$INPUT_BUCKET" "$INPUT_KEY" chunk
case "$OPERATION" in
  repeat) awk '{print $1$1}' chunk > out ;;
  reverse) rev chunk > out ;;
  *) echo "unknown OPERATION '$OPERATION' (repeat or reverse)" >&2; exit 2 ;;
esac
put "$OUTPUT_BUCKET" "$OUTPUT_KEY/${PREFIX}_$chunk" out
