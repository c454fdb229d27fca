/**
 * The documents the project promises are clean: the connector-fabric-manager design examples (the
 * format's origin) and every example workspace, analysed the way the editor and `orch validate` do.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyzeDocument } from '../../runtime/analysis/validate';
import { scanInto } from '../../runtime/index/scan';
import { WorkspaceIndex } from '../../runtime/index/workspaceIndex';
import { unwrapSchema, type ActivityDefinition } from '../../runtime/model/types';

const repo = join(__dirname, '..', '..');
const cfmFixtures = join(repo, '..', 'shared', 'fixtures', 'cfm');
const examples = join(repo, 'examples');

function analyseFolder(folder: string) {
  const index = new WorkspaceIndex();
  const files = scanInto(index, [folder]);
  return files.map((file) => {
    const doc = index.get(file);
    assert.ok(doc, file);
    return { file: relative(repo, file), diagnostics: analyzeDocument(doc, index).diagnostics };
  });
}

function listDiagnostics(results: ReturnType<typeof analyseFolder>): string {
  return results.flatMap((r) => r.diagnostics.map((d) => `${r.file}: ${d.severity} ${d.code} ${d.message}`)).join('\n');
}

suite('fixtures', () => {
  test('the connector-fabric-manager design examples have no errors, only unknown-type warnings', () => {
    const results = analyseFolder(cfmFixtures);
    assert.equal(results.length, 3);
    const unexpected = results.flatMap((r) => r.diagnostics.filter((d) => d.code !== 'ORCH301'));
    assert.deepEqual(unexpected, [], listDiagnostics(results));
    const warned = results.flatMap((r) => r.diagnostics.map((d) => `${d.severity} ${d.message.match(/'([^']+)'/)?.[1]}`)).sort();
    assert.deepEqual(warned, ['warning activity2.example.com', 'warning test']);
  });

  const folders = readdirSync(examples).filter((name) => statSync(join(examples, name)).isDirectory()).sort();

  test('there are example workspaces, each with a README and an orchestration', () => {
    assert.ok(folders.length >= 3, folders.join(', '));
    for (const name of ['tenant-deployment', 'batch-pipeline', 'fanout-hosts']) assert.ok(folders.includes(name), name);
    for (const folder of folders) {
      assert.ok(existsSync(join(examples, folder, 'README.md')), `${folder}/README.md`);
      assert.ok(readdirSync(join(examples, folder)).some((f) => f.endsWith('.orch.json')), `${folder} has no *.orch.json`);
    }
  });

  for (const folder of folders) {
    test(`example ${folder}: no errors and no warnings`, () => {
      const results = analyseFolder(join(examples, folder));
      assert.ok(results.length >= 2);
      assert.equal(listDiagnostics(results), '');
    });
  }

  test('the examples use only real providers, and shell scripts read inputs only through quoted variables', () => {
    for (const folder of folders) {
      const dir = join(examples, folder);
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.activity.json'))) {
        const parsed = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ActivityDefinition | ActivityDefinition[];
        for (const definition of Array.isArray(parsed) ? parsed : [parsed]) {
          const where = `${folder}/${file} ${definition.type}`;
          assert.ok(['shell', 'ssh', 'http', 'node', 'noop'].includes(definition.provider), where);
          assert.ok(definition.description, `${where}: description`);
          // The input checks of the analysis need schemas that say something.
          const input = unwrapSchema(definition.inputSchema) as { properties?: object; required?: string[] } | undefined;
          const output = unwrapSchema(definition.outputSchema) as { properties?: object } | undefined;
          assert.ok(input?.properties && input.required?.length, `${where}: inputSchema with properties and required`);
          assert.ok(output?.properties, `${where}: outputSchema with properties`);
          if (definition.provider !== 'shell' && definition.provider !== 'ssh') continue;
          const args = (definition.config?.args ?? []) as string[];
          const script = args[args.indexOf('-c') + 1] ?? '';
          // Every expansion of an input variable sits inside double quotes.
          for (const line of script.split('\n')) {
            const unquoted = line.replace(/"(?:[^"\\]|\\.)*"/g, '""');
            assert.doesNotMatch(unquoted, /\$\{?ORCH_INPUT_/, `${where}: unquoted input in: ${line}`);
          }
        }
      }
    }
  });
});
