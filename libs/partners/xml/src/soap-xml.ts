/**
 * Just enough XML for SOAP 1.1 envelopes: elements (namespace prefixes kept apart from local names), attributes,
 * text with the five entities and numeric references, CDATA, comments and the prolog. No DTDs.
 */
export interface XmlElement {
  name: string;
  prefix: string;
  /** The namespace URI the prefix (or the default namespace) resolves to where the element stands; '' when none. */
  ns: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export class XmlSyntaxError extends Error {}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_m, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!,
  );
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export function parseXml(text: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (why: string): never => {
    throw new XmlSyntaxError(`${why} at offset ${i}`);
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (chunk.trim()) {
      if (!stack.length) fail('text outside the root element');
      stack[stack.length - 1]!.text += decode(chunk);
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i);
      if (end < 0) fail('unterminated processing instruction');
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i);
      if (end < 0 || !stack.length) fail('bad CDATA section');
      stack[stack.length - 1]!.text += text.slice(i + 9, end);
      i = end + 3;
    } else if (text.startsWith('<!', i)) {
      fail('DTDs are not accepted');
    } else if (text.startsWith('</', i)) {
      const end = text.indexOf('>', i);
      if (end < 0) fail('unterminated end tag');
      const qname = text.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || (open.prefix ? `${open.prefix}:${open.name}` : open.name) !== qname) fail(`mismatched end tag </${qname}>`);
      i = end + 1;
    } else {
      const m = /^<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(text.slice(i));
      if (!m) fail('malformed start tag');
      const [qname, attrText, selfClosing] = [m![1]!, m![2]!, m![3]!];
      const [prefix, name] = qname.includes(':') ? (qname.split(':') as [string, string]) : ['', qname];
      const attrs: Record<string, string> = {};
      for (const a of attrText.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]!] = decode(a[2] ?? a[3] ?? '');
      const scope = (p: string): string | undefined => {
        const key = p ? `xmlns:${p}` : 'xmlns';
        if (attrs[key] !== undefined) return attrs[key];
        for (let k = stack.length - 1; k >= 0; k--) if (stack[k]!.attrs[key] !== undefined) return stack[k]!.attrs[key];
        return undefined;
      };
      const ns = scope(prefix);
      if (ns === undefined && prefix) fail(`undeclared namespace prefix ${prefix}`);
      const el: XmlElement = { name, prefix, ns: ns ?? '', attrs, children: [], text: '' };
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      else if (root) fail('more than one root element');
      else root = el;
      if (!selfClosing) stack.push(el);
      i += m![0].length;
    }
  }
  if (stack.length || !root) fail('unexpected end of document');
  return root!;
}

/** The first descendant (depth-first, including itself) with this local name. */
export function find(el: XmlElement, name: string): XmlElement | undefined {
  if (el.name === name) return el;
  for (const c of el.children) {
    const f = find(c, name);
    if (f) return f;
  }
  return undefined;
}

/** Direct children with this local name. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** Trimmed text of the direct child with this local name, or undefined. */
export function childText(el: XmlElement, name: string): string | undefined {
  const c = el.children.find((x) => x.name === name);
  return c ? c.text.trim() : undefined;
}
