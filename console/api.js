// The API client of the console. Every request goes to a URL relative to the
// page (../api/v1/...), so the console works behind a reverse proxy that
// serves the server under a prefix. The browser sends the Basic credentials
// it used for the page with these same-origin requests.

const API = '../api/v1/';

// An answer that is not a success: an HTTP error, or SRS's "code" not 0.
export class ApiError extends Error {
  constructor(message, { status = 0, code = 0, body = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

async function call(method, path, timeoutMs) {
  let res;
  try {
    res = await fetch(API + path, {
      method,
      cache: 'no-store',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new ApiError(`${method} ${path}: ${e.name === 'TimeoutError' ? 'no answer' : e.message}`);
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    // a proxy's error page, or an empty answer
  }
  if (!res.ok) {
    const why = body && body.error ? body.error : res.statusText;
    throw new ApiError(`${method} ${path}: ${res.status} ${why}`, { status: res.status, body });
  }
  if (!body) throw new ApiError(`${method} ${path}: not JSON`, { status: res.status });
  if (body.code !== 0) {
    const why = body.error ? `: ${body.error}` : '';
    throw new ApiError(`${method} ${path}: code ${body.code}${why}`, { code: body.code, body });
  }
  return body;
}

export function get(path, timeoutMs = 5000) {
  return call('GET', path, timeoutMs);
}

export function del(path, timeoutMs = 5000) {
  return call('DELETE', path, timeoutMs);
}
