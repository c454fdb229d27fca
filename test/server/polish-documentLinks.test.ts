/** Document links through the protocol: types, node modules, $schema and known_hosts files. */
import * as assert from 'node:assert/strict';
import type { DocumentLink } from 'vscode-languageserver-protocol';
import { resolve } from 'node:path';
import { fileUri } from '../../server/uris';
import { startTestServer, type TestServer } from './support/lspClient';

const DEFS = `[
  { "type": "build", "provider": "noop" },
  {
    "type": "step",
    "provider": "node",
    "config": { "module": "./handlers/run" }
  },
  { "type": "pkg", "provider": "node", "config": { "module": "fancy-pkg" } },
  { "type": "gone", "provider": "node", "config": { "module": "./missing.js" } },
  { "type": "shelly", "provider": "shell", "config": { "module": "./handlers/run.js", "command": "true" } }
]
`;

const FLOW = `{
  "$schema": "./schemas/orchestration-definition.schema.json",
  "type": "flow",
  "activities": [
    { "id": "a", "type": "step" },
    { "id": "b", "type": "build" },
    { "id": "c", "type": "step" },
    { "id": "d", "type": "unknown" }
  ]
}
`;

describe('polish: document links (protocol)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      files: {
        'flow.orch.json': FLOW,
        'defs/steps.activity.json': DEFS,
        'defs/handlers/run.js': 'module.exports = async () => ({});\n',
        'defs/node_modules/fancy-pkg/package.json': '{ "name": "fancy-pkg", "main": "main.js" }',
        'defs/node_modules/fancy-pkg/main.js': 'module.exports = {};\n',
        'schemas/orchestration-definition.schema.json': '{}',
        'orch.hosts.json': '{ "hosts": { "web": { "host": "h", "username": "u", "knownHostsPath": "./known_hosts", "privateKeyPath": "./id_ed25519" } } }',
        'known_hosts': '',
        'id_ed25519': 'secret',
      },
    });
  });
  after(async () => { await server?.shutdown(); });

  const links = (uri: string) => server.request<DocumentLink[] | null>('textDocument/documentLink', { textDocument: { uri } });

  it('links activity types to their declaration, and $schema to the schema file', async () => {
    const uri = await server.open('flow.orch.json');
    const got = (await links(uri))!;
    const defs = server.uri('defs/steps.activity.json');
    assert.deepEqual(got.map((l) => [server.textAt(uri, l.range), l.target]), [
      ['./schemas/orchestration-definition.schema.json', server.uri('schemas/orchestration-definition.schema.json')],
      ['step', `${defs}#L4,13`],
      ['build', `${defs}#L2,13`],
      ['step', `${defs}#L4,13`],
    ]);
    assert.equal(got[1].tooltip, "Open the ActivityDefinition of 'step'");
  });

  it("links our schemas' $id to the copy shipped with the server", async () => {
    const uri = await server.open('byid.orch.json', '{ "$schema": "https://orchestration-studio.dev/schemas/orchestration-definition.schema.json", "type": "t", "activities": [] }');
    const [link] = (await links(uri))!;
    assert.equal(link.target, fileUri(resolve(__dirname, '../../schemas/orchestration-definition.schema.json')));
  });

  it('links the modules of node-provider definitions that exist (paths and packages)', async () => {
    const uri = await server.open('defs/steps.activity.json');
    const got = (await links(uri))!;
    assert.deepEqual(got.map((l) => [server.textAt(uri, l.range), l.target]), [
      ['./handlers/run', server.uri('defs/handlers/run.js')],
      ['fancy-pkg', server.uri('defs/node_modules/fancy-pkg/main.js')],
    ]);
  });

  it('links the known_hosts file of the inventory, never the private key', async () => {
    const uri = await server.open('orch.hosts.json');
    const got = (await links(uri))!;
    assert.deepEqual(got.map((l) => [server.textAt(uri, l.range), l.target]), [['./known_hosts', server.uri('known_hosts')]]);
  });

  it('says nothing about documents that are not ours', async () => {
    assert.equal(await links(await server.open('tsconfig.json', '{ "$schema": "x.json" }')), null);
  });
});
