import { composeScript, type ComposeProject } from '../../gonka/compose-command.js';
import { defineFact } from '../fact.js';

export interface ComposeContainer {
  service: string;
  state: string;
  /** compose's words for it, e.g. "Exited (0) 5 seconds ago" */
  status: string;
  image: string;
}

/** The project's containers by service (`docker compose ps --all`); undefined when compose cannot tell (no docker, no file). */
export type ComposeState = Map<string, ComposeContainer> | undefined;

interface PsEntry {
  Service?: string;
  State?: string;
  Status?: string;
  Image?: string;
}

// compose prints one JSON object per line (v2.21+) or, before that, one JSON array
const parsePs = (stdout: string): PsEntry[] => {
  const text = stdout.trim();
  if (text.startsWith('[')) return JSON.parse(text) as PsEntry[];
  return text
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as PsEntry);
};

/** The containers of a compose project, read where it runs. */
export const composeContainers = defineFact<ComposeProject, ComposeState>({
  name: 'compose_ps',
  command: (projects) => projects.map((p) => `(${composeScript(p, ['ps', '--all', '--format', 'json'])}) 2>/dev/null; printf '\\0%s\\0' "$?"`).join('\n'),
  parse: ({ stdout }, projects) => {
    const parts = stdout.split('\0');
    return projects.map((_, i) => {
      if (parts[2 * i + 1] !== '0') return undefined;
      const entries = parsePs(parts[2 * i]);
      return new Map(
        entries.filter((e) => e.Service).map((e) => [e.Service!, { service: e.Service!, state: e.State ?? '', status: e.Status ?? '', image: e.Image ?? '' }]),
      );
    });
  },
  key: (p) => `${p.dir}\u0000${p.files.join('\u0000')}`,
});
