import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanInto, findDefinitionFiles } from '../../runtime/index/scan';
import { WorkspaceIndex } from '../../runtime/index/workspaceIndex';

const activity = (type: string) => JSON.stringify({ type, provider: 'noop' });
const orch = (type: string, types: string[]) =>
  JSON.stringify({ type, activities: types.map((t, i) => ({ id: `a${i}`, type: t })) });

suite('WorkspaceIndex', () => {
  test('answers which file defines a type and which files use it', () => {
    const index = new WorkspaceIndex();
    index.set('/w/build.activity.json', activity('build'));
    index.set('/w/one.orch.json', orch('one', ['build', 'test']));
    index.set('/w/two.orch.json', orch('two', ['build']));
    assert.deepEqual(index.declarationsOf('build').map((d) => d.doc.uri), ['/w/build.activity.json']);
    assert.deepEqual(index.filesUsing('build').sort(), ['/w/one.orch.json', '/w/two.orch.json']);
    assert.deepEqual(index.usesOf('test').map((u) => [u.doc.uri, u.activityIndex]), [['/w/one.orch.json', 1]]);
    assert.deepEqual(index.declarationsOf('test'), []);
  });

  test('updates one file without re-reading the rest', () => {
    const index = new WorkspaceIndex();
    index.set('/w/a.orch.json', orch('a', ['x']));
    const other = index.set('/w/b.orch.json', orch('b', ['x']));
    const changed: string[][] = [];
    index.onDidChange((uris) => changed.push(uris));
    index.set('/w/a.orch.json', orch('a', ['y']));
    assert.deepEqual(changed, [['/w/a.orch.json']]);
    assert.equal(index.get('/w/b.orch.json'), other, 'the other document is the same parsed object');
    assert.deepEqual(index.filesUsing('x'), ['/w/b.orch.json']);
    assert.deepEqual(index.filesUsing('y'), ['/w/a.orch.json']);
    index.delete('/w/b.orch.json');
    assert.deepEqual(index.filesUsing('x'), []);
  });

  test('setting the same text again is free', () => {
    const index = new WorkspaceIndex();
    const first = index.set('/w/a.orch.json', orch('a', ['x']));
    assert.equal(index.set('/w/a.orch.json', orch('a', ['x'])), first);
  });

  test('indexes every definition of an array file and the hosts inventory', () => {
    const index = new WorkspaceIndex();
    index.set('/w/many.activity.json', JSON.stringify([{ type: 'p', provider: 'shell' }, { type: 'q', provider: 'http' }]));
    index.set('/w/orch.hosts.json', JSON.stringify({ hosts: { web1: { host: '127.0.0.1', username: 'root' } } }));
    assert.deepEqual([...index.declaredTypes()].sort(), ['p', 'q']);
    assert.deepEqual([...index.hostNames()], ['web1']);
    assert.ok(index.hasInventory());
  });

  test('scans folders for definition files, skipping node_modules and run folders', () => {
    const root = mkdtempSync(join(tmpdir(), 'orch-index-'));
    mkdirSync(join(root, 'sub'));
    mkdirSync(join(root, 'node_modules'));
    mkdirSync(join(root, '.orch'));
    writeFileSync(join(root, 'sub', 'x.activity.json'), activity('x'));
    writeFileSync(join(root, 'main.orch.json'), orch('main', ['x']));
    writeFileSync(join(root, 'node_modules', 'y.activity.json'), activity('y'));
    writeFileSync(join(root, '.orch', 'z.orch.json'), orch('z', []));
    writeFileSync(join(root, 'notes.json'), '{}');
    assert.deepEqual(findDefinitionFiles(root).map((f) => f.slice(root.length + 1)), ['main.orch.json', join('sub', 'x.activity.json')]);
    const index = new WorkspaceIndex();
    scanInto(index, [root]);
    assert.deepEqual([...index.declaredTypes()], ['x']);
    assert.deepEqual(index.filesUsing('x'), [join(root, 'main.orch.json')]);
  });
});
