import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';

/** The input `init` reads answers from: process.stdin, or any stream of lines (tests pipe one). */
export type AnswerInput = NodeJS.ReadableStream & { isTTY?: boolean };

/**
 * Asks questions on stderr and reads one line per answer (node:readline). On a terminal a secret is typed without
 * echo; on a pipe every line is simply read in order, so a script (or a test) can answer.
 */
export class Asker {
  private readonly rl: Interface;
  private readonly lines: AsyncIterator<string>;
  private muted = false;
  private readonly tty: boolean;

  constructor(
    input: AnswerInput,
    private readonly write: (text: string) => void,
  ) {
    this.tty = input.isTTY === true;
    // readline echoes what is typed through `output`: muted while a secret is typed.
    const output = new Writable({
      write: (chunk: Buffer | string, _enc, done) => {
        if (!this.muted) write(chunk.toString());
        done();
      },
    });
    this.rl = createInterface({ input, output, terminal: this.tty });
    this.lines = this.rl[Symbol.asyncIterator]();
  }

  /**
   * One answer; `def` is offered (and returned on Enter). A secret's default is never shown, only announced. Without
   * a default an answer is required; `check` returns why an answer is refused (never repeating it), and the question
   * is asked again.
   */
  async ask(
    question: string,
    opts: {
      def?: string | undefined;
      secret?: boolean;
      hint?: string;
      secretDefaultLabel?: string;
      check?: (answer: string) => string | undefined | Promise<string | undefined>;
    } = {},
  ): Promise<string> {
    if (opts.hint) this.write(`  ${opts.hint}\n`);
    for (;;) {
      const shown = opts.secret
        ? opts.def !== undefined
          ? ` [Enter: ${opts.secretDefaultLabel ?? 'keep the default'}]`
          : ''
        : opts.def !== undefined && opts.def !== ''
          ? ` [${opts.def}]`
          : '';
      this.write(`${question}${shown}${opts.secret && this.tty ? ' (not shown)' : ''}: `);
      this.muted = !!opts.secret && this.tty;
      const next = await this.lines.next();
      if (this.muted) this.write('\n');
      this.muted = false;
      if (next.done) throw new Error(`the input ended before every question was answered (at "${question}"); nothing was written`);
      if (!this.tty) this.write('\n');
      const answer = next.value.trim();
      const value = answer === '' ? (opts.def ?? '') : answer;
      if (value === '' && opts.def === undefined) {
        this.write('  an answer is required\n');
        continue;
      }
      const problem = value === '' ? undefined : await opts.check?.(value);
      if (!problem) return value;
      this.write(`  ${problem}; again please\n`);
    }
  }

  /** Asks until the answer is one of `choices`. */
  async choose<T extends string>(question: string, choices: readonly T[], def?: T): Promise<T> {
    for (;;) {
      const a = await this.ask(`${question} (${choices.join('|')})`, { def });
      if ((choices as readonly string[]).includes(a)) return a as T;
      this.write(`  please answer one of: ${choices.join(', ')}\n`);
    }
  }

  async yesNo(question: string, def: boolean | undefined): Promise<boolean | undefined> {
    for (;;) {
      const a = (await this.ask(`${question} (y/n)`, { def: def === undefined ? '' : def ? 'y' : 'n' })).toLowerCase();
      if (a === '' && def === undefined) return undefined;
      if (a === 'y' || a === 'yes') return true;
      if (a === 'n' || a === 'no') return false;
      this.write('  please answer y or n\n');
    }
  }

  close(): void {
    this.rl.close();
  }
}
