/*
 * Job_Map: reads String_Split's list of chunks and returns one work item per chunk for the two
 * Map states (String_Repeat and String_Reverse). The event is the whole state:
 * {TaskInfo: {BasicParameters, JobParameter}, ...}.
 */
async function getText(bucket, key) {
  const url = `${process.env.SKYBATCH_ENDPOINT}/api/v1/buckets/${encodeURIComponent(bucket)}/objects/${key.split('/').map(encodeURIComponent).join('/')}`;
  const response = await fetch(url, { headers: { authorization: `Bearer ${process.env.SKYBATCH_TOKEN}` } });
  if (!response.ok) throw new Error(`cannot read ${bucket}/${key}: HTTP ${response.status} ${await response.text()}`);
  return response.text();
}

export async function handler(event) {
  const basic = event?.TaskInfo?.BasicParameters;
  const jobs = event?.TaskInfo?.JobParameter;
  if (!basic || !jobs?.String_Split || !jobs.String_Repeat || !jobs.String_Reverse) {
    throw new Error('Job_Map needs TaskInfo.BasicParameters and TaskInfo.JobParameter.{String_Split,String_Repeat,String_Reverse}');
  }
  const file = basic.INPUT_KEY.split('/').pop();
  const splitKey = jobs.String_Split.OUTPUT_KEY;
  const list = await getText(basic.OUTPUT_BUCKET, `${splitKey}/${file}_splitlist`);
  const chunks = list.split('\n').filter((line) => line !== '');
  return chunks.map((chunk, index) => ({
    INDEX: index,
    INPUT_KEY: `${splitKey}/${chunk}`,
    INPUT_BUCKET: basic.OUTPUT_BUCKET,
    OUTPUT_BUCKET: basic.OUTPUT_BUCKET,
    String_Repeat: { Name: jobs.String_Repeat.Name, OUTPUT_KEY: jobs.String_Repeat.OUTPUT_KEY },
    String_Reverse: { Name: jobs.String_Reverse.Name, OUTPUT_KEY: jobs.String_Reverse.OUTPUT_KEY },
  }));
}
