/*
 * `npm run bench -- NAME` runs bench/NAME.ts's `run()`. Benchmarks are discovered from the
 * directory so adding one needs no registration here.
 */
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const available = (await readdir(benchDir))
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();
const name = process.argv[2];

if (name === undefined || !available.includes(name)) {
  if (name !== undefined) console.error(`unknown benchmark "${name}"`);
  console.error(`usage: npm run bench -- NAME\navailable: ${available.join(', ')}`);
  process.exitCode = 2;
} else {
  const module = (await import(pathToFileURL(join(benchDir, `${name}.ts`)).href)) as { run?: () => Promise<void> };
  if (typeof module.run !== 'function') {
    console.error(`bench/${name}.ts does not export run()`);
    process.exitCode = 2;
  } else {
    await module.run();
  }
}
