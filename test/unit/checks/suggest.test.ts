import assert from 'node:assert/strict';
import { boundedDistance, didYouMean, quoteList, Suggester } from '../../../runtime/analysis/checks/support/suggest';

describe('checks/support/suggest', () => {
  it('measures edits, counting a swap of neighbours as one, and stops past the bound', () => {
    assert.equal(boundedDistance('build', 'build', 2), 0);
    assert.equal(boundedDistance('biuld', 'build', 2), 1);
    assert.equal(boundedDistance('buld', 'build', 2), 1);
    assert.equal(boundedDistance('kitten', 'sitting', 3), 3);
    assert.equal(boundedDistance('kitten', 'sitting', 2), 3, 'max + 1 once over the bound');
    assert.equal(boundedDistance('a', 'abcdef', 2), 3);
  });

  it('suggests the closest name within a tolerance that grows with the length, then a prefix', () => {
    assert.equal(didYouMean('biuld', ['test', 'build', 'deploy']), 'build');
    assert.equal(didYouMean('Build', ['build']), 'build', 'case differences first');
    assert.equal(didYouMean('zzzzzz', ['build', 'test']), undefined);
    assert.equal(didYouMean('ab', ['xy']), undefined);
    assert.equal(didYouMean('deploy', ['deploy-production-eu-west']), 'deploy-production-eu-west', 'a prefix');
    assert.equal(didYouMean('x', ['x']), undefined, 'never the word itself');
  });

  it('memoizes per word and stops suggesting once its budget is spent', () => {
    let reads = 0;
    const suggester = new Suggester(() => { reads++; return ['alpha', 'beta']; }, 4);
    assert.equal(suggester.suggest('alpah'), 'alpha');
    assert.equal(suggester.suggest('alpah'), 'alpha');
    assert.equal(suggester.suggest('betta'), 'beta');
    assert.equal(suggester.suggest('alpa'), undefined, 'budget of 4 comparisons spent');
    assert.equal(reads, 1, 'candidates listed once');
  });

  it('quotes lists for messages', () => {
    assert.equal(quoteList(['a']), "'a'");
    assert.equal(quoteList(['a', 'b', 'c']), "'a', 'b' and 'c'");
    assert.equal(quoteList(['a', 'b'], 'or'), "'a' or 'b'");
  });
});
