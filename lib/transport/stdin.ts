import { Readable } from 'node:stream';

/** What a command reads on stdin: bytes in memory, or a stream (a large file is never held in memory). */
export type Stdin = string | Buffer | Readable;

/** `prefix` then `rest`, as one stdin (a sudo password line, an env prologue, before the caller's own input). */
export const prependStdin = (prefix: Buffer, rest: Stdin | undefined): Stdin => {
  if (!(rest instanceof Readable)) return Buffer.concat([prefix, rest === undefined ? Buffer.alloc(0) : Buffer.from(rest)]);
  return Readable.from(
    (async function* () {
      yield prefix;
      for await (const chunk of rest) yield chunk as Buffer;
    })(),
    { objectMode: false },
  );
};

/** Feed `stdin` to a command's input and end it. A read error of a streamed source is handed to `onSourceError`. */
export const feedStdin = (stdin: Stdin | undefined, input: NodeJS.WritableStream, onSourceError: (err: Error) => void): void => {
  if (!(stdin instanceof Readable)) {
    input.end(stdin ?? '');
    return;
  }
  stdin.once('error', (err) => {
    onSourceError(err);
    input.end();
  });
  stdin.pipe(input);
};
