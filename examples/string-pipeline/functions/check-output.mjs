/*
 * Check_Output: both merged files must exist and have as many lines as the input. Returns
 * {JobStatus: {OutputStatus: "SUCCEEDED" | "FAILED", Job_Comment, SNS_Subject}}; the comment says
 * when, what went in and what came out (or what is missing), and is what the notification sends.
 */
function objectUrl(bucket, key) {
  return `${process.env.SKYBATCH_ENDPOINT}/api/v1/buckets/${encodeURIComponent(bucket)}/objects/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** {lines, bytes} of an object, counted as it streams by; undefined when it does not exist. */
async function countLines(bucket, key) {
  const response = await fetch(objectUrl(bucket, key), { headers: { authorization: `Bearer ${process.env.SKYBATCH_TOKEN}` } });
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.ok) throw new Error(`cannot read ${bucket}/${key}: HTTP ${response.status} ${await response.text()}`);
  let lines = 0;
  let bytes = 0;
  for await (const chunk of response.body) {
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return { lines, bytes };
}

export async function handler(event) {
  const basic = event?.TaskInfo?.BasicParameters;
  const jobs = event?.TaskInfo?.JobParameter;
  if (!basic || !jobs?.String_Repeat || !jobs.String_Reverse) throw new Error('Check_Output needs TaskInfo.BasicParameters and TaskInfo.JobParameter');
  const file = basic.INPUT_KEY.split('/').pop();
  const input = await countLines(basic.INPUT_BUCKET, basic.INPUT_KEY);
  const outputs = [
    [jobs.String_Repeat, jobs.String_Repeat.Prefix ?? 'repeat'],
    [jobs.String_Reverse, jobs.String_Reverse.Prefix ?? 'reverse'],
  ].map(([job, prefix]) => ({ name: job.Name, bucket: basic.OUTPUT_BUCKET, key: `${job.OUTPUT_KEY}/${prefix}_${file}_merge` }));
  const problems = [];
  const lines = [];
  if (!input) problems.push(`the input s3://${basic.INPUT_BUCKET}/${basic.INPUT_KEY} does not exist`);
  for (const output of outputs) {
    const counted = await countLines(output.bucket, output.key);
    if (!counted) problems.push(`${output.name}: s3://${output.bucket}/${output.key} does not exist`);
    else {
      lines.push(`  s3://${output.bucket}/${output.key}: ${counted.lines} lines, ${counted.bytes} bytes`);
      if (input && counted.lines !== input.lines) problems.push(`${output.name}: s3://${output.bucket}/${output.key} has ${counted.lines} lines, the input ${input.lines}`);
    }
  }
  const status = problems.length === 0 ? 'SUCCEEDED' : 'FAILED';
  const comment = [
    `String pipeline ${basic.ProjectNo}: ${status} at ${new Date().toISOString()}`,
    `Input: s3://${basic.INPUT_BUCKET}/${basic.INPUT_KEY}${input ? ` (${input.lines} lines, ${input.bytes} bytes)` : ''}`,
    'Outputs:',
    ...lines,
    ...(problems.length > 0 ? ['Problems:', ...problems.map((p) => `  ${p}`)] : []),
  ].join('\n');
  return { JobStatus: { OutputStatus: status, Job_Comment: comment, SNS_Subject: `String pipeline ${basic.ProjectNo}: ${status}` } };
}
