/** The `config` of an http activity type: `{ url, method?, headers? }`. */
export interface HttpConfig {
  url: URL;
  method: string;
  headers: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function parseHttpConfig(config: Record<string, unknown> | undefined): HttpConfig | { error: string } {
  const where = 'http provider config';
  if (!config || typeof config.url !== 'string' || config.url.trim() === '') return { error: `${where}: "url" is required (an http:// or https:// URL)` };
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    return { error: `${where}: "url" is not a valid absolute URL: ${config.url}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `${where}: "url" must use http or https, not ${url.protocol}` };
  const method = config.method === undefined ? 'POST' : config.method;
  if (typeof method !== 'string' || !TOKEN.test(method)) return { error: `${where}: "method" must be an HTTP method such as POST or PUT` };
  const headers: Record<string, string> = {};
  if (config.headers !== undefined) {
    if (typeof config.headers !== 'object' || config.headers === null || Array.isArray(config.headers)) return { error: `${where}: "headers" must be an object of name: value` };
    for (const [name, value] of Object.entries(config.headers as Record<string, unknown>)) {
      if (!TOKEN.test(name)) return { error: `${where}: "${name}" is not a valid header name` };
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return { error: `${where}: headers.${name} must be a string` };
      const text = String(value);
      if (/[\r\n\0]/.test(text)) return { error: `${where}: headers.${name} contains a line break or NUL` };
      headers[name] = text;
    }
  }
  return { url, method: method.toUpperCase(), headers };
}
