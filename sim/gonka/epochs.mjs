// Epoch arithmetic as the decentralized-api reports it: PoC starts every `length` blocks
// (offset by `shift`), generation then validation, with wind-down windows before each end.
export function epochStages(epoch, index) {
  const pocStart = epoch.shift + index * epoch.length;
  const generationEnd = pocStart + epoch.pocGenerationBlocks;
  const validationStart = generationEnd + epoch.pocValidationDelayBlocks;
  const validationEnd = pocStart + epoch.pocValidationEndBlocks;
  return {
    epoch_index: index,
    poc_start: pocStart,
    poc_generation_wind_down: generationEnd - epoch.windDownBlocks,
    poc_generation_end: generationEnd,
    poc_validation_start: validationStart,
    poc_validation_wind_down: validationEnd - epoch.windDownBlocks,
    poc_validation_end: validationEnd,
    set_new_validators: validationEnd + 1,
    claim_money: validationEnd + 2,
    inference_validation_cutoff: pocStart + epoch.length - 20,
    next_poc_start: pocStart + epoch.length,
    poc_exchange_window: { start: pocStart + 1, end: generationEnd + 1 },
    poc_validation_exchange_window: { start: validationStart, end: validationEnd },
  };
}

export const epochIndexAt = (epoch, height) => Math.max(0, Math.floor((height - epoch.shift) / epoch.length));

export function phaseAt(stages, height) {
  if (height < stages.poc_start || height >= stages.poc_validation_end) return 'Inference';
  if (height < stages.poc_generation_wind_down) return 'PoCGenerate';
  if (height < stages.poc_generation_end) return 'PoCGenerateWindDown';
  if (height < stages.poc_validation_wind_down) return 'PoCValidate';
  return 'PoCValidateWindDown';
}

const CPOC_PHASES = ['CONFIRMATION_POC_GRACE_PERIOD', 'CONFIRMATION_POC_GENERATION', 'CONFIRMATION_POC_VALIDATION'];

/**
 * The epoch's Confirmation PoC event (scenario.confirmationPoc, one per epoch) with its phase at `height`, or undefined
 * when none runs then. It never reaches into the safety window before the next PoC.
 */
export function confirmationPocAt(epoch, cpoc, height) {
  if (!cpoc) return undefined;
  const index = epochIndexAt(epoch, height);
  const stages = epochStages(epoch, index);
  const trigger = stages.poc_start + cpoc.startOffset;
  const generationStart = trigger + cpoc.graceBlocks;
  const validationStart = generationStart + cpoc.generationBlocks;
  const end = validationStart + cpoc.validationBlocks;
  if (end > stages.next_poc_start - epoch.confirmationPocSafetyWindow)
    throw new Error(
      `scenario.confirmationPoc ends at ${end}, inside the ${epoch.confirmationPocSafetyWindow}-block safety window before ${stages.next_poc_start}`,
    );
  if (height < trigger || height >= end) return undefined;
  const phase = CPOC_PHASES[height < generationStart ? 0 : height < validationStart ? 1 : 2];
  return {
    epoch_index: index,
    event_sequence: 0,
    trigger_height: trigger,
    generation_start_height: generationStart,
    generation_end_height: validationStart - 1,
    validation_start_height: validationStart,
    validation_end_height: end - 1,
    phase,
  };
}

export function latestEpoch(epoch, height, cpoc = null) {
  const index = epochIndexAt(epoch, height);
  const stages = epochStages(epoch, index);
  const event = confirmationPocAt(epoch, cpoc, height);
  return {
    block_height: height,
    latest_epoch: { index, poc_start_block_height: stages.poc_start },
    phase: phaseAt(stages, height),
    epoch_stages: stages,
    next_epoch_stages: epochStages(epoch, index + 1),
    epoch_params: {
      epoch_length: epoch.length,
      epoch_shift: epoch.shift,
      poc_stage_duration: epoch.pocGenerationBlocks,
      poc_validation_delay: epoch.pocValidationDelayBlocks,
      poc_validation_duration: epoch.pocValidationEndBlocks - epoch.pocGenerationBlocks - epoch.pocValidationDelayBlocks,
      confirmation_poc_safety_window: epoch.confirmationPocSafetyWindow,
    },
    is_confirmation_poc_active: event !== undefined,
    ...(event ? { active_confirmation_poc_event: event } : {}),
  };
}
