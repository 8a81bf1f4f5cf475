# String_Repeat_Merge / String_Reverse_Merge: concatenates the chunk outputs
# s3://$OUTPUT_BUCKET/$OUTPUT_KEY/<PREFIX>_<chunk>, in the order of the split list
# s3://$SPLIT_BUCKET/$SPLIT_KEY/<file>_splitlist, into s3://$OUTPUT_BUCKET/$OUTPUT_KEY/<PREFIX>_<file>_merge.
# A chunk whose job failed has no output: it is left out (and said so), so the merged file is
# short and Check_Output reports the pipeline FAILED, naming the file.
set -eu
export LC_ALL=C
object() { printf '%s/api/v1/buckets/%s/objects/%s' "$SKYBATCH_ENDPOINT" "$1" "$2"; }
get() { curl -fsS -H "Authorization: Bearer $SKYBATCH_TOKEN" -o "$3" "$(object "$1" "$2")"; }
# 0: got it; 1: no such object; anything else stops the job.
get_if_there() {
  status=$(curl -sS -H "Authorization: Bearer $SKYBATCH_TOKEN" -o "$3" -w '%{http_code}' "$(object "$1" "$2")")
  case "$status" in 200) return 0 ;; 404) return 1 ;; *) echo "GET $1/$2: HTTP $status" >&2; exit 1 ;; esac
}
put() { curl -fsS -H "Authorization: Bearer $SKYBATCH_TOKEN" -H 'Content-Type: application/octet-stream' -T "$3" "$(object "$1" "$2")" > /dev/null; }

file=$(basename "$INPUT_KEY")
get "$SPLIT_BUCKET" "$SPLIT_KEY/${file}_splitlist" list
: > merged
missing=0
while IFS= read -r chunk; do
  if get_if_there "$OUTPUT_BUCKET" "$OUTPUT_KEY/${PREFIX}_$chunk" part; then
    cat part >> merged
  else
    echo "$PREFIX: no output for chunk $chunk (its job failed); merging without it" >&2
    missing=$((missing + 1))
  fi
done < list
put "$OUTPUT_BUCKET" "$OUTPUT_KEY/${PREFIX}_${file}_merge" merged
echo "$PREFIX: merged $(wc -l < list) chunks into $OUTPUT_BUCKET/$OUTPUT_KEY/${PREFIX}_${file}_merge ($(wc -c < merged) bytes, $missing missing)"
