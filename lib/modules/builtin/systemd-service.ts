import { systemdModule } from './systemd.js';

/** Ansible's newer name for systemd: both are ansible.builtin modules, one implementation. */
export const systemdServiceModule = { ...systemdModule, name: 'systemd_service' };
