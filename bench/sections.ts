/**
 * Every benchmark section, in the order `npm run bench` runs them. Adding one: write a module
 * exporting a BenchSection (see ./section.ts) and add one line here.
 */
import { analysisSection } from './analysis';
import { distributedSection } from './distributed';
import { engineSection } from './engine';
import { layoutSection } from './layout';
import { serverSection } from './server';
import type { BenchSection } from './section';

export const sections: readonly BenchSection[] = [
  analysisSection,
  layoutSection,
  serverSection,
  engineSection,
  distributedSection,
];
