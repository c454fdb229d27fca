import { configEnv } from './inputEnv';

/** The `config` of a shell or ssh activity type: `{ command, args?, cwd?, env? }`. */
export interface ProcessConfig {
  command: string;
  args: string[];
  cwd?: string;
  env: Record<string, string>;
}

export function parseProcessConfig(config: Record<string, unknown> | undefined, provider: string): ProcessConfig | { error: string } {
  const where = `${provider} provider config`;
  if (!config || typeof config !== 'object') return { error: `${where}: "command" is required` };
  const { command, args, cwd, env } = config;
  if (typeof command !== 'string' || command.trim() === '') return { error: `${where}: "command" must be a non-empty string (the program to run; arguments go in "args")` };
  if (command.includes('\0')) return { error: `${where}: "command" contains a NUL character` };
  const list: string[] = [];
  if (args !== undefined) {
    if (!Array.isArray(args)) return { error: `${where}: "args" must be an array of strings` };
    for (let i = 0; i < args.length; i++) {
      const arg: unknown = args[i];
      if (typeof arg === 'string') list.push(arg);
      else if (typeof arg === 'number' || typeof arg === 'boolean') list.push(String(arg));
      else return { error: `${where}: args[${i}] must be a string` };
      if (list[i].includes('\0')) return { error: `${where}: args[${i}] contains a NUL character` };
    }
  }
  if (cwd !== undefined && (typeof cwd !== 'string' || cwd === '')) return { error: `${where}: "cwd" must be a non-empty string` };
  if (typeof cwd === 'string' && cwd.includes('\0')) return { error: `${where}: "cwd" contains a NUL character` };
  const parsedEnv = configEnv(env);
  if ('error' in parsedEnv) return { error: `${where}: ${parsedEnv.error}` };
  return { command, args: list, cwd: cwd as string | undefined, env: parsedEnv.vars };
}
