import { parse } from 'yaml';

/** service name → image, as written in a compose file */
export const composeImages = (text: string): Record<string, string> => {
  const doc = (parse(text) ?? {}) as { services?: Record<string, { image?: unknown }> };
  return Object.fromEntries(Object.entries(doc.services ?? {}).flatMap(([name, svc]) => (typeof svc?.image === 'string' ? [[name, svc.image]] : [])));
};

const indentOf = (line: string): number => line.length - line.trimStart().length;

/** The compose text with one service's `image:` replaced, every other byte kept (comments, order, other services). */
export const withServiceImage = (text: string, service: string, image: string): string => {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trimEnd() === `  ${service}:` || l.trimEnd() === `  "${service}":`);
  if (start < 0) throw new Error(`service ${service} not found in the compose file`);
  for (let i = start + 1; i < lines.length && (lines[i].trim() === '' || indentOf(lines[i]) > 2); i++) {
    const m = /^(\s+image:\s*)\S+(.*)$/.exec(lines[i]);
    if (m && indentOf(lines[i]) === 4) {
      lines[i] = `${m[1]}${image}${m[2]}`;
      return lines.join('\n');
    }
  }
  throw new Error(`service ${service} has no image line`);
};

/** `repo:tag` → tag (`latest` when absent; a digest is ignored) */
export const imageTag = (image: string): string => {
  const noDigest = image.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', slash + 1);
  return colon < 0 ? 'latest' : noDigest.slice(colon + 1);
};
