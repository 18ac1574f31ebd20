import { describe, expect, it } from 'vitest';
import { parseAnsibleFacts } from '../../lib/facts/builtin/ansible-facts.js';

// the sandbox the conformance suite compares with Ansible has no default route and one CPU socket; these are the
// shapes it cannot show (test/conformance/cases/facts-recap compares the rest with ansible-core's setup)
const output = (extra: string) => `os_id=ubuntu
os_id_like=debian
os_version_id=22.04
os_codename=jammy
os_name=Ubuntu
debian_version=bookworm/sid
machine=x86_64
nodename=gpu-7.example.net
byaddr=10.0.0.7      gpu-7 gpu-7.example.net
vcpus=64
sockets=2
cores=16
siblings=32
uid=1000 1000 1000 1000
passwd=deploy:x:1000:1000:Deploy User,,,:/home/deploy:/bin/bash
${extra}
env:
HOME=/home/deploy\0MULTI=a
b\0`;

describe("Ansible's setup facts, parsed", () => {
  it("names the distribution, its family and version as Ansible does (not Debian's codename file for Ubuntu)", () => {
    const f = parseAnsibleFacts(output(''));
    expect(f).toMatchObject({
      distribution: 'Ubuntu',
      os_family: 'Debian',
      distribution_version: '22.04',
      distribution_major_version: '22',
      distribution_minor_version: '04',
      distribution_release: 'jammy',
      distribution_file_variety: 'Debian',
    });
  });

  it("takes the FQDN as Python's getfqdn: the first dotted name of the address's names", () => {
    expect(parseAnsibleFacts(output(''))).toMatchObject({ hostname: 'gpu-7', nodename: 'gpu-7.example.net', fqdn: 'gpu-7.example.net', domain: 'example.net' });
  });

  it('counts sockets, cores and threads as Ansible does', () => {
    expect(parseAnsibleFacts(output(''))).toMatchObject({ processor_vcpus: 64, processor_count: 2, processor_cores: 16, processor_threads_per_core: 2 });
  });

  it("reads the user's passwd entry and a multi-line environment value", () => {
    const f = parseAnsibleFacts(output(''));
    expect(f).toMatchObject({ user_uid: 1000, user_gecos: 'Deploy User,,,', user_dir: '/home/deploy', user_shell: '/bin/bash' });
    expect(f.env).toEqual({ HOME: '/home/deploy', MULTI: 'a\nb' });
  });

  it("describes the default route's interface as default_ipv4", () => {
    const f = parseAnsibleFacts(
      output(`gateway=192.0.2.1
interface=eth0
address=192.0.2.2
ipv4=4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever
link=ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff
mtu=1400`),
    );
    expect(f.default_ipv4).toEqual({
      address: '192.0.2.2',
      alias: 'eth0',
      broadcast: '192.0.2.255',
      gateway: '192.0.2.1',
      interface: 'eth0',
      macaddress: '02:fc:00:00:00:01',
      mtu: 1400,
      netmask: '255.255.255.0',
      network: '192.0.2.0',
      prefix: '24',
      type: 'ether',
    });
    expect(parseAnsibleFacts(output('')).default_ipv4).toEqual({});
  });
});
