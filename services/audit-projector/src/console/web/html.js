// Preact + htm: components written as tagged templates, run by the browser as they are (no JSX, no bundler).
import { h, render, Fragment } from './vendor/preact.js';
import htm from './vendor/htm.js';

export const html = htm.bind(h);
export { h, render, Fragment };
export { useState, useEffect, useRef, useCallback, useMemo } from './vendor/hooks.js';
