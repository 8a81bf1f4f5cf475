# String_Split: cuts s3://$INPUT_BUCKET/$INPUT_KEY into chunks of $SPLIT_NUM lines, as
# `split -l $SPLIT_NUM -d -a A` names them (<file>_00, <file>_01, ...; A = the digits of
# lines/SPLIT_NUM, at least 2), and writes them with the list <file>_splitlist under
# s3://$OUTPUT_BUCKET/$OUTPUT_KEY/.
set -eu
export LC_ALL=C
object() { printf '%s/api/v1/buckets/%s/objects/%s' "$SKYBATCH_ENDPOINT" "$1" "$2"; }
get() { curl -fsS -H "Authorization: Bearer $SKYBATCH_TOKEN" -o "$3" "$(object "$1" "$2")"; }
# Without curl's `Expect: 100-continue`: the server takes every body, and waiting for its go-ahead
# cost a round trip per upload.
put() { curl -fsS -H "Authorization: Bearer $SKYBATCH_TOKEN" -H 'Content-Type: application/octet-stream' -H 'Expect:' -T "$3" "$(object "$1" "$2")" > /dev/null; }

case "$SPLIT_NUM" in '' | *[!0-9]* | 0) echo "String_Split: SPLIT_NUM must be a positive whole number, got '$SPLIT_NUM'" >&2; exit 2 ;; esac
file=$(basename "$INPUT_KEY")
get "$INPUT_BUCKET" "$INPUT_KEY" input
lines=$(wc -l < input)
digits=$(printf '%s' "$((lines / SPLIT_NUM))" | wc -c)
[ "$digits" -ge 2 ] || digits=2
mkdir chunks
split -l "$SPLIT_NUM" -d -a "$digits" input "chunks/${file}_"
: > "${file}_splitlist"
# Every chunk in one curl, over one kept-alive connection (a curl per chunk cost a process
# start and a TCP connection each); --fail-early stops at the first refused upload.
printf 'header = "Authorization: Bearer %s"\nheader = "Content-Type: application/octet-stream"\nheader = "Expect:"\n' "$SKYBATCH_TOKEN" > upload.conf
for chunk in $(ls chunks | sort); do
  printf 'upload-file = "chunks/%s"\nurl = "%s"\n' "$chunk" "$(object "$OUTPUT_BUCKET" "$OUTPUT_KEY/$chunk")" >> upload.conf
  echo "$chunk" >> "${file}_splitlist"
done
if [ -s "${file}_splitlist" ]; then curl -fsS --fail-early --config upload.conf > /dev/null; fi
put "$OUTPUT_BUCKET" "$OUTPUT_KEY/${file}_splitlist" "${file}_splitlist"
echo "String_Split: $lines lines of $INPUT_BUCKET/$INPUT_KEY in $(wc -l < "${file}_splitlist") chunks under $OUTPUT_BUCKET/$OUTPUT_KEY/"
