import { strict as assert } from 'node:assert';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpProvider } from '../../../runtime/providers/http/httpProvider';
import { retryAfterMs } from '../../../runtime/providers/http/retryAfter';
import { makeContext, removeTempDirs } from './context';

interface Received { method: string; url: string; headers: IncomingMessage['headers']; body: string }
type Handler = (req: Received, res: ServerResponse, raw: IncomingMessage) => void;

describe('http provider', () => {
  let server: Server;
  let base: string;
  let handler: Handler;
  let received: Received[];
  const http = createHttpProvider();

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
        received.push(entry);
        handler(entry, res, req);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => { received = []; });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    removeTempDirs();
  });

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const run = (config: Record<string, unknown>, extra: Parameters<typeof makeContext>[0] extends infer O ? Partial<O> : never = {}) =>
    makeContext({ provider: 'http', config, inputs: { cell: 'eu-1', size: 3 }, ...extra });

  it('POSTs the inputs as JSON with the idempotency key; 200 with JSON completes with its outputs', async () => {
    handler = (_req, res) => json(res, 200, { id: 'abc', ready: true });
    const t = run({ url: `${base}/provision`, headers: { Authorization: 'Bearer t0k' } });
    assert.deepEqual(await http.execute(t.ctx), { kind: 'complete', outputs: { id: 'abc', ready: true } });
    const [req] = received;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/provision');
    assert.deepEqual(JSON.parse(req.body), { cell: 'eu-1', size: 3 });
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['idempotency-key'], 'run-1/step');
    assert.equal(req.headers.authorization, 'Bearer t0k');
    assert.equal(req.headers['x-orch-attempt'], '1');
    assert.deepEqual(t.lines('info'), [`POST ${base}/provision -> 200 OK`]);
  });

  it('uses the configured method, and puts inputs in the query for GET', async () => {
    handler = (_req, res) => json(res, 200, {});
    await http.execute(run({ url: `${base}/things?fixed=1`, method: 'put' }).ctx);
    await http.execute(run({ url: `${base}/things?fixed=1`, method: 'GET' }).ctx);
    assert.equal(received[0].method, 'PUT');
    assert.deepEqual(JSON.parse(received[0].body), { cell: 'eu-1', size: 3 });
    assert.equal(received[1].method, 'GET');
    assert.equal(received[1].url, '/things?fixed=1&cell=eu-1&size=3');
    assert.equal(received[1].body, '');
  });

  it('completes on any 2xx: no body gives no outputs, a non-object body is { body }', async () => {
    handler = (req, res) => {
      if (req.url === '/empty') { res.writeHead(204); res.end(); return; }
      if (req.url === '/text') { res.writeHead(201, { 'content-type': 'text/plain' }); res.end('created'); return; }
      json(res, 200, [1, 2]);
    };
    assert.deepEqual(await http.execute(run({ url: `${base}/empty` }).ctx), { kind: 'complete', outputs: {} });
    assert.deepEqual(await http.execute(run({ url: `${base}/text` }).ctx), { kind: 'complete', outputs: { body: 'created' } });
    assert.deepEqual(await http.execute(run({ url: `${base}/list` }).ctx), { kind: 'complete', outputs: { body: [1, 2] } });
  });

  it('202 with Location schedules a poll of that location, honouring Retry-After, until it completes', async () => {
    let polls = 0;
    handler = (req, res) => {
      if (req.method === 'POST') { json(res, 202, { message: 'queued' }, { location: '/jobs/7', 'retry-after': '2' }); return; }
      polls++;
      if (polls === 1) { json(res, 202, { message: 'copying' }); return; }
      json(res, 200, { endpoint: 'https://eu-1.test' });
    };
    const first = await http.execute(run({ url: `${base}/provision` }).ctx);
    assert.deepEqual(first, { kind: 'schedule', delayMs: 2000, state: { location: `${base}/jobs/7` }, message: 'queued' });
    const second = await http.execute(run({ url: `${base}/provision` }, { poll: 1, state: (first as { state: unknown }).state }).ctx);
    assert.deepEqual(second, { kind: 'schedule', delayMs: 5000, state: { location: `${base}/jobs/7` }, message: 'copying' });
    const third = await http.execute(run({ url: `${base}/provision` }, { poll: 2, state: (second as { state: unknown }).state }).ctx);
    assert.deepEqual(third, { kind: 'complete', outputs: { endpoint: 'https://eu-1.test' } });
    assert.deepEqual(received.map((r) => `${r.method} ${r.url}`), ['POST /provision', 'GET /jobs/7', 'GET /jobs/7']);
    assert.equal(received[1].headers['idempotency-key'], 'run-1/step');
  });

  it('follows a 303 from the status location to the result', async () => {
    handler = (req, res) => {
      if (req.url === '/jobs/9') { res.writeHead(303, { location: '/results/9' }); res.end(); return; }
      json(res, 200, { done: 9 });
    };
    const result = await http.execute(run({ url: `${base}/x` }, { poll: 1, state: { location: `${base}/jobs/9` } }).ctx);
    assert.deepEqual(result, { kind: 'complete', outputs: { done: 9 } });
  });

  it('202 with only Retry-After schedules a re-send of the same request (same idempotency key)', async () => {
    handler = (_req, res) => { res.writeHead(202, { 'retry-after': '1' }); res.end(); };
    const first = await http.execute(run({ url: `${base}/slow` }).ctx);
    assert.deepEqual(first, { kind: 'schedule', delayMs: 1000, state: {} });
    await http.execute(run({ url: `${base}/slow` }, { poll: 1, state: {} }).ctx);
    assert.deepEqual(received.map((r) => `${r.method} ${r.url} ${r.headers['idempotency-key']}`), ['POST /slow run-1/step', 'POST /slow run-1/step']);
  });

  it('202 with X-Orch-Wait or a "waiting" status is a Wait; a bare 202 is fire-and-forget', async () => {
    handler = (req, res) => {
      if (req.url === '/header') { res.writeHead(202, { 'x-orch-wait': 'true' }); res.end(); return; }
      if (req.url === '/body') { json(res, 202, { status: 'waiting', message: 'needs approval' }); return; }
      json(res, 202, { accepted: true });
    };
    assert.deepEqual(await http.execute(run({ url: `${base}/header` }).ctx), { kind: 'wait' });
    assert.deepEqual(await http.execute(run({ url: `${base}/body` }).ctx), { kind: 'wait', message: 'needs approval' });
    assert.deepEqual(await http.execute(run({ url: `${base}/bare` }).ctx), { kind: 'complete', outputs: { accepted: true } });
  });

  it('429, 408 and 5xx are RetryErrors; Retry-After (seconds or a date) becomes the delay', async () => {
    handler = (req, res) => {
      if (req.url === '/429') { json(res, 429, { error: 'slow down' }, { 'retry-after': '3' }); return; }
      if (req.url === '/408') { res.writeHead(408); res.end(); return; }
      if (req.url === '/503') { res.writeHead(503, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() }); res.end('maintenance'); return; }
      res.writeHead(500); res.end();
    };
    assert.deepEqual(await http.execute(run({ url: `${base}/429` }).ctx), { kind: 'retry', error: `POST ${base}/429 answered 429 Too Many Requests: slow down`, delayMs: 3000 });
    assert.deepEqual(await http.execute(run({ url: `${base}/408` }).ctx), { kind: 'retry', error: `POST ${base}/408 answered 408 Request Timeout` });
    const unavailable = await http.execute(run({ url: `${base}/503` }).ctx) as { kind: string; error: string; delayMs: number };
    assert.equal(unavailable.kind, 'retry');
    assert.match(unavailable.error, /503 Service Unavailable: maintenance$/);
    assert.ok(unavailable.delayMs > 55_000 && unavailable.delayMs <= 60_000);
    assert.deepEqual(await http.execute(run({ url: `${base}/500` }).ctx), { kind: 'retry', error: `POST ${base}/500 answered 500 Internal Server Error` });
  });

  it('other 4xx are FatalErrors carrying the server message', async () => {
    handler = (req, res) => {
      if (req.url === '/400') { json(res, 400, { message: 'size must be <= 2' }); return; }
      res.writeHead(404, { 'content-type': 'text/plain' }); res.end('no such route');
    };
    assert.deepEqual(await http.execute(run({ url: `${base}/400` }).ctx), { kind: 'fatal', error: `POST ${base}/400 answered 400 Bad Request: size must be <= 2` });
    assert.deepEqual(await http.execute(run({ url: `${base}/404` }).ctx), { kind: 'fatal', error: `POST ${base}/404 answered 404 Not Found: no such route` });
  });

  it('a network error is a RetryError naming the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await http.execute(run({ url: `http://127.0.0.1:${port}/x` }).ctx);
    assert.equal(result.kind, 'retry');
    assert.match((result as { error: string }).error, /ECONNREFUSED/);
  });

  it('aborting cancels the request in flight', async () => {
    let serverSawClose!: Promise<void>;
    const arrived = new Promise<void>((resolve) => {
      handler = (_req, _res, raw) => {
        serverSawClose = new Promise((closed) => raw.socket.on('close', () => closed()));
        resolve();
      };
    });
    const t = run({ url: `${base}/hang` });
    const pending = http.execute(t.ctx);
    await arrived;
    t.controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    assert.deepEqual(await pending, { kind: 'retry', error: 'timed out' });
    await serverSawClose;
  });

  it('refuses a body larger than the limit', async () => {
    handler = (_req, res) => json(res, 200, { blob: 'x'.repeat(5000) });
    const small = createHttpProvider({ maxBodyBytes: 1000 });
    const result = await small.execute(run({ url: `${base}/big` }).ctx);
    assert.equal(result.kind, 'fatal');
    assert.match((result as { error: string }).error, /larger than 1000 bytes/);
  });

  it('bad configuration is a FatalError', async () => {
    for (const [config, message] of [
      [{}, /"url" is required/],
      [{ url: 'not a url' }, /not a valid absolute URL/],
      [{ url: 'ftp://x.test/' }, /must use http or https/],
      [{ url: `${base}/`, method: 'PO ST' }, /"method" must be an HTTP method/],
      [{ url: `${base}/`, headers: { 'X-A': 'a\r\nInjected: 1' } }, /line break/],
    ] as const) {
      const result = await http.execute(run(config).ctx);
      assert.equal(result.kind, 'fatal');
      assert.match((result as { error: string }).error, message);
    }
    assert.equal(received.length, 0);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    assert.equal(retryAfterMs('120'), 120_000);
    assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
    assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 08:00:00 GMT')), 0);
    assert.equal(retryAfterMs('soon'), undefined);
    assert.equal(retryAfterMs(null), undefined);
  });
});
