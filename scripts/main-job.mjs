// The main job, headless: validate and plan every example, then run two example orchestrations end to
// end on the embedded runtime (the batch pipeline, and the tenant deployment followed by its dispose).
// Every step is the real `orch` CLI; the job stops at the first unexpected exit code.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
const runsDir = process.env.ORCH_RUNS_DIR ?? join(import.meta.dirname, '..', '.orch', 'runs');
const stateDir = mkdtempSync(join(tmpdir(), 'orch-tenant-state-'));

function orch(args, expected = 0) {
  console.log(`\n$ orch ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
  if (result.status !== expected) {
    console.error(`main job: 'orch ${args.join(' ')}' exited ${result.status}, expected ${expected}`);
    process.exit(1);
  }
}

orch(['validate', 'examples']);
for (const file of ['examples/batch-pipeline/pipeline.orch.json', 'examples/tenant-deployment/tenant.orch.json', 'examples/fanout-hosts/release.orch.json']) {
  orch(['plan', file]);
}
orch(['run', 'examples/batch-pipeline/pipeline.orch.json', '--runs-dir', runsDir]);
orch(['run', 'examples/tenant-deployment/tenant.orch.json', '--runs-dir', runsDir, '--set', `stateDir=${stateDir}`]);
orch(['dispose', 'latest', '--runs-dir', runsDir, '--dispose', 'examples/tenant-deployment/tenant-dispose.orch.json']);
orch(['runs', '--runs-dir', runsDir]);
console.log(`\nmain job: done. Runs are in ${runsDir}; see one with: node dist/cli.js show <run-id> --runs-dir ${runsDir}`);
