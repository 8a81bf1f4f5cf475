// Builds native/launcher.c into build/skybatch-launcher (see the file for why it exists).
// Without a C compiler the local executor falls back to spawning through Node, slower but
// complete, so a missing compiler is a warning, not a failed install.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const output = join(root, 'build', 'skybatch-launcher');
if (process.platform !== 'linux') {
  console.warn('skybatch: the job launcher is Linux-only; jobs will start through Node (slower)');
} else {
  mkdirSync(dirname(output), { recursive: true });
  try {
    execFileSync(process.env.CC ?? 'cc', ['-O2', '-Wall', '-o', output, join(root, 'native', 'launcher.c')], { stdio: 'inherit' });
  } catch (error) {
    console.warn(`skybatch: could not build the job launcher (${error.message}); jobs will start through Node (slower)`);
  }
}
