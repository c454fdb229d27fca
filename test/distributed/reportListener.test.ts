import assert from 'node:assert/strict';
import { connect, headers, type NatsConnection } from 'nats';
import { MSG_ID_HEADER, reportSubject } from '../../runtime/distributed/protocol';
import { RunReportListener } from '../../runtime/distributed/reportListener';
import { ensureStreams } from '../../runtime/distributed/streams';
import { startNatsServer, type NatsServer } from '../support/natsServer';
import { eventually } from './agentKit';

/** What the listener handed over: the report's text and its message id, in order. */
class Heard {
  readonly reports: { text: string; id: string | undefined }[] = [];
  readonly problems: string[] = [];
  readonly sink = {
    report: (data: Uint8Array, id: string | undefined) => { this.reports.push({ text: new TextDecoder().decode(data), id }); },
    problem: (message: string) => { this.problems.push(message); },
  };

  /** Ids in the order first heard (a report heard on both paths counts once, as the orchestrator counts it). */
  ids(): string[] {
    return [...new Set(this.reports.map((r) => r.id ?? '?'))];
  }
}

describe('distributed: the orchestrator\'s report listener', function () {
  this.timeout(60_000);
  let server: NatsServer;
  let publisher: NatsConnection;
  const listeners: RunReportListener[] = [];
  const connections: NatsConnection[] = [];

  before(async () => {
    server = await startNatsServer();
    publisher = await connect({ ...server.connectOptions(), maxReconnectAttempts: -1, reconnectTimeWait: 50 });
    await ensureStreams(await publisher.jetstreamManager());
  });
  afterEach(async () => {
    for (const l of listeners.splice(0)) l.stop();
    await Promise.all(connections.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  after(async () => {
    await publisher?.close().catch(() => undefined);
    await server?.stop();
  });

  /** Stores a report as an agent does (PubAck awaited, message id set). */
  async function store(runId: string, id: string): Promise<void> {
    const h = headers();
    h.set(MSG_ID_HEADER, id);
    await publisher.jetstream().publish(reportSubject(runId, `${runId}.${id}`), new TextEncoder().encode(id), { headers: h, msgID: id });
  }

  async function listen(runId: string, heard: Heard, reconnectTimeWait = 50): Promise<RunReportListener> {
    const nc = await connect({ ...server.connectOptions(), maxReconnectAttempts: -1, reconnectTimeWait });
    connections.push(nc);
    const listener = new RunReportListener(nc, nc.jetstream(), await nc.jetstreamManager(), runId, heard.sink);
    listeners.push(listener);
    await listener.start();
    return listener;
  }

  it('hands over what the run stored before it started listening, in order, then what comes live; never another run\'s', async () => {
    const heard = new Heard();
    for (const id of ['r1', 'r2', 'r3']) await store('run-a', `a-${id}`);
    await store('run-b', 'b-r1');
    await listen('run-a', heard);
    assert.deepEqual(heard.ids(), ['a-r1', 'a-r2', 'a-r3'], 'the stored reports are read before start() resolves');
    await store('run-a', 'a-r4');
    await store('run-b', 'b-r2');
    await eventually(async () => heard.ids().includes('a-r4'));
    assert.deepEqual(heard.ids(), ['a-r1', 'a-r2', 'a-r3', 'a-r4']);
    assert.deepEqual(heard.reports.map((r) => r.text), heard.reports.map((r) => r.id), 'the bytes come with their id');
    assert.deepEqual(heard.problems, []);
  });

  it('after a reconnect, reads what was stored while it was away before anything heard live', async () => {
    const heard = new Heard();
    // The listener's connection comes back well after the publisher's, so what is published in between
    // can only reach it through the stream.
    await listen('run-c', heard, 1500);
    await store('run-c', 'c-r1');
    await eventually(async () => heard.ids().includes('c-r1'));
    await server.restart();
    await eventually(async () => publisher.isClosed() === false && (await publisher.flush().then(() => true, () => false)));
    await store('run-c', 'c-r2');
    await store('run-c', 'c-r3');
    await eventually(async () => heard.ids().includes('c-r3'), 20_000);
    await store('run-c', 'c-r4');
    await eventually(async () => heard.ids().includes('c-r4'));
    assert.deepEqual(heard.ids(), ['c-r1', 'c-r2', 'c-r3', 'c-r4'], 'nothing lost, nothing out of order');
  });
});
