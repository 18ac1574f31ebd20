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

export function latestEpoch(epoch, height) {
  const index = epochIndexAt(epoch, height);
  const stages = epochStages(epoch, index);
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
    },
  };
}
