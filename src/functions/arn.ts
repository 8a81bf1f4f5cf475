/*
 * The one place where function references are parsed and ARNs are made. Lambda accepts a
 * name, a partial ARN (ACCOUNT:function:NAME) or a full ARN, each optionally followed by
 * :VERSION or :ALIAS; region and account are not checked, so a definition written for AWS
 * runs unchanged.
 */
import { ACCOUNT, REGION } from '../engine/state-machines.js';
import { BadRequestError } from '../errors.js';

export const LATEST = '$LATEST';

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** A version number, $LATEST, or an alias name (which may not be all digits). */
const QUALIFIER = /^(\$LATEST|[0-9]{1,10}|[A-Za-z0-9_-]{1,128})$/;
const ALIAS = /^(?![0-9]+$)[A-Za-z0-9_-]{1,128}$/;

const FULL_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]*:[0-9]*:function:(.+)$/;
const PARTIAL_ARN = /^[0-9]{1,12}:function:(.+)$/;
/** Resources of a Task state that name a function directly (the "legacy" Lambda integration). */
const RESOURCE = /^arn:aws[a-z-]*:lambda:[a-z0-9-]*:[0-9]*:function:[^:]+(:[^:]+)?$/;

export interface FunctionRef {
  name: string;
  qualifier?: string;
}

export function isFunctionName(name: string): boolean {
  return NAME.test(name);
}

export function checkFunctionName(name: string): void {
  if (!NAME.test(name)) throw new BadRequestError(`function name "${name}" must be 1 to 64 letters, digits, "-" or "_"`);
}

export function checkAliasName(alias: string): void {
  if (!ALIAS.test(alias)) throw new BadRequestError(`alias "${alias}" must be 1 to 128 letters, digits, "-" or "_", and not only digits`);
}

export function isFunctionResource(resource: string): boolean {
  return RESOURCE.test(resource);
}

/**
 * Parses a name or ARN; `qualifier` (e.g. an API's ?qualifier=) applies when the reference
 * has none, and must agree with it when it has one, as Lambda insists.
 */
export function parseFunctionRef(ref: string, qualifier?: string): FunctionRef {
  const rest = FULL_ARN.exec(ref)?.[1] ?? PARTIAL_ARN.exec(ref)?.[1] ?? ref;
  const parts = rest.split(':');
  const [name = '', own, ...extra] = parts;
  if (extra.length > 0 || !NAME.test(name)) throw new BadRequestError(`"${ref}" is not a function name or ARN: expected NAME, NAME:QUALIFIER or arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER], with NAME 1 to 64 letters, digits, "-" or "_"`);
  if (own !== undefined && qualifier !== undefined && own !== qualifier) throw new BadRequestError(`"${ref}" names qualifier "${own}" but the request asks for "${qualifier}"`);
  const chosen = own ?? qualifier;
  if (chosen === undefined) return { name };
  if (!QUALIFIER.test(chosen)) throw new BadRequestError(`qualifier "${chosen}" must be $LATEST, a version number or an alias name`);
  return { name, qualifier: chosen };
}

export function functionArn(name: string, qualifier?: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}${qualifier === undefined ? '' : `:${qualifier}`}`;
}
