/*
 * Exit journals as a restarted server reads them: real files, appended the way the launcher
 * appends (whole lines, sometimes a torn last one), and liveness seen through /proc.
 */
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitJournals, journalFileName } from '../../../src/batch/executors/local-exit-journal.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skybatch-exit-journal-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('ExitJournals', () => {
  it('finds records in any journal of the folder, whenever asked', async () => {
    writeFileSync(join(dir, 'a.exits'), 'job-1#1 0\njob-2#1 3\n');
    writeFileSync(join(dir, 'b.exits'), 'job-3#2 127 not-found\n');
    writeFileSync(join(dir, 'notes.txt'), 'job-4#1 9\n');
    const journals = new ExitJournals(dir);
    expect(await journals.lookup('job-2#1')).toEqual({ exitCode: 3, notFound: false });
    // Read past already by the first lookup: a first ask of another key scans again.
    expect(await journals.lookup('job-1#1')).toEqual({ exitCode: 0, notFound: false });
    expect(await journals.lookup('job-3#2')).toEqual({ exitCode: 127, notFound: true });
    expect(await journals.lookup('job-2#1')).toEqual({ exitCode: 3, notFound: false });
    // Only .exits files are journals.
    expect(await journals.lookup('job-4#1')).toBeUndefined();
  });

  it('sees records appended after a first look, and takes a torn last line only once it is whole', async () => {
    const path = join(dir, 'live.exits');
    writeFileSync(path, 'other#1 0\n');
    const journals = new ExitJournals(dir);
    const lookups = await Promise.all([journals.lookup('late#1'), journals.lookup('torn#1')]);
    expect(lookups).toEqual([undefined, undefined]);
    appendFileSync(path, 'late#1 1\ntorn#1 1');
    expect(await journals.lookup('late#1')).toEqual({ exitCode: 1, notFound: false });
    expect(await journals.lookup('torn#1')).toBeUndefined();
    appendFileSync(path, '37\n');
    expect(await journals.lookup('torn#1')).toEqual({ exitCode: 137, notFound: false });
  });

  it('does not find a key that is only the prefix of a recorded one', async () => {
    writeFileSync(join(dir, 'a.exits'), 'job-1#10 4\n');
    expect(await new ExitJournals(dir).lookup('job-1#1')).toBeUndefined();
  });

  it('deletes journals last written over a week ago that no process holds open', () => {
    const old = Date.now() / 1000 - 8 * 24 * 3600;
    const stale = join(dir, 'stale.exits');
    const held = join(dir, 'held.exits');
    const recent = join(dir, 'recent.exits');
    for (const path of [stale, held, recent]) writeFileSync(path, 'x#1 0\n');
    utimesSync(stale, old, old);
    utimesSync(held, old, old);
    // Held open, as a launcher still reaping its jobs holds its journal.
    const fd = openSync(held, 'a');
    try {
      new ExitJournals(dir).removeStale();
      expect([existsSync(stale), existsSync(held), existsSync(recent)]).toEqual([false, true, true]);
    } finally {
      closeSync(fd);
    }
  });

  it('names journals after the host, the server and the time, safe as a file name', () => {
    expect(journalFileName('node 1/a', 1700000000000)).toBe(`node_1_a-${process.pid}-1700000000000.exits`);
  });
});
