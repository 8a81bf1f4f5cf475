/* Topic names and ARNs: `arn:aws:sns:REGION:ACCOUNT:NAME`, with the region and account of every other ARN here. */
import { ACCOUNT, REGION } from '../engine/state-machines.js';
import { BadRequestError } from '../errors.js';

/** As SNS: 1 to 256 letters, digits, "-" or "_". */
const NAME = /^[A-Za-z0-9_-]{1,256}$/;
const ARN = /^arn:aws[a-z-]*:sns:[^:]*:[^:]*:([^:]+)$/;

export function topicArn(name: string): string {
  return `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
}

/** The topic name of a name or an ARN; BadRequestError when it is neither. */
export function topicName(nameOrArn: string): string {
  const name = ARN.exec(nameOrArn)?.[1] ?? nameOrArn;
  if (!NAME.test(name)) throw new BadRequestError(`"${nameOrArn}" is not a topic name or ARN: expected NAME or arn:aws:sns:REGION:ACCOUNT:NAME, with NAME 1 to 256 letters, digits, "-" or "_"`);
  return name;
}

export function isTopicArn(value: string): boolean {
  return ARN.test(value);
}
