/**
 * Output for a pipe or a file, written once per turn of the event loop instead of once per line: a run on many
 * hosts prints a line per task and host, and each write to a pipe is a system call that wakes the reader. What
 * one turn printed goes out together, in order; `flush` writes what is waiting at once (before anything else
 * speaks on stderr, asks a question or exits).
 */
export interface BatchedWriter {
  write(text: string): void;
  flush(): void;
}

export const batchedWriter = (write: (text: string) => void): BatchedWriter => {
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    write(text);
  };
  return {
    write: (text) => {
      pending += text;
      if (scheduled) return;
      scheduled = true;
      setImmediate(flush);
    },
    flush,
  };
};
