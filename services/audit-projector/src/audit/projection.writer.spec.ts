import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { arrayLiteral } from './projection.writer';

describe('audit projection writer: array literals (column arrays of the multi-row inserts)', () => {
  it('leaves plain ids bare and quotes what the array syntax would misread: empty, NULL, spaces, delimiters, braces', () => {
    assert.equal(arrayLiteral(['a', 'fusion-po:123', 'ünï', 7]), '{a,fusion-po:123,ünï,7}');
    assert.equal(arrayLiteral(['', 'NULL', 'null', 'a b', ' lead', 'x,y', '{}', 'tab\t']), '{"","NULL","null","a b"," lead","x,y","{}","tab\t"}');
    assert.equal(arrayLiteral([null, undefined]), '{NULL,NULL}');
    assert.equal(arrayLiteral([]), '{}');
  });

  it('escapes quotes and backslashes, so an array literal or JSON text is one element', () => {
    assert.equal(arrayLiteral(['q"uote', 'back\\slash']), '{"q\\"uote","back\\\\slash"}');
    assert.equal(arrayLiteral([arrayLiteral(['a', 'b c']), JSON.stringify({ x: 'y"z' })]), '{"{a,\\"b c\\"}","{\\"x\\":\\"y\\\\\\"z\\"}"}');
  });
});
