// ssh2 ships no types: the part of its key parser nop uses (lib/transport/ssh-connection.ts)
declare module 'ssh2/lib/protocol/keyParser.js' {
  /** a parsed key (an object ssh2 recognises by a symbol of this module), or why the data is no key */
  export function parseKey(data: Buffer | string, passphrase?: Buffer | string): object | Error;
  const keyParser: { parseKey: typeof parseKey };
  export default keyParser;
}
