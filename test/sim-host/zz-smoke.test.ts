import { test } from 'vitest';
import { simHost } from '/work/main/test/sim-host/sim-host.js';
test('smoke', async () => {
  const { sh, cleanup, host } = await simHost('h100-8x');
  for (const c of ['nvidia-smi --query-gpu=index,name,memory.total,driver_version,pci.bus_id,compute_cap --format=csv,noheader,nounits', 'nvidia-smi topo -m', 'nvidia-smi nvlink -s | head -5', 'nvidia-smi -L', 'nvidia-smi', 'modinfo -F version nvidia', "dpkg-query -W -f='${Package} ${Version} ${db:Status-Abbrev}\\n' 'nvidia-driver-*' 'nvidia-fabricmanager*'", 'apt-mark showhold', 'df -PB1 ' + host.root + '/mnt/shared', 'df -h', 'lsblk', 'mokutil --sb-state', 'lsb_release -a', 'lsb_release -cs', 'systemctl is-active nvidia-fabricmanager', 'systemctl list-unit-files', 'dpkg -l | head -8', 'docker ps']) {
    const r = sh(c);
    console.log(`$ ${c}\n${r.stdout}${r.stderr}[rc=${r.code}]`);
  }
  await cleanup();
});
