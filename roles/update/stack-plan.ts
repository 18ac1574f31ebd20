import { z } from 'zod';
import { CONFIG_ENV, MLNODE_COMPOSE, NETWORK_COMPOSE } from '../../lib/gonka/deploy-files.js';
import { compareStacks, type StackFiles } from '../../lib/gonka/stack-diff.js';
import type { StackDifference } from '../../lib/gonka/stack-difference.js';
import { composeImages, withServiceImage } from './compose-images.js';

/** deploy-dir file name → its text (undefined: the file is not there) */
export type DeployTexts = Record<string, string | undefined>;

/** What moving a host to today's stack changes (the plan task publishes it as `stack_move`). */
export const StackMoveSchema = z.object({
  /** deploy-dir files whose content changes, in the order they are written */
  files: z.array(z.string()),
  /** the models this host's ML nodes serve now, and the one they serve after the move (absent: unchanged) */
  model: z.object({ from: z.array(z.string()), to: z.string() }).optional(),
  /** what changes, service by service and setting by setting (values of secrets hidden) */
  differences: z.array(z.string()).default([]),
  /** HF_HOME of today's deployment: where the new model's weights are downloaded before the switch */
  hf_home: z.string().optional(),
});
export type StackMove = z.output<typeof StackMoveSchema>;

const isMlService = (name: string): boolean => /^mlnode-\d+$/.test(name);

/**
 * A rendered compose file with the deployed image of each service it shares with the deployed file (`keep` picks
 * which): while a service stays, which image build runs it is the image update's business (the update role's plan,
 * `mlnode_image`, `gonka_versions_overrides`), not the stack's.
 */
export const keepDeployedImages = (rendered: string, deployed: string | undefined, keep: (service: string) => boolean = () => true): string => {
  if (!deployed) return rendered;
  const images = composeImages(deployed);
  return Object.keys(composeImages(rendered))
    .filter((name) => keep(name) && images[name] !== undefined)
    .reduce((text, name) => withServiceImage(text, name, images[name]), rendered);
};

/**
 * The move from what the host has (`deployed`) to what nop renders today (`rendered`): the files that differ, the
 * texts to write and, when node-config changes the served model, the switch. A host whose files differ from today's
 * only in the network services' images does not move: a new pinned version is the image update's business (the
 * update role's plan, `gonka_versions_overrides`), which follows.
 */
export const planStackMove = (
  deployed: DeployTexts,
  rendered: Record<string, string>,
  served: { from: string[]; to: string[] },
): { move: StackMove; texts: Record<string, string> } => {
  const { from, to } = served;
  const switches = to.length > 0 && (from.length !== to.length || from.some((m, i) => m !== to[i]));
  const wanted =
    switches || rendered[MLNODE_COMPOSE] === undefined
      ? rendered
      : { ...rendered, [MLNODE_COMPOSE]: keepDeployedImages(rendered[MLNODE_COMPOSE], deployed[MLNODE_COMPOSE], isMlService) };
  const differ = (texts: Record<string, string>) => Object.keys(texts).filter((f) => texts[f] !== deployed[f]);
  const imagesOnly =
    wanted[NETWORK_COMPOSE] !== undefined &&
    differ({ ...wanted, [NETWORK_COMPOSE]: keepDeployedImages(wanted[NETWORK_COMPOSE], deployed[NETWORK_COMPOSE]) }).length === 0;
  const files = imagesOnly ? [] : differ(wanted);
  return { move: { files, differences: [], ...(switches ? { model: { from, to: to[0] } } : {}) }, texts: Object.fromEntries(files.map((f) => [f, wanted[f]])) };
};

export const describeStackMove = (m: StackMove): string =>
  m.files.length === 0
    ? "the deployed stack is today's"
    : `today's stack: ${m.files.join(', ')} change${m.model ? `; the ML nodes switch from ${m.model.from.join(', ') || 'no model'} to ${m.model.to}` : ''}`;

// config.env values never shown: the keyring password, tokens, the DNS provider's credentials
const SECRET_NAME = /PASSWORD|TOKEN|SECRET|MNEMONIC|PRIVATE|CREDENTIAL|_KEY$|API_KEY/;

const shown = (d: StackDifference, value: string | undefined): string => {
  if (value === undefined) return '(none)';
  return d.file === CONFIG_ENV && SECRET_NAME.test(d.key) ? '(secret)' : JSON.stringify(value);
};

/** One line per semantic difference between the deployed files and today's (`nop upstream diff`'s comparison), secrets hidden. */
export const describeDifferences = (diffs: StackDifference[]): string[] =>
  diffs.map((d) => `${d.file}${d.service ? ` ${d.service}` : ''} ${d.aspect} ${d.key}: ${shown(d, d.upstream)} → ${shown(d, d.nop)}`);

/** The semantic differences, when the deployed files can be compared (both sides have the file); unreadable: said so. */
export const stackDifferences = (deployed: DeployTexts, rendered: Record<string, string>): string[] => {
  const pick = (texts: DeployTexts): StackFiles =>
    Object.fromEntries(
      [CONFIG_ENV, NETWORK_COMPOSE, MLNODE_COMPOSE].flatMap((f) => (deployed[f] !== undefined && rendered[f] !== undefined ? [[f, texts[f]]] : [])),
    );
  try {
    return describeDifferences(compareStacks(pick(deployed), pick(rendered)));
  } catch (e) {
    return [`the deployed files cannot be compared: ${e instanceof Error ? e.message : String(e)}`];
  }
};
