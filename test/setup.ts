// Mocha's BDD interface (describe/it) is the default; the TDD names (suite/test) are aliases so either
// style reads naturally. Getters, because mocha defines its globals per file, after this module loads.
const aliases: Record<string, string> = {
  suite: 'describe', test: 'it', suiteSetup: 'before', suiteTeardown: 'after', setup: 'beforeEach', teardown: 'afterEach',
};
for (const [alias, name] of Object.entries(aliases)) {
  Object.defineProperty(globalThis, alias, { configurable: true, get: () => (globalThis as Record<string, unknown>)[name] });
}
