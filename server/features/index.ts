/**
 * Every feature of the server, in registration order. Each module exports `register(ctx)` and, when it
 * answers requests, `capabilities` (merged into the initialize result). `configuration` comes first: its
 * start-up step loads the settings that the later ones read.
 *
 * To add a feature: create server/features/<name>.ts exporting `register` (+ `capabilities`) and add it here.
 */
import type { FeatureModule } from '../context';
import * as configuration from './configuration';
import * as diagnostics from './diagnostics';
import * as completion from './completion';
import * as hover from './hover';
import * as definition from './definition';
import * as references from './references';
import * as rename from './rename';
import * as symbols from './symbols';
import * as workspaceSymbols from './workspaceSymbols';
import * as graph from './graph';
// Editor polish.
import * as codeActions from './codeActions';
import * as codeLens from './codeLens';
import * as inlayHints from './inlayHints';
import * as semanticTokens from './semanticTokens';
import * as folding from './folding';
import * as selectionRanges from './selectionRanges';
import * as formatting from './formatting';
import * as documentLinks from './documentLinks';

export const features: readonly FeatureModule[] = [
  configuration,
  diagnostics,
  completion,
  hover,
  definition,
  references,
  rename,
  symbols,
  workspaceSymbols,
  graph,
  codeActions,
  codeLens,
  inlayHints,
  semanticTokens,
  folding,
  selectionRanges,
  formatting,
  documentLinks,
];
