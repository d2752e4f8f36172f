/**
 * An error the simulated Fusion answers with. It is rendered per REST Framework version by the sandbox:
 * plain text before v4, and from v4 the JSON shape `{title,status,detail,o:errorCode,o:errorDetails}`
 * (the v4 body is UNCONFIRMED in the reference; this is the stricter plausible reading).
 */
export class FusionFault extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly opts: { errorCode?: string; headers?: Record<string, string> } = {},
  ) {
    super(detail);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  412: 'Precondition Failed',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
};

export function renderFault(fault: FusionFault, frameworkVersion: number): { status: number; headers: Record<string, string>; body: unknown } {
  if (frameworkVersion < 4) {
    return { status: fault.status, headers: { 'content-type': 'text/plain', ...fault.opts.headers }, body: fault.detail };
  }
  return {
    status: fault.status,
    headers: { 'content-type': 'application/vnd.oracle.adf.error+json', ...fault.opts.headers },
    body: {
      title: TITLES[fault.status] ?? 'Error',
      status: String(fault.status),
      detail: fault.detail,
      ...(fault.opts.errorCode ? { 'o:errorCode': fault.opts.errorCode } : {}),
      'o:errorDetails': [{ detail: fault.detail, ...(fault.opts.errorCode ? { 'o:errorCode': fault.opts.errorCode } : {}) }],
    },
  };
}
