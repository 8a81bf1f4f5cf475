/* parseDefinition reads JSON and YAML and says where broken text breaks. */
import { describe, expect, it } from 'vitest';
import { DefinitionSyntaxError, parseDefinition } from '../../../src/asl/parse.js';

function syntaxError(text: string): DefinitionSyntaxError {
  try {
    parseDefinition(text);
  } catch (err) {
    expect(err).toBeInstanceOf(DefinitionSyntaxError);
    return err as DefinitionSyntaxError;
  }
  throw new Error('expected a DefinitionSyntaxError');
}

const MACHINE = { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } };

describe('parseDefinition', () => {
  it('reads JSON', () => {
    expect(parseDefinition(JSON.stringify(MACHINE, null, 2))).toEqual(MACHINE);
  });

  it('reads JSON behind a byte order mark and blank lines', () => {
    expect(parseDefinition(`\uFEFF\n\n${JSON.stringify(MACHINE)}`)).toEqual(MACHINE);
  });

  it('reads YAML', () => {
    const yaml = ['StartAt: A', 'States:', '  A:', '    Type: Pass', '    End: true', '    Parameters:', '      "x.$": $.x', '      list: [1, "two"]'].join('\n');
    expect(parseDefinition(yaml)).toEqual({
      StartAt: 'A',
      States: { A: { Type: 'Pass', End: true, Parameters: { 'x.$': '$.x', list: [1, 'two'] } } },
    });
  });

  it('keeps YAML timestamps as strings', () => {
    expect(parseDefinition('Timestamp: 2030-01-01T00:00:00Z')).toEqual({ Timestamp: '2030-01-01T00:00:00Z' });
  });

  it('reports where JSON breaks', () => {
    const err = syntaxError('{\n  "StartAt": "A",\n  "States": {,}\n}');
    expect(err.message).toMatch(/^invalid JSON: /);
    expect(err.line).toBe(3);
    expect(err.column).toBe(14);
    expect(err.message).toContain('line 3, column 14');
  });

  it('does not take JSON with a trailing comma as YAML', () => {
    const err = syntaxError('{"StartAt": "A",}');
    expect(err.message).toMatch(/^invalid JSON: /);
    expect(err.line).toBe(1);
  });

  it('reports truncated JSON at its end', () => {
    const err = syntaxError('{\n  "StartAt": "A",\n');
    expect(err.message).toMatch(/^invalid JSON: /);
    expect(err.line).toBe(3);
  });

  it('reports where YAML breaks', () => {
    const err = syntaxError('StartAt: A\nStates:\n  A: [1\n  B: 2');
    expect(err.message).toMatch(/^invalid YAML: /);
    expect(err.line).toBeGreaterThanOrEqual(3);
    expect(err.column).toBeDefined();
    expect(err.message).not.toContain('\n');
  });

  it('rejects duplicate YAML keys', () => {
    const err = syntaxError('StartAt: A\nStartAt: B\n');
    expect(err.message).toContain('unique');
    expect(err.line).toBe(2);
  });

  it('rejects empty text', () => {
    expect(syntaxError('  \n').message).toContain('empty');
  });
});
