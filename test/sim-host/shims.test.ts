import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, test } from 'vitest';
import { SHIMS_DIR } from '../../sim/host/paths.js';
import { hostState, setComposeHook, simHost, stopShimServer } from './sim-host.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const host = async (profile: string) => {
  const h = await simHost(profile);
  cleanups.push(h.cleanup);
  return h;
};

describe('nvidia-smi', () => {
  test('any subset and order of query fields, with and without units and header', async () => {
    const { sh } = await host('rtx4090-4x');
    const r = sh('nvidia-smi --query-gpu=memory.free,uuid,index,utilization.gpu,name --format=csv,noheader,nounits -i 1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^24564, GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}, 1, 0, NVIDIA GeForce RTX 4090\n$/);
    const withHeader = sh('nvidia-smi --query-gpu=index,memory.total,memory.used --format=csv').stdout.split('\n');
    expect(withHeader[0]).toBe('index, memory.total [MiB], memory.used [MiB]');
    expect(withHeader[1]).toBe('0, 24564 MiB, 0 MiB');
    expect(sh('nvidia-smi --query-gpu=index,bogus --format=csv')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Field "bogus" is not a valid field to query.'),
    });
  });

  test('-L, topo -m on PCIe and on NVSwitch, nvlink -s', async () => {
    const pcie = await host('l40s-6x');
    expect(pcie.sh('nvidia-smi -L').stdout.split('\n')[5]).toMatch(/^GPU 5: NVIDIA L40S \(UUID: GPU-/);
    const topo = pcie.sh('nvidia-smi topo -m').stdout;
    expect(topo).toMatch(/^GPU0\t X \tPIX\tNODE\tSYS\tSYS\tSYS\t0-47\t0/m);
    expect(pcie.sh('nvidia-smi nvlink -s').stdout).toMatch(/all links are inActive/);
    const sxm = await host('b200-2x');
    expect(sxm.sh('nvidia-smi topo -m').stdout).toMatch(/^GPU1\tNV18\t X \t/m);
    expect(sxm.sh('nvidia-smi nvlink -s').stdout.match(/Link \d+: 50 GB\/s/g)).toHaveLength(36);
  });

  test('the real failure texts and exit codes', async () => {
    const fresh = await host('fresh-2204');
    expect(fresh.sh('nvidia-smi')).toMatchObject({ code: 127, stderr: 'sh: 1: nvidia-smi: not found\n' });
    const mismatch = await host('driver-mismatch');
    expect(mismatch.sh('nvidia-smi -L')).toEqual({
      code: 18,
      stdout: '',
      stderr: 'Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 570.133\n',
    });
    const none = await host('no-gpu');
    expect(none.sh('nvidia-smi').code).toBe(127);
  });
});

describe('apt-get, dpkg-query, reboot', () => {
  test('installing the driver needs a reboot before nvidia-smi works', async () => {
    const { sh, host: h } = await host('fresh-2204');
    expect(sh("dpkg-query -W -f='${Version}' nvidia-driver-570-server")).toMatchObject({
      code: 1,
      stderr: 'dpkg-query: no packages found matching nvidia-driver-570-server\n',
    });
    const install = sh('apt-get install -y linux-headers-$(uname -r) nvidia-driver-570-server=570.124.06-*');
    expect(install.code).toBe(0);
    expect(install.stdout).toMatch(/Setting up nvidia-driver-570-server \(570\.124\.06-0ubuntu0\.22\.04\.1\)/);
    expect(sh("dpkg-query -W -f='${Package} ${Version} ${Status}\\n' nvidia-driver-570-server").stdout).toBe(
      'nvidia-driver-570-server 570.124.06-0ubuntu0.22.04.1 install ok installed\n',
    );
    expect(existsSync(h.path('/var/run/reboot-required'))).toBe(true);
    expect(sh('nvidia-smi -L')).toMatchObject({
      code: 9,
      stderr: expect.stringContaining("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."),
    });
    await h.reboot();
    expect(existsSync(h.path('/var/run/reboot-required'))).toBe(false);
    expect(sh('nvidia-smi --query-gpu=driver_version --format=csv,noheader -i 0').stdout).toBe('570.124.06\n');
    expect(await readFile(h.path('/sys/module/nvidia/version'), 'utf8')).toBe('570.124.06\n');
  });

  test('without kernel headers DKMS builds no module: still no driver after reboot', async () => {
    const { sh, host: h } = await host('fresh-2204');
    expect(sh('apt-get install -y nvidia-driver-570-server').code).toBe(0);
    await h.reboot();
    expect(sh('nvidia-smi').code).toBe(9);
    expect(sh('modinfo -F version nvidia')).toMatchObject({ code: 1, stderr: 'modinfo: ERROR: Module nvidia not found.\n' });
  });

  test('apt-get -s simulates: Inst and Remv lines, the host left as it was (check mode plans with it)', async () => {
    const { sh, host: h } = await host('fresh-2204');
    const before = await readFile(h.path('/var/lib/nop-sim/state.json'), 'utf8');
    const install = sh('apt-get install -s -y docker-ce jq');
    expect(install.code).toBe(0);
    expect(install.stdout).toMatch(/^Inst docker-ce \(\S+ Ubuntu:22\.04\/jammy \[amd64\]\)$/m);
    expect(install.stdout).toMatch(/^Inst jq \(1\.6-2\.1ubuntu3 /m);
    expect(sh('apt-get remove --simulate -y openssh-server').stdout).toMatch(/^Remv openssh-server \[\S+\]$/m);
    expect(sh('apt-get install -s -y nosuchpkg')).toMatchObject({ code: 100, stderr: expect.stringContaining('E: Unable to locate package nosuchpkg') });
    expect(await readFile(h.path('/var/lib/nop-sim/state.json'), 'utf8')).toBe(before);
  });

  test('errors of apt itself: unknown package, unknown version, held package, no -y', async () => {
    const { sh, host: h } = await host('h100-8x');
    const before = await readFile(h.path('/var/lib/nop-sim/state.json'), 'utf8');
    expect(sh('apt-get install -y nosuchpkg')).toMatchObject({ code: 100, stderr: expect.stringContaining('E: Unable to locate package nosuchpkg') });
    expect(sh('apt-get install -y jq=9.9')).toMatchObject({ code: 100, stderr: expect.stringContaining("E: Version '9.9' for 'jq' was not found") });
    expect(sh('apt-get install -y nvidia-driver-570-server=570.124.06-0ubuntu0.22.04.1 --allow-downgrades')).toMatchObject({
      code: 100,
      stderr: expect.stringContaining('E: Held packages were changed and -y was used without --allow-change-held-packages.'),
    });
    expect(sh('apt-get install jq')).toMatchObject({ code: 1, stderr: expect.stringContaining('Do you want to continue? [Y/n] Abort.') });
    expect(await readFile(h.path('/var/lib/nop-sim/state.json'), 'utf8')).toBe(before);
    expect(sh('apt-get install -y jq').stdout).toMatch(/1 newly installed/);
    expect(sh('apt-get install -y jq').stdout).toMatch(/jq is already the newest version \(1\.6-2\.1ubuntu3\)\.\n0 upgraded, 0 newly installed/);
  });

  test('an upgrade behind the held driver splits kernel and user space (the unattended-upgrades accident)', async () => {
    const { sh, host: h } = await host('unattended-upgrades');
    expect(sh('nvidia-smi -L').code).toBe(0);
    expect(
      sh('apt-get install -y nvidia-driver-570-server=570.124.06-* nvidia-utils-570-server=570.124.06-* nvidia-dkms-570-server=570.124.06-* --allow-downgrades')
        .code,
    ).toBe(0);
    expect(sh('nvidia-smi -L').code).toBe(18);
    await h.reboot();
    expect(sh('nvidia-smi -L').code).toBe(0);
  });

  test('apt-mark hold is idempotent and shows in dpkg status', async () => {
    const { sh } = await host('unattended-upgrades');
    expect(sh('apt-mark hold nvidia-driver-570-server').stdout).toBe('nvidia-driver-570-server set on hold.\n');
    expect(sh('apt-mark hold nvidia-driver-570-server').stdout).toBe('nvidia-driver-570-server was already set on hold.\n');
    expect(sh('apt-mark showhold').stdout).toBe('nvidia-driver-570-server\n');
    expect(sh("dpkg-query -W -f='${db:Status-Abbrev}' nvidia-driver-570-server").stdout).toBe('hi ');
    expect(sh('dpkg -l nvidia-driver-570-server').stdout).toMatch(/^hi {2}nvidia-driver-570-server\s+570\.133\.20-0ubuntu0\.22\.04\.1\s+amd64/m);
    expect(sh('apt-mark unhold nvidia-driver-570-server').stdout).toBe('Canceled hold on nvidia-driver-570-server.\n');
  });

  test('remove leaves config files, purge forgets the package; services go with it', async () => {
    const { sh } = await host('unattended-upgrades');
    expect(sh('systemctl is-active unattended-upgrades').stdout).toBe('active\n');
    expect(sh('apt-get remove -y unattended-upgrades').code).toBe(0);
    expect(sh("dpkg-query -W -f='${db:Status-Abbrev}|${Version}' unattended-upgrades").stdout).toBe('rc |');
    expect(sh('systemctl is-active unattended-upgrades')).toMatchObject({ code: 3, stdout: 'inactive\n' });
    expect(sh('apt-get purge -y unattended-upgrades').code).toBe(0);
    expect(sh('dpkg-query -W unattended-upgrades').code).toBe(1);
  });

  test.each(['by the shim server', 'as their own processes'])('concurrent shim calls never lose an update (%s)', async (how) => {
    const { host: h } = await host('h100-8x');
    if (how === 'as their own processes') await stopShimServer(h);
    const names = ['jq', 'git', 'rsync', 'aria2', 'htop', 'pciutils', 'chrony', 'ufw'];
    const run = (cmd: string) =>
      new Promise<number>((resolve) => {
        spawn(h.launcher[0], [...h.launcher.slice(1), '/bin/sh', '-c', cmd], { stdio: 'ignore' }).on('close', (code) => resolve(code ?? -1));
      });
    const codes = await Promise.all(names.flatMap((n) => [run(`apt-get install -y ${n}`), run(`apt-mark hold ${n}`)]));
    expect(codes.every((c) => c === 0)).toBe(true);
    const s = await hostState(h);
    for (const n of names) {
      expect(s.packages[n].status).toBe('ii');
      expect(s.holds).toContain(n);
    }
  });
});

describe('systemctl', () => {
  test('Fabric Manager of another branch fails to start; the matching one starts', async () => {
    const { sh } = await host('fabric-manager-mismatch');
    expect(sh('systemctl start nvidia-fabricmanager')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Job for nvidia-fabricmanager.service failed'),
    });
    expect(
      sh('apt-get remove -y nvidia-fabricmanager-550 && apt-get install -y nvidia-fabricmanager-570 && systemctl enable --now nvidia-fabricmanager').code,
    ).toBe(0);
    expect(sh('systemctl is-active nvidia-fabricmanager && systemctl is-enabled nvidia-fabricmanager').stdout).toBe('active\nenabled\n');
  });

  test('unit files appear after daemon-reload; unknown units fail like systemd', async () => {
    const { sh, host: h } = await host('h100-8x');
    expect(sh('systemctl start gonka-watch')).toMatchObject({ code: 5, stderr: 'Failed to start gonka-watch.service: Unit gonka-watch.service not found.\n' });
    await writeFile(h.path('/etc/systemd/system/gonka-watch.service'), '[Service]\nExecStart=/bin/true\n');
    expect(sh('systemctl daemon-reload && systemctl enable --now gonka-watch.service').code).toBe(0);
    expect(sh('systemctl show gonka-watch -p ActiveState -p UnitFileState').stdout).toBe('ActiveState=active\nUnitFileState=enabled\n');
    expect(sh('systemctl list-unit-files --no-legend').stdout).toMatch(/^gonka-watch\.service\s+enabled/m);
  });
});

describe('disks, OS, Secure Boot', () => {
  test('df maps paths to the profile mounts', async () => {
    const { sh } = await host('h100-8x');
    const lines = sh('df -PB1 /mnt/shared /opt/gonka/deploy/join').stdout.split('\n');
    expect(lines[0]).toMatch(/^Filesystem\s+1-blocks\s+Used\s+Available\s+Capacity\s+Mounted on$/);
    expect(lines[1].split(/\s+/)).toEqual(['/dev/nvme1n1p1', '7680000000000', '1680000000000', '6000000000000', '22%', '/mnt/shared']);
    expect(lines[2].split(/\s+/).slice(3)).toEqual(['1500000000000', '22%', '/']);
    expect(sh('cd /mnt && df --output=avail -B1 shared').stdout.split('\n')[1].trim()).toBe('6000000000000');
    // `--` ends the options, as in GNU df (the disk_space fact passes it)
    expect(sh('df -PB1 -- /mnt/shared')).toMatchObject({ code: 0, stderr: '' });
    expect(sh('df /nope')).toMatchObject({ code: 1, stderr: 'df: /nope: No such file or directory\n' });
    const lsblk = JSON.parse(sh('lsblk -J -b -o NAME,SIZE,MOUNTPOINT').stdout);
    expect(lsblk.blockdevices[1].children[0]).toEqual({ name: 'nvme1n1p1', size: 7680000000000, mountpoint: '/mnt/shared' });
  });

  test('lsb_release, os-release, uname, mokutil', async () => {
    const { sh, host: h } = await host('b200-2x');
    expect(sh('lsb_release -cs; lsb_release -rs; lsb_release -is').stdout).toBe('noble\n24.04\nUbuntu\n');
    expect(sh('lsb_release -a')).toMatchObject({
      stdout: 'Distributor ID:\tUbuntu\nDescription:\tUbuntu 24.04.1 LTS\nRelease:\t24.04\nCodename:\tnoble\n',
      stderr: 'No LSB modules are available.\n',
    });
    expect(await readFile(h.path('/etc/os-release'), 'utf8')).toMatch(/^VERSION_CODENAME=noble$/m);
    expect(sh('uname -r; uname -m').stdout).toBe('6.8.0-51-generic\nx86_64\n');
    expect(sh('mokutil --sb-state').stdout).toBe('SecureBoot disabled\n');
    expect((await host('secure-boot')).sh('mokutil --sb-state').stdout).toBe('SecureBoot enabled\n');
  });
});

describe('iptables DOCKER-USER', () => {
  test('rules are normalized, checkable, and deleting restores the chain', async () => {
    const { sh } = await host('h100-8x');
    expect(sh('iptables -S DOCKER-USER')).toMatchObject({ code: 1, stderr: 'iptables: No chain/target/match by that name.\n' });
    expect(sh('apt-get install -y docker-ce').code).toBe(0);
    expect(sh('iptables -S DOCKER-USER').stdout).toBe('-N DOCKER-USER\n-A DOCKER-USER -j RETURN\n');
    const rule = '-p tcp --dport 26657 ! -s 127.0.0.1 -j DROP';
    expect(sh(`iptables -C DOCKER-USER ${rule}`)).toMatchObject({ code: 1, stderr: 'iptables: Bad rule (does a matching rule exist in that chain?).\n' });
    // the idempotent pattern roles use: check, insert only if missing
    for (let i = 0; i < 2; i++) expect(sh(`iptables -w -C DOCKER-USER ${rule} || iptables -w -I DOCKER-USER ${rule}`).code).toBe(0);
    expect(sh('iptables -S DOCKER-USER').stdout).toBe(
      '-N DOCKER-USER\n-A DOCKER-USER ! -s 127.0.0.1/32 -p tcp -m tcp --dport 26657 -j DROP\n-A DOCKER-USER -j RETURN\n',
    );
    expect(sh(`iptables -D DOCKER-USER ${rule}`).code).toBe(0);
    expect(sh('iptables -S DOCKER-USER').stdout).toBe('-N DOCKER-USER\n-A DOCKER-USER -j RETURN\n');
    expect(sh('iptables -N DOCKER-USER')).toMatchObject({ code: 1, stderr: 'iptables: Chain already exists.\n' });
  });
});

describe('docker', () => {
  const CUDA = 'nvidia/cuda:12.8.0-base-ubuntu22.04';

  test('docker run --gpus works only with the toolkit configured, docker restarted and the driver loaded', async () => {
    const { sh, host: h } = await host('fresh-2204');
    expect(sh(`docker run --rm --gpus all ${CUDA} nvidia-smi`).code).toBe(127);
    expect(sh('apt-get install -y linux-headers-generic nvidia-driver-570-server docker-ce nvidia-container-toolkit').code).toBe(0);
    const notConfigured = sh(`docker run --rm --gpus all ${CUDA} nvidia-smi`);
    expect(notConfigured).toMatchObject({
      code: 125,
      stderr: expect.stringContaining('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].'),
    });
    expect(sh('nvidia-ctk runtime configure --runtime=docker').code).toBe(0);
    expect(JSON.parse(await readFile(h.path('/etc/docker/daemon.json'), 'utf8')).runtimes.nvidia.path).toBe('nvidia-container-runtime');
    expect(sh(`docker run --rm --gpus all ${CUDA} nvidia-smi`).code).toBe(125);
    expect(sh('systemctl restart docker').code).toBe(0);
    expect(sh(`docker run --rm --gpus all ${CUDA} nvidia-smi`)).toMatchObject({ code: 125, stderr: expect.stringContaining('nvml error: driver not loaded') });
    await h.reboot();
    const ok = sh(`docker run --rm --gpus all ${CUDA} nvidia-smi`);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/NVIDIA-SMI 570\.133\.20\s+Driver Version: 570\.133\.20\s+CUDA Version: 12\.8/);
    expect(sh('docker images --format "{{.Repository}}:{{.Tag}}"').stdout).toBe(`${CUDA}\n`);
    expect(sh('docker ps -a -q').stdout).toBe('');
  });

  test('ps, inspect, logs, restart, rm of a detached container', async () => {
    const { sh } = await host('h100-8x');
    expect(sh('docker ps')).toMatchObject({ code: 127 });
    expect(sh('apt-get install -y docker-ce').code).toBe(0);
    expect(sh('systemctl stop docker && docker ps')).toMatchObject({ code: 1, stderr: expect.stringContaining('Cannot connect to the Docker daemon') });
    expect(sh('systemctl start docker').code).toBe(0);
    const id = sh('docker run -d --name web -p 127.0.0.1:8080:80 --restart unless-stopped nginx:1.27').stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const ps = JSON.parse(sh("docker ps --format '{{json .}}'").stdout);
    expect(ps).toMatchObject({ ID: id.slice(0, 12), Image: 'nginx:1.27', Names: 'web', State: 'running', Ports: '127.0.0.1:8080->80/tcp' });
    expect(sh("docker inspect -f '{{.State.Status}} {{.HostConfig.RestartPolicy.Name}}' web").stdout).toBe('running unless-stopped\n');
    expect(sh('docker restart web && docker inspect --format "{{.RestartCount}}" web').stdout).toBe('web\n1\n');
    expect(sh('docker rm web')).toMatchObject({ code: 1, stderr: expect.stringContaining('container is running') });
    expect(sh('docker rm -f web && docker ps -aq').stdout).toBe('web\n');
    expect(sh('docker inspect web')).toMatchObject({ code: 1, stdout: '[]\n', stderr: 'Error: No such object: web\n' });
  });

  const COMPOSE = `services:
  node:
    image: ghcr.io/product-science/inferenced:\${NODE_VERSION}
    ports:
      - "5000:26656"
      - "127.0.0.1:26657:26657"
  mlnode-1:
    image: ghcr.io/product-science/mlnode:3.0.12
    environment:
      - HF_HOME=/root/.cache
    volumes:
      - \${HF_HOME:-/mnt/shared}:/root/.cache
    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              device_ids: ["0", "1", "2", "3"]
              capabilities: [gpu]
`;

  // the docker shim alone: no Gonka simulator behind `docker compose` unless a test sets a hook
  const composeHost = async (profile: string) => {
    const h = await host(profile);
    const dir = '/opt/gonka/deploy/join';
    await writeFile(h.host.path(`${dir}/docker-compose.yml`), COMPOSE);
    await writeFile(h.host.path(`${dir}/config.env`), 'export NODE_VERSION=0.2.5\nexport HF_HOME=/mnt/shared\n');
    await setComposeHook(h.host, null);
    return { ...h, dir, compose: `cd ${dir} && docker compose -f docker-compose.yml --env-file config.env` };
  };

  test('compose up/ps/down records project containers (no Gonka hook)', async () => {
    const { sh, compose, host: h } = await composeHost('h100-8x');
    expect(
      sh('apt-get install -y docker-ce docker-compose-plugin nvidia-container-toolkit && nvidia-ctk runtime configure && systemctl restart docker').code,
    ).toBe(0);
    const up = sh(`${compose} up -d`);
    expect(up.code).toBe(0);
    expect(up.stderr).toMatch(/Container join-node-1 {2}Started/);
    const ps = sh(`${compose} ps --format json`)
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(ps.map((p) => [p.Service, p.Name, p.Image, p.State])).toEqual([
      ['node', 'join-node-1', 'ghcr.io/product-science/inferenced:0.2.5', 'running'],
      ['mlnode-1', 'join-mlnode-1-1', 'ghcr.io/product-science/mlnode:3.0.12', 'running'],
    ]);
    expect(ps[0].Publishers).toEqual([
      { URL: '0.0.0.0', TargetPort: 26656, PublishedPort: 5000, Protocol: 'tcp' },
      { URL: '127.0.0.1', TargetPort: 26657, PublishedPort: 26657, Protocol: 'tcp' },
    ]);
    expect(sh('nvidia-smi --query-gpu=index,memory.used --format=csv,noheader,nounits').stdout).toBe(
      '0, 73403\n1, 73403\n2, 73403\n3, 73403\n4, 0\n5, 0\n6, 0\n7, 0\n',
    );
    const again = sh(`${compose} up -d`);
    expect(again.stderr).toMatch(/Container join-node-1 {2}Running/);
    const s = await hostState(h);
    expect(s.docker.containers.map((c: { name: string }) => c.name)).toEqual(['join-node-1', 'join-mlnode-1-1']);
    expect(sh(`${compose} down`).code).toBe(0);
    expect(sh(`${compose} ps --format json`).stdout).toBe('');
    expect((await hostState(h)).docker.images).toHaveLength(2);
  });

  test('compose up of a GPU service without the NVIDIA runtime fails like docker', async () => {
    const { sh, compose } = await composeHost('h100-8x');
    expect(sh('apt-get install -y docker-ce docker-compose-plugin').code).toBe(0);
    expect(sh(`${compose} up -d`)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('could not select device driver "nvidia" with capabilities: [[gpu]]'),
    });
  });

  test('compose stop SERVICE with an env value holding ": " (interpolated after parsing, as compose does)', async () => {
    const { sh, dir, host: h } = await composeHost('h100-8x');
    await writeFile(
      h.path(`${dir}/docker-compose.yml`),
      `services:
  node:
    image: ghcr.io/product-science/inferenced:\${NODE_VERSION}
    environment:
      - KEYRING_PASSWORD=\${KEYRING_PASSWORD}
  api:
    image: ghcr.io/product-science/api:\${NODE_VERSION}
`,
    );
    await writeFile(h.path(`${dir}/config.env`), "export NODE_VERSION=0.2.5\nexport KEYRING_PASSWORD='correct: horse'\n");
    const compose = `cd ${dir} && docker compose -f docker-compose.yml --env-file config.env`;
    expect(sh('apt-get install -y docker-ce docker-compose-plugin && systemctl restart docker').code).toBe(0);
    expect(sh(`${compose} up -d`).code).toBe(0);
    const stop = sh(`${compose} stop node`);
    expect(stop).toMatchObject({ code: 0, stderr: ' Container join-node-1  Stopping\n Container join-node-1  Stopped\n' });
    const containers = (await hostState(h)).docker.containers as { name: string; state: string; env: Record<string, string> }[];
    expect(containers.map((c) => [c.name, c.state])).toEqual([
      ['join-node-1', 'exited'],
      ['join-api-1', 'running'],
    ]);
    expect(containers[0].env.KEYRING_PASSWORD).toBe('correct: horse');
    expect(sh(`${compose} ps --format '{{.Service}}'`).stdout).toBe('api\n');
  });

  test("a list-form environment entry that is not a string is compose's validation error, not a crash", async () => {
    const { sh, dir, host: h } = await composeHost('h100-8x');
    await writeFile(
      h.path(`${dir}/docker-compose.yml`),
      'services:\n  node:\n    image: ghcr.io/product-science/inferenced:0.2.5\n    environment:\n      - A=1\n      - B: 2\n',
    );
    expect(sh('apt-get install -y docker-ce docker-compose-plugin && systemctl restart docker').code).toBe(0);
    expect(sh(`cd ${dir} && docker compose stop node`)).toEqual({
      code: 1,
      stdout: '',
      stderr: `validating ${dir}/docker-compose.yml: services.node.environment.1 must be a string\n`,
    });
  });

  test('compose calls the Gonka hook with the project, files, env file and docker state dir', async () => {
    const { sh, dir, host: h } = await composeHost('h100-8x');
    const hook = '/tmp/hook.mjs';
    await writeFile(
      h.path(hook),
      `import { appendFileSync } from 'node:fs';
appendFileSync(process.env.HOOK_LOG, JSON.stringify(process.argv.slice(2)) + '\\n');
if (process.argv[2] === 'ps') console.log(JSON.stringify({ Service: 'node', Name: 'join-node-1', State: 'running', Health: 'healthy' }));
if (process.argv[2] === 'logs') console.log('node-1  | committed state height=42');
if (process.argv[2] === 'stop') console.error('hook: stop');
`,
    );
    expect(
      sh('apt-get install -y docker-ce docker-compose-plugin nvidia-container-toolkit && nvidia-ctk runtime configure && systemctl restart docker').code,
    ).toBe(0);
    const log = '/tmp/hook.log';
    await setComposeHook(h, hook);
    const compose = `cd ${dir} && HOOK_LOG=${log} docker compose -f docker-compose.yml --env-file config.env`;
    expect(sh(`${compose} up -d node`).code).toBe(0);
    expect(JSON.parse(sh(`${compose} ps --format json`).stdout)).toMatchObject({ Health: 'healthy' });
    expect(sh(`${compose} logs --tail 5 node`).stdout).toBe('node-1  | committed state height=42\n');
    expect(sh(`${compose} stop node`)).toMatchObject({ code: 0, stderr: 'hook: stop\n' });
    expect(sh(`cd ${dir} && HOOK_LOG=${log} docker start join-node-1`)).toMatchObject({ code: 0, stdout: 'join-node-1\n' });
    expect(sh(`${compose} restart node`).code).toBe(0);
    expect(sh(`${compose} down`).code).toBe(0);
    const common = [
      '--project-dir',
      dir,
      '--file',
      `${dir}/docker-compose.yml`,
      '--env-file',
      `${dir}/config.env`,
      '--state-dir',
      '/var/lib/nop-sim/docker',
      '-p',
      'join',
    ];
    const calls = (await readFile(h.path(log), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(calls).toEqual([
      ['up', ...common, 'node'],
      ['ps', ...common, '--format', 'json'],
      ['logs', ...common, '--tail', '5', 'node'],
      ['stop', ...common, 'node'],
      ['start', ...common, 'node'],
      ['restart', ...common, 'node'],
      ['down', ...common],
    ]);
  });
});

describe('the shim server', () => {
  // one host for the cases below: they read, or change only what they check
  const served = async () => {
    const h = await host('h100-8x');
    const direct = (cmd: string) => h.sh(cmd.replace(/^(\S+)/, `${process.execPath} ${SHIMS_DIR}/$1.mjs`));
    return { ...h, direct };
  };

  test('a served command answers as its own process does: output, errors, exit code, working directory, umask', async () => {
    const { sh, direct, host: h } = await served();
    const calls = [
      'systemctl is-active docker',
      'systemctl is-enabled nope',
      'systemctl show -p ActiveState --value docker',
      'systemctl frobnicate',
      'systemctl list-unit-files',
      'iptables -S',
      'iptables -t nat -S',
      'uname -a',
      'df -h /opt',
      "dpkg-query -W -f='${Package} ${Version}|' nope docker-ce",
      'nvidia-smi -L',
      'apt-get install -y nope',
      'lsb_release -a',
      // stdout and stderr to one place interleave as the process wrote them (df reports a missing path first)
      'df -P /nonexistent / 2>&1',
      // docker: the server answers the reads, the rest is run as its own process
      'docker compose version',
      'docker image inspect --format {{.Id}} nope',
      'docker ps -a',
      'docker pull nginx:1.28.0',
    ];
    for (const call of calls) expect(sh(call), call).toEqual(direct(call));
    for (const cwd of ['/', '/mnt/shared']) expect(sh(`cd ${cwd} && df -P .`), cwd).toEqual(sh(`cd ${cwd} && ${process.execPath} ${SHIMS_DIR}/df.mjs -P .`));
    // files a served command writes get the caller's umask
    expect(sh('umask 077 && iptables -N NOP-TEST && stat -c %a /var/lib/nop-sim/state.json').stdout).toBe('600\n');
    expect(sh('umask 022 && iptables -X NOP-TEST && stat -c %a /var/lib/nop-sim/state.json').stdout).toBe('644\n');
    // without node on PATH a served command still answers (no node process starts); without the server, it is
    // run as its own process, which then needs node
    const noNode = 'PATH=/usr/local/sbin:/usr/local/bin:/nonexistent uname -s';
    expect(sh(noNode)).toEqual({ code: 0, stdout: 'Linux\n', stderr: '' });
    await stopShimServer(h);
    expect(sh(noNode)).toMatchObject({ code: 127, stdout: '' });
    expect(sh('uname -s')).toEqual({ code: 0, stdout: 'Linux\n', stderr: '' });
  });

  test('curl and docker exec hand the call on to the program (stdin, output, exit code and environment as their own process), compose ps is answered, and no node process starts', async () => {
    const { sh, host: h } = await served();
    const dir = '/opt/app';
    await mkdir(h.path(dir), { recursive: true });
    await writeFile(h.path(`${dir}/docker-compose.yml`), 'services:\n  box:\n    image: busybox:1.36\n    environment:\n      - GREETING=${GREETING:-hello}\n');
    expect(sh(`apt-get install -y docker-ce docker-compose-plugin && systemctl restart docker && cd ${dir} && docker compose up -d`).code).toBe(0);
    // as its own process: the shim run by node, with no NODE_OPTIONS; served: a node process would refuse the bogus
    // NODE_OPTIONS, so a served call that answers started none (the bash client execs the program itself)
    const asProcess = (call: string, stdin?: string) => sh(call.replace(/\b(docker|curl) /, `${process.execPath} ${SHIMS_DIR}/$1.mjs `), stdin);
    const servedCall = (call: string, stdin?: string) => sh(`export NODE_OPTIONS=--no-such-option; ${call}`, stdin);
    // two calls against the shim as its own process (what it always did), the rest against what docker and curl say
    const exec = `cd ${dir} && docker compose exec -T box sh -c 'echo "$GREETING $NOP_SIM_SERVICE"; cat; echo oops >&2; exit 3'`;
    expect(servedCall(exec, 'secret\n')).toEqual(asProcess(exec, 'secret\n'));
    expect(servedCall(exec, 'secret\n')).toEqual({ code: 3, stdout: 'hello box\nsecret\n', stderr: 'oops\n' });
    const config = 'curl -sS -K - -w "%{http_code}"';
    expect(servedCall(config, 'url = "file:///etc/hostname"\n')).toEqual(asProcess(config, 'url = "file:///etc/hostname"\n'));
    expect(servedCall(config, 'url = "file:///etc/hostname"\n')).toEqual({ code: 0, stdout: `${h.profile.hostname}\n000`, stderr: '' });
    const calls: [string, string | undefined, { code: number; stdout: string; stderr: string }][] = [
      // compose interpolates the caller's environment
      [`cd ${dir} && GREETING=hey docker compose exec -T -e A=1 box sh -c 'echo "$GREETING $A"'`, undefined, { code: 0, stdout: 'hey 1\n', stderr: '' }],
      [
        `cd ${dir} && docker compose exec -T box no-such-command`,
        undefined,
        { code: 127, stdout: '', stderr: 'OCI runtime exec failed: exec: "no-such-command": executable file not found in $PATH\n' },
      ],
      [`cd ${dir} && docker compose exec -T nobox true`, undefined, { code: 1, stdout: '', stderr: 'no such service: nobox\n' }],
      [`cd ${dir} && docker compose ps --format '{{.Service}} {{.State}} {{.Name}}'`, undefined, { code: 0, stdout: 'box running app-box-1\n', stderr: '' }],
      [`cd ${dir} && docker compose run --rm box sh -c 'cat'`, 'piped\n', { code: 0, stdout: 'piped\n', stderr: '' }],
      ["docker exec -i app-box-1 sh -c 'cat; exit 4'", 'in\n', { code: 4, stdout: 'in\n', stderr: '' }],
      ['curl -sS file:///etc/hostname', undefined, { code: 0, stdout: `${h.profile.hostname}\n`, stderr: '' }],
      ['curl -sS http://203.0.113.7/', undefined, { code: 6, stdout: '', stderr: 'curl: (6) Could not resolve host: 203.0.113.7\n' }],
      ['PATH=/usr/local/sbin:/usr/local/bin curl -V', undefined, { code: 127, stdout: '', stderr: 'sh: 1: curl: not found\n' }],
    ];
    for (const [call, stdin, want] of calls) expect(servedCall(call, stdin), call).toEqual(want);
    expect(servedCall('curl -sS -K -', 'url = "http://127.0.0.1:1/"\n')).toMatchObject({
      code: 7,
      stderr: expect.stringMatching(/^curl: \(7\) Failed to connect to 127\.0\.0\.1 port 1/),
    });
    // -e NAME passes the caller's NAME, as docker does (and none where the caller has none)
    expect(servedCall(`cd ${dir} && A=2 docker compose exec -T -e A -e B box sh -c 'echo "$A \${B-unset}"'`)).toEqual({
      code: 0,
      stdout: '2 unset\n',
      stderr: '',
    });
  });

  test.skipIf(process.getuid?.() !== 0)('a caller other than root runs the shim as its own process, with its own permissions', async () => {
    const { sh } = await served();
    const before = sh('iptables -S').stdout;
    const asNobody = sh('setpriv --reuid=65534 --regid=65534 --clear-groups iptables -A INPUT -j ACCEPT');
    expect(asNobody.code).toBe(1);
    expect(asNobody.stderr).toContain('EACCES');
    expect(sh('iptables -S').stdout).toBe(before);
  });
});
