import type { FileState } from '../facts/builtin/file-stat.js';
import { formatMode } from './arg-types.js';

/**
 * What Ansible adds to a result that names a path (its add_path_info): when the path exists, its owner, group,
 * mode, size, and its kind as `state` (link, directory or file).
 */
export const pathInfo = (st: FileState): Record<string, unknown> =>
  st.exists
    ? {
        state: st.type === 'link' || st.type === 'directory' ? st.type : 'file',
        ...(st.owner !== undefined ? { owner: st.owner, group: st.group } : {}),
        ...(st.mode !== undefined ? { mode: formatMode(st.mode) } : {}),
        ...(st.size !== undefined ? { size: st.size } : {}),
      }
    : {};
