import { strict as assert } from 'node:assert';
import { RestartPolicy } from '../../client/language/restartPolicy';
import { documentSelector, FILE_PATTERNS } from '../../client/language/selector';

describe('language client: restart policy and document selector', () => {
  it('restarts a crashed server a few times within the window, then gives up until reset', () => {
    let now = 0;
    const policy = new RestartPolicy(3, 60_000, () => now);
    assert.deepEqual([1, 2, 3].map(() => policy.onCrash().restart), [true, true, true]);
    const fourth = policy.onCrash();
    assert.equal(fourth.restart, false);
    assert.equal(fourth.attempt, 4);
    // Crashes older than the window no longer count.
    now += 61_000;
    assert.equal(policy.onCrash().restart, true);
    policy.reset();
    assert.equal(policy.onCrash().attempt, 1);
  });

  it('selects our files by name in json and jsonc, plus the additional patterns of the setting', () => {
    const base = documentSelector();
    assert.equal(base.length, FILE_PATTERNS.length * 2);
    assert.ok(base.every((f) => f.scheme === 'file'));
    assert.deepEqual(new Set(base.map((f) => f.language)), new Set(['json', 'jsonc']));
    const extended = documentSelector(['**/pipelines/*.json', '', 42, '**/*.orch.json']);
    assert.deepEqual(extended.filter((f) => f.language === 'json').map((f) => f.pattern), [...FILE_PATTERNS, '**/pipelines/*.json']);
  });
});
