import assert from 'node:assert/strict';
import { pools } from '../../../runtime/analysis/checks/pools';
import { at, json, ORCH_URI, rangeOf, relatedRanges, runOrchestrationCheck } from './support';

describe('checks/pools (ORCH501, ORCH502)', () => {
  it('accepts acquisitions of declared pools within capacity', () => {
    const text = json({ type: 't', pools: { gpu: 2, db: 1 }, activities: [{ id: 'a', type: 'x', acquires: { gpu: 2, db: 1 } }] });
    assert.deepEqual(runOrchestrationCheck(pools, text), []);
  });

  it('ORCH501: an undeclared pool, with a suggestion and the pools declaration related', () => {
    const text = json({ type: 't', pools: { gpu: 2 }, activities: [{ id: 'a', type: 'x', acquires: { gpus: 1 } }] });
    const [d, ...rest] = runOrchestrationCheck(pools, text);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH501');
    assert.equal(d.severity, 'error');
    assert.deepEqual(rangeOf(d), at(text, '"gpus"'));
    assert.equal(d.message, "'a' acquires pool 'gpus', which the definition does not declare. Did you mean 'gpu'? Fix the name or declare it in `pools` with its capacity.");
    assert.deepEqual(relatedRanges(d), [{ file: ORCH_URI, ...at(text, '"pools"') }]);
    assert.deepEqual(d.data, { pool: 'gpus', suggestion: 'gpu' });
  });

  it('ORCH501: without any pools, says how to declare one', () => {
    const text = json({ type: 't', activities: [{ id: 'a', type: 'x', acquires: { gpu: 1 } }] });
    const [d] = runOrchestrationCheck(pools, text);
    assert.match(d.message, /declare it in a top-level `pools` object \("pools": \{ "gpu": 1 \}\)/);
    assert.equal(d.related, undefined);
  });

  it('ORCH502: more than the capacity, on the amount, related to the pool', () => {
    const text = json({ type: 't', pools: { gpu: 2 }, activities: [{ id: 'a', type: 'x', acquires: { gpu: 3 } }] });
    const [d, ...rest] = runOrchestrationCheck(pools, text);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH502');
    assert.deepEqual(rangeOf(d), at(text, '3'));
    assert.equal(d.message, "'a' acquires 3 of pool 'gpu', whose capacity is 2: it would wait for the pool forever. Acquire at most 2, or raise the capacity.");
    assert.deepEqual(relatedRanges(d), [{ file: ORCH_URI, ...at(text, '"gpu": 2') }]);
    assert.deepEqual(d.data, { pool: 'gpu', amount: 3, capacity: 2 });
  });
});
