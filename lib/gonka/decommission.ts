// The decommission's decisions (reference gonka-operations.md §11), kept apart from the role so they are unit-tested:
// which of this participant's ML nodes the epoch still schedules, how long to wait for them to leave, which backup
// archive of the host the control machine holds.

/** The participants list of an epoch, as the public API answers /v1/epochs/current/participants (reference §2.3). */
interface ParticipantsAnswer {
  active_participants?: { epoch_id?: number; participants?: { index?: string; ml_nodes?: { ml_nodes?: { node_id?: string }[] }[] }[] };
}

/**
 * This participant's ML nodes (of `nodeIds`) that the epoch's participants list still holds: scheduled for inference
 * in this epoch. A participant absent from the list has none.
 */
export const scheduledNodes = (answer: unknown, address: string, nodeIds: readonly string[]): string[] => {
  const me = (answer as ParticipantsAnswer | undefined)?.active_participants?.participants?.find((p) => p.index === address);
  const listed = new Set((me?.ml_nodes ?? []).flatMap((group) => (group.ml_nodes ?? []).map((n) => n.node_id)));
  return nodeIds.filter((id) => listed.has(id));
};

/** Whether an answer is a participants list at all (a 404 "not found for epoch" is not: PoC failed, or no epoch yet). */
export const isParticipantsList = (answer: unknown): boolean => Array.isArray((answer as ParticipantsAnswer | undefined)?.active_participants?.participants);

export interface WaitState {
  /** the epoch the wait began in */
  startEpoch: number;
  epoch: number;
  height: number;
  phase: string;
  /** the next PoC's first block: a disabled node not preserved leaves the participants there */
  nextPocStart: number;
  /** this participant's ML nodes still in the epoch's participants */
  scheduled: string[];
  /** epochs the wait may run past the one it began in; 0: no wait, refuse at once while a node is scheduled */
  waitEpochs: number;
}

export type WaitVerdict = { done: string } | { waiting: string } | { refused: string };

/**
 * One look at the epoch: done when no node is scheduled any more; waiting (a progress line) while the chain has not
 * passed the epochs the operator allowed; refused otherwise, naming the nodes and when they leave at the earliest.
 */
export const waitVerdict = (s: WaitState): WaitVerdict => {
  if (s.scheduled.length === 0) return { done: `epoch ${s.epoch} (height ${s.height}): no ML node of this participant is scheduled any more` };
  const when = `they leave at the earliest with the PoC at block ${s.nextPocStart} (${Math.max(0, s.nextPocStart - s.height)} blocks away); a preserved node serves one epoch more`;
  if (s.epoch - s.startEpoch >= s.waitEpochs)
    return {
      refused:
        `refused to stop: ${s.scheduled.join(', ')} still scheduled for inference in epoch ${s.epoch} (height ${s.height}, phase ${s.phase}); ` +
        `stopping now misses inferences and costs reputation. ${when}. Run again then (the nodes stay disabled), or wait longer with -e decommission_wait_epochs=N`,
    };
  return { waiting: `epoch ${s.epoch}, height ${s.height}, phase ${s.phase}: ${s.scheduled.join(', ')} still scheduled; ${when}` };
};

/** The newest backup.yml archive of `host` among the names in the backup dir (their names carry the ISO date). */
export const newestArchive = (names: readonly string[], host: string): string | undefined =>
  names
    .filter((n) => n.startsWith(`${host}-`) && n.endsWith('.nopbackup') && /^\d{4}-\d{2}-\d{2}T/.test(n.slice(host.length + 1)))
    .sort()
    .at(-1);
