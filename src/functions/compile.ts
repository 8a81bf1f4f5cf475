/*
 * Turns published source into the module the workers import.
 *
 * Why esbuild: it strips TypeScript types in a millisecond without type-checking (a type
 * error does not stop JavaScript from running, and Lambda never type-checks either), reports
 * syntax errors with line and column, and tells which names a module exports, so a missing
 * handler is refused at publish time instead of failing every invocation. `tsc` would be two
 * orders of magnitude slower and needs a project; Node 20 cannot strip types itself.
 *
 * Source that parses as JavaScript is kept byte for byte, so stack traces point at the lines
 * the author wrote. TypeScript gets an inline source map; the workers run with
 * --enable-source-maps, so its traces point at the TypeScript lines.
 */
import { build, type BuildFailure, type Loader } from 'esbuild';
import { BadRequestError } from '../errors.js';

export interface CompiledModule {
  module: string;
  exports: string[];
}

async function analyse(code: string, loader: Loader): Promise<CompiledModule> {
  const result = await build({
    stdin: { contents: code, loader, sourcefile: `index.${loader}` },
    write: false,
    bundle: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: loader === 'ts' ? 'inline' : false,
    outfile: 'index.mjs',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0]?.text ?? '';
  const exports = Object.values(result.metafile.outputs).flatMap((o) => o.exports);
  return { module: loader === 'js' ? code : output, exports };
}

function describe(failure: unknown): string {
  const errors = (failure as Partial<BuildFailure>).errors;
  if (!errors || errors.length === 0) return failure instanceof Error ? failure.message : String(failure);
  return errors.map((e) => (e.location ? `index:${e.location.line}:${e.location.column + 1}: ${e.text}` : e.text)).join('\n');
}

/** Throws BadRequestError with the compiler's messages, or when `handler` is not exported. */
export async function compileFunction(code: string, handler: string): Promise<CompiledModule> {
  let compiled: CompiledModule;
  try {
    compiled = await analyse(code, 'js');
  } catch {
    // TypeScript is a superset of JavaScript, so its error is the more useful one for both.
    try {
      compiled = await analyse(code, 'ts');
    } catch (err) {
      throw new BadRequestError(`the code does not compile:\n${describe(err)}`, { problems: describe(err).split('\n') });
    }
  }
  // `export * from` hides names from the analysis; the runtime reports a missing handler then.
  const reexports = /^\s*export\s*\*\s*from/m.test(code);
  if (!compiled.exports.includes(handler) && !reexports) {
    const found = compiled.exports.length > 0 ? `it exports ${compiled.exports.join(', ')}` : 'it exports nothing (an ESM module needs e.g. `export const handler = async (event) => ...`)';
    throw new BadRequestError(`the code does not export "${handler}": ${found}`);
  }
  return compiled;
}
