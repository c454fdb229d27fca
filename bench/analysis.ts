/**
 * Full analysis of one definition, three ways, on the same generated text:
 * - ours: ParsedDocument (parse, tree, model) + analyzeDocument (syntax, schema, every rule) against
 *   an index holding the generated ActivityDefinitions, exactly what the server runs on each edit;
 * - vscode-json-languageservice: parse + doValidation with our orchestration schema associated,
 *   which is what VS Code's built-in JSON support would do with the `jsonValidation` contribution;
 * - ajv alone: JSON.parse + the compiled schema validator; no positions, no rules, the lower bound.
 * Targets: ours under 100 ms (median) at 10,000 activities, and at least 3x faster than JSON-LS.
 * The three run round-robin, so that load from elsewhere on the machine does not skew the ratio.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getLanguageService, TextDocument } from 'vscode-json-languageservice';
import { ParsedDocument } from '../runtime/analysis/document';
import { analyzeDocument } from '../runtime/analysis/validate';
import { WorkspaceIndex } from '../runtime/index/workspaceIndex';
import { generateWorkload, type Workload } from './generate';
import { measureInterleaved } from './measure';
import type { BenchSection } from './section';
import { bytes, count, ms, ratio, Table } from './table';

const SCHEMA_URI = 'https://orchestration-studio.dev/schemas/orchestration-definition.schema.json';
const TARGET_MS = 100;
const TARGET_RATIO = 3;

/**
 * The schemas folder beside dist/ (the bundle) or bench/ (run from source with tsx). Each contender
 * gets its own copy: JSON-LS resolves `$ref`s in place, leaving cycles that would send ajv looping.
 */
function loadSchema(): Record<string, unknown> {
  const path = resolve(__dirname, '..', 'schemas', 'orchestration-definition.schema.json');
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

function ours(workload: Workload) {
  const index = new WorkspaceIndex();
  index.set('file:///bench/types.activity.json', workload.activityDefinitions);
  const uri = `file:///bench/bench-${workload.size}.orch.json`;
  return () => analyzeDocument(new ParsedDocument(uri, workload.definition), index).diagnostics;
}

function jsonLanguageService(schema: Record<string, unknown>, workload: Workload) {
  const service = getLanguageService({
    // Everything the schema refers to is either inside it or a meta-schema JSON-LS ships with.
    schemaRequestService: (uri) => Promise.reject(new Error(`the benchmark does not fetch ${uri}`)),
  });
  service.configure({ validate: true, allowComments: true, schemas: [{ uri: SCHEMA_URI, fileMatch: ['*.orch.json'], schema }] });
  const uri = `file:///bench/bench-${workload.size}.orch.json`;
  return async () => {
    const document = TextDocument.create(uri, 'json', 1, workload.definition);
    return service.doValidation(document, service.parseJSONDocument(document));
  };
}

function ajvAlone(schema: Record<string, unknown>, workload: Workload) {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return () => {
    validate(JSON.parse(workload.definition));
    return validate.errors ?? [];
  };
}

export const analysisSection: BenchSection = {
  name: 'analysis',
  description: 'Full analysis of one definition: ours vs vscode-json-languageservice vs ajv alone',
  async run(ctx) {
    const sizes = ctx.quick ? [100, 1000] : [100, 1000, 10000];
    const table = new Table('Analysis of one definition (wall-clock and CPU medians of the runs, after warm-up)', [
      { header: 'activities' }, { header: 'size' }, { header: 'runs' },
      { header: 'ours' }, { header: 'JSON-LS' }, { header: 'ajv alone' }, { header: 'JSON-LS / ours' },
      { header: 'CPU ours' }, { header: 'CPU JSON-LS' }, { header: 'CPU ratio' },
      { header: 'problems (ours / JSON-LS / ajv)', align: 'left' },
    ]);
    let atLargest: { ours: number; jsonLs: number } | undefined;
    for (const size of sizes) {
      const workload = generateWorkload(size);
      const runs = ctx.runs(size >= 10000 ? 10 : 20);
      const warmup = Math.max(2, Math.ceil(runs / 4));
      const runOurs = ours(workload);
      const runJsonLs = jsonLanguageService(loadSchema(), workload);
      const runAjv = ajvAlone(loadSchema(), workload);
      // Problem counts prove each contender really checked the document (and that it is valid).
      const problems = `${runOurs().length} / ${(await runJsonLs()).length} / ${runAjv().length}`;
      const [a, b, c] = await measureInterleaved([runOurs, runJsonLs, runAjv], { warmup, runs });
      table.add(count(size), bytes(workload.definition.length), String(runs),
        ms(a.median), ms(b.median), ms(c.median), ratio(b.median, a.median),
        ms(a.cpuMedian), ms(b.cpuMedian), ratio(b.cpuMedian, a.cpuMedian),
        problems);
      atLargest = { ours: a.median, jsonLs: b.median };
    }
    ctx.print(table);
    if (atLargest) {
      const largest = count(sizes[sizes.length - 1]);
      ctx.target(`ours < ${TARGET_MS} ms median at ${largest} activities`, atLargest.ours < TARGET_MS, ms(atLargest.ours));
      ctx.target(`ours >= ${TARGET_RATIO}x faster than JSON-LS at ${largest} activities`, atLargest.jsonLs / atLargest.ours >= TARGET_RATIO, ratio(atLargest.jsonLs, atLargest.ours));
    }
  },
};
