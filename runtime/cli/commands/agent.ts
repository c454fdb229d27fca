/**
 * `orch agent`: a long-running worker of distributed mode. It pulls the activities of its types from
 * NATS JetStream, runs them with the same providers as `orch run`, and reports back to the
 * orchestrator; it prints one line per event (NDJSON with --json). SIGTERM or Ctrl-C shut it down
 * gracefully (stop pulling, let attempts finish for up to --drain-timeout, hand the rest to other
 * agents); a second Ctrl-C exits at once.
 */
import { natsSettingsFromEnv, NatsSettingsError } from '../../distributed/connection';
import { AgentStartError, startAgent, AGENT_DEFAULTS, type AgentEventName, type AgentEvents, type AgentHandle } from '../../distributed/agent/agent';
import { envSecretStore } from '../../engine/secrets';
import { UsageError } from '../args';
import { defineCommand } from '../command';
import { paletteFor, plural, type Palette } from '../format';
import { ExitCode, type CliIo } from '../io';
import { clockTime, formatDuration } from '../progress';
import { parsePositiveInt } from './run';

function parseMs(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be a whole number of milliseconds >= ${min}, not '${value}'`);
  return n;
}

function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s*\r?\n\s*/g, ' ⏎ ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The text of an event, one line per event ('ready' adds one per type it does not serve). */
function describe<K extends AgentEventName>(name: K, event: AgentEvents[K], p: Palette): string {
  const time = clockTime(Date.now());
  switch (name) {
    case 'ready': {
      const e = event as AgentEvents['ready'];
      const lines = [`${time} agent ${p.bold(e.name)} ready: serving ${e.types.join(', ')} (concurrency ${e.concurrency}, ack wait ${formatDuration(e.ackWaitMs)}) on ${e.url}`];
      for (const s of e.skipped) lines.push(`${time} ${p.dim(`not serving ${s.type}: ${s.reason}`)}`);
      return lines.join('\n');
    }
    case 'started': {
      const e = event as AgentEvents['started'];
      const what = e.poll ? `attempt ${e.attempt}, poll ${e.poll}` : `attempt ${e.attempt}`;
      return `${time} ${p.bold(`● ${e.unitKey}`)} ${p.dim(e.runId)} started (${what}${e.delivery > 1 ? `, delivery ${e.delivery}` : ''}) ${p.dim(e.type)}`;
    }
    case 'finished': {
      const e = event as AgentEvents['finished'];
      const who = `${e.unitKey || '?'}`;
      const took = `attempt ${e.attempt}, ${formatDuration(e.durationMs)}`;
      switch (e.outcome) {
        case 'complete': return `${time} ${p.severity('hint', `✓ ${who}`)} ${p.dim(e.runId)} completed (${took})`;
        case 'wait': return `${time} ${p.severity('warning', `⏸ ${who}`)} ${p.dim(e.runId)} waits for an external completion (${took})`;
        case 'schedule': return `${time} ${p.bold(`● ${who}`)} ${p.dim(e.runId)} polls again in ${formatDuration(e.delayMs)} (${took})`;
        case 'retry': return `${time} ${p.severity('warning', `↻ ${who}`)} ${p.dim(e.runId)} retries in ${formatDuration(e.delayMs)} (${took}): ${oneLine(e.error ?? '')}`;
        case 'fatal': return `${time} ${p.severity('error', `✗ ${who}`)} ${p.dim(e.runId)} failed (${took}): ${oneLine(e.error ?? '')}`;
        case 'cancelled': return `${time} ${p.severity('warning', `■ ${who}`)} ${p.dim(e.runId)} ${oneLine(e.error ?? 'cancelled')} (${took})`;
        case 'released': return `${time} ${p.severity('warning', `↩ ${who}`)} ${p.dim(e.runId)} handed back for another agent (${took})`;
        case 'reported': return `${time} ${p.dim(`✓ ${who}`)} ${p.dim(e.runId)} came back with its result stored already: acknowledged, not run again`;
        default: return `${time} ${p.severity('error', '✗ message rejected')}: ${oneLine(e.error ?? '')}`;
      }
    }
    case 'error': return `${time} ${p.severity('error', 'error')}: ${(event as AgentEvents['error']).message}`;
    case 'reconnecting': return `${time} ${p.severity('warning', 'reconnecting')}: ${(event as AgentEvents['reconnecting']).reason}`;
    case 'reconnected': {
      const e = event as AgentEvents['reconnected'];
      return `${time} reconnected${e.type ? `: pulling ${e.type} again` : ` to ${e.url}`}`;
    }
    case 'stopping': {
      const e = event as AgentEvents['stopping'];
      return `${time} stopping: no new work${e.inFlight ? `; waiting up to ${formatDuration(e.drainTimeoutMs)} for ${plural(e.inFlight, 'attempt')} in flight (Ctrl-C again to exit now)` : ''}`;
    }
    default: {
      const e = event as AgentEvents['closed'];
      return `${time} agent stopped${e.error ? `: ${e.error}` : ''}`;
    }
  }
}

const EVENTS: AgentEventName[] = ['ready', 'started', 'finished', 'error', 'reconnecting', 'reconnected', 'stopping', 'closed'];

/** How long a started/finished line may wait to be written with the next ones. */
const BATCH_MS = 20;
const BATCH_CHARS = 64 * 1024;

/**
 * Prints the agent's events. The per-activity ones (started, finished: two a dispatch) go out in
 * batches, a write every BATCH_MS at most: a write each was the agent's costliest step on a busy
 * queue. Anything else flushes the batch first and is written at once, and the batch is flushed
 * when the process exits, however it exits short of SIGKILL.
 */
function follow(agent: AgentHandle, io: CliIo, json: boolean): () => void {
  const p = paletteFor(io.stdout, io.env);
  const pe = paletteFor(io.stderr, io.env);
  let batch = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!batch) return;
    const text = batch;
    batch = '';
    io.stdout.write(text);
  };
  // The NDJSON line of an event, `{"event":NAME,"time":ISO,...its fields}`, built without copying the
  // event into a new object, and the time formatted once per millisecond: two lines per activity.
  let stampMs = -1;
  let stamp = '';
  const jsonLine = (name: string, event: object) => {
    const now = Date.now();
    if (now !== stampMs) {
      stampMs = now;
      stamp = new Date(now).toISOString();
    }
    const fields = JSON.stringify(event);
    return `{"event":${JSON.stringify(name)},"time":"${stamp}"${fields.length > 2 ? `,${fields.slice(1)}` : '}'}\n`;
  };
  const print = <K extends AgentEventName>(name: K) => (event: AgentEvents[K]) => {
    const line = json ? jsonLine(name, event) : `${describe(name, event, name === 'error' ? pe : p)}\n`;
    if (name === 'started' || name === 'finished') {
      batch += line;
      if (batch.length >= BATCH_CHARS) flush();
      else timer ??= setTimeout(flush, BATCH_MS);
      return;
    }
    flush();
    if (!json && name === 'error') io.stderr.write(line);
    else io.stdout.write(line);
  };
  for (const name of EVENTS) agent.on(name, print(name));
  process.on('exit', flush);
  return () => {
    flush();
    process.off('exit', flush);
  };
}

export const agentCommand = defineCommand({
  name: 'agent',
  summary: 'Run activities for distributed runs: pull them from NATS JetStream and report back.',
  usage: 'agent [--nats URL] [--types t1,t2] [--concurrency N] [--defs DIR]... [--name NAME] [--ack-wait MS] [--drain-timeout MS] [--json]',
  details: [
    'The agent serves the activity types its definitions declare (*.activity.json under --defs, default the\n' +
    'current folder), or those of --types, and runs them with its own definitions, inventory (orch.hosts.json)\n' +
    'and secrets (${secret:NAME} from ORCH_SECRET_NAME). Asking for a type it has no definition for refuses the start.',
    'NATS: --nats URL or ORCH_NATS_URL (nats://host:4222, tls://host:4222). Credentials come from the environment\n' +
    'only: ORCH_NATS_USER and ORCH_NATS_PASSWORD, ORCH_NATS_TOKEN, or ORCH_NATS_NKEY (a seed) / ORCH_NATS_NKEY_FILE;\n' +
    'TLS files from ORCH_NATS_CA, ORCH_NATS_CERT, ORCH_NATS_KEY. A lost connection is retried forever.',
    'SIGTERM or Ctrl-C: stop pulling, let attempts in flight finish for up to --drain-timeout, then hand the rest\n' +
    'back for other agents, and exit 0. A second Ctrl-C exits at once (its attempts come back after the ack wait).',
    'Exit status: 0 stopped by a signal, 1 could not start (or the server closed the connection for good), 2 usage error.',
  ],
  flags: {
    nats: { kind: 'string', valueName: 'URL', description: 'the NATS server(s), comma-separated (default: $ORCH_NATS_URL)' },
    types: { kind: 'string', valueName: 't1,t2', repeatable: true, description: 'the activity types to serve (default: every type the definitions declare)' },
    concurrency: { kind: 'string', valueName: 'N', description: `most attempts running at once, across types (default ${AGENT_DEFAULTS.concurrency})` },
    defs: { kind: 'string', valueName: 'DIR', repeatable: true, description: 'folder of activity definitions and host inventories (default: the current folder)' },
    name: { kind: 'string', valueName: 'NAME', description: 'the agent\'s name on reports and in the Runs view (default: host:pid)' },
    'ack-wait': { kind: 'string', valueName: 'MS', description: `how soon a dead agent's work is redelivered (default ${AGENT_DEFAULTS.ackWaitMs})` },
    'drain-timeout': { kind: 'string', valueName: 'MS', description: `how long a shutdown waits for attempts in flight (default ${AGENT_DEFAULTS.drainTimeoutMs})` },
    json: { kind: 'boolean', description: 'print events as NDJSON (one JSON object per line)' },
  },
  positionals: { name: 'arguments', min: 0, max: 0 },
  examples: [
    'ORCH_NATS_URL=nats://nats.internal:4222 orch agent --types build,test --concurrency 8',
    'orch agent --nats tls://nats.internal:4222 --defs ./activities --name cell-eu-1',
    'orch agent --nats nats://127.0.0.1:4222 --json | jq -c \'select(.event == "finished")\'',
  ],
  async run({ flags }, io) {
    const url = flags.nats ?? io.env.ORCH_NATS_URL;
    if (!url) throw new UsageError('give the NATS server: --nats nats://host:4222 (or set ORCH_NATS_URL)');
    if (flags.nats !== undefined && /^[a-z]+:\/\/[^/@]*@/i.test(flags.nats)) {
      throw new UsageError('put NATS credentials in ORCH_NATS_USER/ORCH_NATS_PASSWORD or ORCH_NATS_TOKEN, not in --nats (other users can read command lines)');
    }
    const types = flags.types.length ? flags.types.flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean) : undefined;
    if (flags.types.length && !types?.length) throw new UsageError('--types needs at least one type name (t1,t2)');
    const settings = natsSettingsFromEnv(io.env, url)!;
    let agent: AgentHandle;
    try {
      agent = await startAgent({
        nats: settings,
        types,
        concurrency: parsePositiveInt(flags.concurrency, 'concurrency'),
        defs: flags.defs,
        name: flags.name,
        ackWaitMs: parseMs(flags['ack-wait'], 'ack-wait', 1000),
        drainTimeoutMs: parseMs(flags['drain-timeout'], 'drain-timeout', 0),
        secrets: envSecretStore(io.env),
        cwd: io.cwd,
      });
    } catch (error) {
      if (error instanceof AgentStartError || error instanceof NatsSettingsError) {
        io.stderr.write(`the agent cannot start: ${error.message}\n`);
        return ExitCode.problems;
      }
      throw error;
    }
    const stopFollowing = follow(agent, io, flags.json);

    let signals = 0;
    let stoppedBySignal = false;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals === 1) {
        stoppedBySignal = true;
        void agent.stop();
      } else if (signal === 'SIGINT') {
        stopFollowing();
        io.stderr.write('exiting now: attempts in flight come back to other agents after the ack wait\n');
        process.exit(130);
      }
    };
    // A closed pipe (`orch agent | head`) must not take the agent down: it goes on, unseen.
    const onPipeError = (error: NodeJS.ErrnoException) => { if (error.code !== 'EPIPE') throw error; };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.stdout.on('error', onPipeError);
    try {
      await agent.closed;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.stdout.off('error', onPipeError);
      stopFollowing();
    }
    return stoppedBySignal ? ExitCode.ok : ExitCode.problems;
  },
});
