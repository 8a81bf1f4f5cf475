# String_Repeat_Merge / String_Reverse_Merge: concatenates the chunk outputs
# s3://$OUTPUT_BUCKET/$OUTPUT_KEY/<PREFIX>_<chunk>, in the order of the split list
# s3://$SPLIT_BUCKET/$SPLIT_KEY/<file>_splitlist, into s3://$OUTPUT_BUCKET/$OUTPUT_KEY/<PREFIX>_<file>_merge.
set -eu
export LC_ALL=C
object() { printf '%s/api/v1/buckets/%s/objects/%s' "$SKYBATCH_ENDPOINT" "$1" "$2"; }
get() { curl -fsS -H "Authorization: Bearer $SKYBATCH_TOKEN" -o "$3" "$(object "$1" "$2")"; }
put() { curl -fsS -H "Authorization: Bearer $SKYBATCH_TOKEN" -H 'Content-Type: application/octet-stream' -T "$3" "$(object "$1" "$2")" > /dev/null; }

file=$(basename "$INPUT_KEY")
get "$SPLIT_BUCKET" "$SPLIT_KEY/${file}_splitlist" list
: > merged
while IFS= read -r chunk; do
  get "$OUTPUT_BUCKET" "$OUTPUT_KEY/${PREFIX}_$chunk" part
  cat part >> merged
done < list
put "$OUTPUT_BUCKET" "$OUTPUT_KEY/${PREFIX}_${file}_merge" merged
echo "$PREFIX: merged $(wc -l < list) chunks into $OUTPUT_BUCKET/$OUTPUT_KEY/${PREFIX}_${file}_merge ($(wc -c < merged) bytes)"
