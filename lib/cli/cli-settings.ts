import { loadSettings, SettingError, type LoadedSettings } from '../config/settings.js';
import { OptionError } from './extra-vars.js';

/** The config file and environment settings for a command; a bad value is a bad option (exit 5), as in Ansible. */
export const cliSettings = async (): Promise<LoadedSettings> => {
  try {
    const loaded = await loadSettings();
    for (const w of loaded.warnings) process.stderr.write(`[WARNING]: ${w}\n`);
    return loaded;
  } catch (e) {
    if (e instanceof SettingError) throw new OptionError(e.message);
    throw e;
  }
};
