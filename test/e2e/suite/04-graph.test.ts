/** The graph panel: opens for a definition, draws it (timings reported by the webview), follows a run. */
import * as assert from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RenderedMessage } from '../../../client/graph/protocol';
import { EXTENSION_ID, fixture, getApi, waitForEvent } from './helpers';

function webviewBuilt(): boolean {
  const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
  return existsSync(join(extension.extensionPath, 'dist', 'media', 'graph.js'));
}

async function showAndRender(name: string, timeoutMs: number): Promise<{ rendered: RenderedMessage; wallMs: number }> {
  const { graph } = await getApi();
  const uri = fixture(name);
  const started = Date.now();
  const rendered = waitForEvent(graph.onDidRender, (m) => m.uri === uri.toString(), timeoutMs, `the graph of ${name} on screen`);
  await vscode.commands.executeCommand('orch.showGraph', uri);
  const message = await rendered;
  return { rendered: message, wallMs: Date.now() - started };
}

suite('graph panel', () => {
  test('opens beside the editor for a definition', async () => {
    const { graph } = await getApi();
    await vscode.window.showTextDocument(fixture('pipeline.orch.json'));
    const shown = await vscode.commands.executeCommand<vscode.Uri>('orch.showGraph');
    assert.ok(shown?.path.endsWith('pipeline.orch.json'));
    assert.ok(graph.visible, 'the panel is open');
    assert.strictEqual(graph.shownUri?.toString(), fixture('pipeline.orch.json').toString());
  });

  test('draws the definition (5 nodes, 5 edges)', async function () {
    if (!webviewBuilt()) this.skip();
    const { rendered } = await showAndRender('pipeline.orch.json', 60_000);
    assert.strictEqual(rendered.nodes, 5);
    assert.strictEqual(rendered.edges, 5);
  });

  test('a 100-activity graph is drawn; its time to screen is measured and reported', async function () {
    if (!webviewBuilt()) this.skip();
    // Three fresh openings, reported as a median: the 500 ms target is a measurement for the README and
    // summary.json, not an assertion, since a shared machine adds noise that is not the graph's.
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const { rendered, wallMs } = await showAndRender('big/graph100.orch.json', 60_000);
      assert.strictEqual(rendered.nodes, 100);
      times.push(rendered.totalMs);
      console.log(`graph100: on screen ${Math.round(rendered.totalMs)} ms after the message (layout ${Math.round(rendered.layoutMs)} ms${rendered.fallback ? ', fallback placement' : ''}), ${wallMs} ms after the command`);
    }
    const median = [...times].sort((a, b) => a - b)[1];
    console.log(`graph100: median on screen ${Math.round(median)} ms (target 500 ms)`);
  });

  test('a 1,000-activity graph is drawn', async function () {
    if (!webviewBuilt()) this.skip();
    const { rendered, wallMs } = await showAndRender('big/graph1000.orch.json', 120_000);
    console.log(`graph1000: on screen ${Math.round(rendered.totalMs)} ms after the message (layout ${Math.round(rendered.layoutMs)} ms${rendered.fallback ? ', fallback placement' : ''}), ${wallMs} ms after the command`);
    assert.strictEqual(rendered.nodes, 1000);
  });
});
