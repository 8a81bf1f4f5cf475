/*
 * Modules on disk under dataDir/functions/<name>/<version>/index.mjs, where worker threads
 * can import them. The database holds the truth; a file is written the first time a server
 * needs a version, so servers sharing PostgreSQL each fill their own data directory.
 *
 * A deleted function's name may be published again and number its versions from 1, so a
 * path alone does not identify code: the import URL carries the code's hash, which also
 * keeps a worker's module cache (keyed by URL) from serving the old module.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export class ModuleFiles {
  /** name/version/hash already on disk, so most invocations touch neither database code nor files. */
  private readonly written = new Set<string>();

  constructor(private readonly root: string) {}

  /**
   * The import URL of a version's module; `load` fetches the module text when it is not on
   * disk yet (or the file holds another function's code of the same name and version).
   */
  async ensure(name: string, version: number, hash: string, load: () => Promise<string>): Promise<string> {
    const dir = join(this.root, name, String(version));
    const file = join(dir, 'index.mjs');
    const key = `${name}/${version}/${hash}`;
    const url = `${pathToFileURL(file).href}?v=${encodeURIComponent(hash)}`;
    if (this.written.has(key)) return url;
    const text = await load();
    const current = await readFile(file, 'utf8').catch(() => undefined);
    if (current === undefined || digest(current) !== digest(text)) {
      await mkdir(dir, { recursive: true });
      // Write then rename: a worker importing at this moment sees the old file or the new one, never half.
      const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(temp, text);
      await rename(temp, file);
    }
    this.written.add(key);
    return url;
  }

  /** Removes a deleted function's files; a worker holding the module keeps its copy in memory. */
  async remove(name: string): Promise<void> {
    for (const key of this.written) if (key.startsWith(`${name}/`)) this.written.delete(key);
    await rm(join(this.root, name), { recursive: true, force: true });
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
