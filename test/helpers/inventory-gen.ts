/**
 * A large, deterministic inventory for benchmarks and output checks: `hosts` hosts in racks of 50,
 * racks in 10 regions (group → children → hosts), every 10th host also in `network_nodes` and the
 * rest in `ml_nodes`, vars on `all`, on regions, on racks and on every host. The same inventory as
 * YAML and as INI, so both readers are measured on the same data.
 */

const RACK_SIZE = 50;
const REGIONS = 10;

interface Layout {
  host: (i: number) => string;
  rackOf: (i: number) => number;
  racks: number;
  regionOf: (rack: number) => number;
  hostVars: (i: number) => [string, string | number | boolean][];
}

const layout = (hosts: number): Layout => ({
  host: (i) => `gpu${String(i).padStart(6, '0')}.dc${i % 3}`,
  rackOf: (i) => Math.floor(i / RACK_SIZE),
  racks: Math.ceil(hosts / RACK_SIZE),
  regionOf: (rack) => rack % REGIONS,
  hostVars: (i) => [
    ['ansible_host', `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
    ['gpu_count', 1 + (i % 8)],
    ['enabled', i % 7 !== 0],
  ],
});

const yamlValue = (v: string | number | boolean): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

export const inventoryYaml = (hosts: number): string => {
  const l = layout(hosts);
  const out: string[] = ['all:', '  vars:', '    ansible_user: ubuntu', '    gonka_network: mainnet', '  children:'];
  const hostLine = (i: number, indent: string) =>
    `${indent}${l.host(i)}: { ${l
      .hostVars(i)
      .map(([k, v]) => `${k}: ${yamlValue(v)}`)
      .join(', ')} }`;
  for (let region = 0; region < REGIONS; region++) {
    out.push(`    region${region}:`, '      vars:', `        region: r${region}`, '      children:');
    for (let rack = region; rack < l.racks; rack += REGIONS) {
      out.push(`        rack${rack}:`, '          vars:', `            rack: ${rack}`, '          hosts:');
      for (let i = rack * RACK_SIZE; i < Math.min(hosts, (rack + 1) * RACK_SIZE); i++) out.push(hostLine(i, '            '));
    }
  }
  for (const [group, pick] of [
    ['network_nodes', (i: number) => i % 10 === 0],
    ['ml_nodes', (i: number) => i % 10 !== 0],
  ] as const) {
    out.push(`    ${group}:`, '      hosts:');
    for (let i = 0; i < hosts; i++) if (pick(i)) out.push(`        ${l.host(i)}:`);
  }
  return `${out.join('\n')}\n`;
};

export const inventoryIni = (hosts: number): string => {
  const l = layout(hosts);
  const out: string[] = ['[all:vars]', 'ansible_user=ubuntu', 'gonka_network=mainnet', ''];
  for (let rack = 0; rack < l.racks; rack++) {
    out.push(`[rack${rack}]`);
    for (let i = rack * RACK_SIZE; i < Math.min(hosts, (rack + 1) * RACK_SIZE); i++) {
      out.push(
        `${l.host(i)} ${l
          .hostVars(i)
          .map(([k, v]) => `${k}=${typeof v === 'boolean' ? (v ? 'True' : 'False') : v}`)
          .join(' ')}`,
      );
    }
    out.push(`[rack${rack}:vars]`, `rack=${rack}`, '');
  }
  for (let region = 0; region < REGIONS; region++) {
    out.push(`[region${region}:children]`);
    for (let rack = region; rack < l.racks; rack += REGIONS) out.push(`rack${rack}`);
    out.push(`[region${region}:vars]`, `region=r${region}`, '');
  }
  for (const [group, pick] of [
    ['network_nodes', (i: number) => i % 10 === 0],
    ['ml_nodes', (i: number) => i % 10 !== 0],
  ] as const) {
    out.push(`[${group}]`);
    for (let i = 0; i < hosts; i++) if (pick(i)) out.push(l.host(i));
    out.push('');
  }
  return `${out.join('\n')}\n`;
};
