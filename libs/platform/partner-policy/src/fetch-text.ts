/**
 * One HTTP exchange of a partner client: the answer and its body text. A failure to reach the partner or to read the
 * answer (network, timeout, abort) is thrown as `unreachable(err)`, the client's own error; statuses are the caller's.
 */
export async function fetchText(url: string | URL, init: RequestInit, unreachable: (err: unknown) => Error): Promise<{ res: Response; text: string }> {
  try {
    const res = await fetch(url, init);
    return { res, text: await res.text() };
  } catch (err) {
    throw unreachable(err);
  }
}
