# String_Repeat_Merge / String_Reverse_Merge: concatenates the chunk outputs
# s3://$OUTPUT_BUCKET/$OUTPUT_KEY/<PREFIX>_<chunk>, in the order of the split list
# s3://$SPLIT_BUCKET/$SPLIT_KEY/<file>_splitlist, into s3://$OUTPUT_BUCKET/$OUTPUT_KEY/<PREFIX>_<file>_merge.
# A chunk whose job failed has no output: it is left out (and said so), so the merged file is
# short and Check_Output reports the pipeline FAILED, naming the file.
set -eu
export LC_ALL=C
object() { printf '%s/api/v1/buckets/%s/objects/%s' "$SKYBATCH_ENDPOINT" "$1" "$2"; }
get() { curl -fsS -H "Authorization: Bearer $SKYBATCH_TOKEN" -o "$3" "$(object "$1" "$2")"; }
# Without curl's `Expect: 100-continue`: the server takes every body, and waiting for its go-ahead
# cost a round trip per upload.
put() { curl -fsS -H "Authorization: Bearer $SKYBATCH_TOKEN" -H 'Content-Type: application/octet-stream' -H 'Expect:' -T "$3" "$(object "$1" "$2")" > /dev/null; }

file=$(basename "$INPUT_KEY")
get "$SPLIT_BUCKET" "$SPLIT_KEY/${file}_splitlist" list
# Every chunk output in one curl, over one kept-alive connection: a curl per chunk cost a
# process start and a TCP connection each (100 chunks: most of the merge's time). Without
# --fail, a missing object is a 404 written into its part file; -w lists each transfer's
# status, in list order.
mkdir parts
{
  printf 'header = "Authorization: Bearer %s"\n' "$SKYBATCH_TOKEN"
  while IFS= read -r chunk; do
    printf 'url = "%s"\noutput = "parts/%s"\n' "$(object "$OUTPUT_BUCKET" "$OUTPUT_KEY/${PREFIX}_$chunk")" "$chunk"
  done < list
} > fetch.conf
if [ -s list ]; then curl -sS --config fetch.conf -w '%{http_code}\n' > statuses; else : > statuses; fi
paste -d ' ' list statuses > fetched
: > present
missing=0
while read -r chunk status; do
  case "$status" in
    200) echo "parts/$chunk" >> present ;;
    404)
      echo "$PREFIX: no output for chunk $chunk (its job failed); merging without it" >&2
      missing=$((missing + 1))
      ;;
    *) echo "GET $OUTPUT_BUCKET/$OUTPUT_KEY/${PREFIX}_$chunk: HTTP $status" >&2; exit 1 ;;
  esac
done < fetched
: > merged
# In list order; xargs may call cat more than once, each appending after the last.
xargs -r cat < present >> merged
put "$OUTPUT_BUCKET" "$OUTPUT_KEY/${PREFIX}_${file}_merge" merged
echo "$PREFIX: merged $(wc -l < list) chunks into $OUTPUT_BUCKET/$OUTPUT_KEY/${PREFIX}_${file}_merge ($(wc -c < merged) bytes, $missing missing)"
