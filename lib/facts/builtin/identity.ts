import { probeFact } from '../file-probe.js';

/** Who creates files on the host (the reader: login or become user): its name, primary group and umask. */
export interface Identity {
  user: string;
  group: string;
  umask: number;
}

/** What a new file will belong to and which permission bits it loses, so a plan can report them as Ansible does. */
export const identity = probeFact<void, Identity>({
  name: 'identity',
  // read by the file probe's find from its own /proc/self (`id` where that does not tell), with the shell's umask
  key: () => 'identity',
});
